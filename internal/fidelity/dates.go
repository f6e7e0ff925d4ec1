package fidelity

import "slices"

// Dates a paraphrase takes from the wrong place of a source: its masthead,
// or another event of the story.

// displacedDate finds a date the claim takes from elsewhere in the source
// (a publication date, another event's year) where the passage that
// supports the sentence gives another date of the same form: "on 24 July"
// (the column's date) where the judgment's paragraph says "on 21 July".
// The passage must support the sentence well, not give the claim's date,
// and give a date of the same fields that no date of the claim matches.
func displacedDate(dt date, claimDates []date, best window) (date, bool) {
	if best.d == nil || best.cov < supportHigh || dt.d > 0 {
		// A full date in a passage is often another event's ("an award
		// dated 2 October"); only years and months are compared here.
		return date{}, false
	}
	sameForm := func(a, b date) bool {
		return (a.y > 0) == (b.y > 0) && (a.m > 0) == (b.m > 0) && (a.d > 0) == (b.d > 0)
	}
	var other date
	found := false
	for _, s := range best.sents() {
		for _, w := range s.ds {
			if dt.compatible(w) {
				return date{}, false
			}
			if found || !sameForm(dt, w) {
				continue
			}
			matched := false
			for _, c := range claimDates {
				if c.compatible(w) {
					matched = true
				}
			}
			if !matched {
				other, found = w, true
			}
		}
	}
	return other, found
}

// reportingVerbs say when something was said or published, which a
// masthead's date may rightly give.
var reportingVerbs = setOf("said", "says", "announced", "announces", "reported", "reports", "told",
	"published", "wrote", "statement", "stated", "disclosed", "posted", "released")

// mastheadDate finds a brief that dates an event by when its source was
// written: the claim's full date is in the cited sources only on a
// masthead or column line, the sentence reports no statement, and the
// passage aligned with it gives another full date of its body that no
// date of the claim matches ("Client Alert | April 16" where the passage
// says the court ruled "on April 14").
func mastheadDate(dt date, claimDates []date, toks []token, docs []*doc, best window) (date, bool) {
	if dt.d == 0 || best.d == nil || best.cov < supportLow {
		return date{}, false
	}
	for _, t := range toks {
		if reportingVerbs[t.lower] {
			return date{}, false
		}
	}
	for _, d := range docs {
		for _, b := range d.bodyDs {
			if dt.compatible(b) {
				return date{}, false
			}
		}
	}
	for _, s := range best.sents() {
		for _, w := range s.ds {
			if w.d == 0 || !slices.ContainsFunc(best.d.bodyDs, func(b date) bool { return b == w }) {
				continue
			}
			if !slices.ContainsFunc(claimDates, func(c date) bool { return c.compatible(w) }) {
				return w, true
			}
		}
	}
	return date{}, false
}
