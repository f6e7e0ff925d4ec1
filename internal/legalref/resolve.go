package legalref

// Resolution: which instrument a bare or continued provision belongs to,
// and when the text does not say clearly enough to link it.

import (
	"regexp"
	"strings"
)

// resolve gives bare and continued provisions their instrument: the next
// item of "Article 5 and Article 7 of the GDPR", else the last instrument
// of the kind the text named before.
func (s *scan) resolve() {
	t := s.text
	// Backward: a bare provision joined by "and"/"or"/"," to one with an instrument.
	for i := len(s.refs) - 2; i >= 0; i-- {
		a, b := &s.refs[i], &s.refs[i+1]
		if a.kind != KindProvision || a.inst != nil || a.cont != "" || b.kind != KindProvision || (b.inst == nil && b.cont == "") {
			continue
		}
		gap := strings.TrimSpace(t[a.end:b.start])
		if gap == "and" || gap == "or" || gap == "," || gap == ", and" || gap == ", or" || gap == "and/or" {
			a.inst, a.cont, a.contYear = b.inst, b.cont, b.contYear
		}
	}
	var seen []*Instrument
	var seenAt []int                   // where each of seen was named (its end)
	pinned := map[string]*Instrument{} // "Article 82" -> the instrument it was last cited with
	var pinnedOrder []*Instrument      // instruments cited with a pinpoint, in order
	for i := range s.refs {
		r := &s.refs[i]
		if r.drop {
			continue
		}
		if r.kind == KindLegislation && r.inst == nil && r.cont != "" {
			if r.inst = lastOf(seen, "", r.cont, r.contYear); r.inst == nil {
				r.drop = true
			} else {
				r.kind = r.inst.Kind
			}
			continue
		}
		if r.kind == KindProvision && r.inst == nil {
			r.inst = lastOf(seen, r.keyword, r.cont, r.contYear)
			if r.sameAs && r.cont != "" {
				// "Article 31 of the same Regulation": the one whose
				// provisions the text was citing, not one named in passing.
				for k := len(pinnedOrder) - 1; k >= 0; k-- {
					if fitsContinuation(pinnedOrder[k], r.cont, r.contYear) {
						r.inst = pinnedOrder[k]
						break
					}
				}
			}
			if r.inst != nil && r.cont == "" && sentenceHasOne(seen, seenAt, sentenceStart(t, r.start), r.keyword) {
				r.inst = seen[len(seen)-1] // "section 7(2) of the 2010 Act ... under section 9": the sentence's own Act
			}
			if in, ok := pinned[r.keyword+" "+bareNumber(r.number)]; ok && r.cont == "" && r.inst != nil {
				r.inst = in // "Article 82(1) of the GDPR ... Article 82": the same Article's instrument
			} else if r.inst != nil && r.cont == "" && possessiveBefore(t, r.start) && !(len(seenAt) > 0 && seenAt[len(seenAt)-1] >= sentenceStart(t, r.start)) {
				// "the DIFC law under its Article 6": "its" is the sentence's
				// own instrument; one named sentences before is a guess.
				r.inst, r.ambiguous = nil, true
			} else if r.inst != nil && r.cont == "" && candidates(seen, r.keyword) > 1 && !possessiveBefore(t, r.start) &&
				!sentenceHasOne(seen, seenAt, sentenceStart(t, r.start), r.keyword) {
				// "s. 172(3)" after both the Companies Act and the
				// Insolvency Act: which one is a guess; no instrument, no link.
				r.inst, r.ambiguous = nil, true
			}
			if r.cont == "Treaty" && (r.inst == nil || r.inst.Canonical == "Treaty on European Union" && numberAbove(r.number, 55)) {
				// "Article 102 of the Treaty": the TFEU (the TEU has 55 articles).
				in, _ := tbl.lookup("TFEU")
				r.inst = &in
			}
			if r.inst != nil && r.keyword == "section" && (r.inst.Jurisdiction == "eu" || r.inst.Kind == KindTreaty) {
				// EU acts and treaties have Articles: "s. 8 of the Charter" is another Charter.
				r.inst = nil
			}
			if r.inst == nil && r.cont == "Charter" && r.keyword == "Article" {
				// "the Charter" with nothing before it: in EU law, the Charter of Fundamental Rights.
				in, _ := tbl.lookup("Charter of Fundamental Rights of the European Union")
				r.inst = &in
			}
			if r.inst == nil && r.cont == "" && !r.ambiguous {
				// "Section 230 ..., Section 230 of the Communications Decency Act":
				// the same pinpoint named with its act later in the text.
				for j := i + 1; j < len(s.refs); j++ {
					o := s.refs[j]
					if o.kind == KindProvision && o.inst != nil && o.keyword == r.keyword && o.number == r.number {
						r.inst = o.inst
						break
					}
				}
			}
			if r.inst == nil && r.cont == "Convention" && r.keyword == "Article" && strasbourgRe.MatchString(t) {
				// "Article 8 of the Convention" in a text about the European
				// Court of Human Rights: its Convention, whatever other
				// convention the text names later.
				in, _ := tbl.lookup("ECHR")
				r.inst = &in
			}
			if r.inst == nil && !r.ambiguous && (r.cont != "" || !anyFits(seen, r.keyword)) {
				// Named only later (and no earlier instrument could hold it): "Part 26A ... the Companies Act 2006",
				// "Article 8 of the Convention ... the European Convention on Human Rights".
				for j := i + 1; j < len(s.refs) && r.inst == nil; j++ {
					o := s.refs[j].inst
					if o == nil || o.Kind == KindCourt || o.Kind == KindCase {
						continue
					}
					if r.cont == "" && fitsKeyword(o, r.keyword) || r.cont != "" && fitsContinuation(o, r.cont, r.contYear) {
						r.inst = o
					}
				}
			}
			if r.inst == nil && r.cont == "Convention" && r.keyword == "Article" {
				// "Article 8 of the Convention" in legal news: the ECHR.
				in, _ := tbl.lookup("ECHR")
				r.inst = &in
			}
			if r.inst != nil && r.sym && r.inst.Jurisdiction == "uk" && r.cont == "" {
				// "§ 15a" is how German and US law write a section, never
				// how a UK Act is cited: not the UK Act the text named.
				r.inst, r.ambiguous = nil, true
			}
			if r.inst != nil && r.keyword == "Article" && tooFewArticles(r.inst, r.number) {
				// "Article 60(4)" is no article of the Charter (54 Articles).
				r.inst, r.ambiguous = nil, true
			}
			if r.inst == nil && !r.ambiguous && r.cont == "" && documentPart(t, r) {
				r.drop = true // "Section 2.3 sets out", "the ICO's Section 5 guidance": a document's part
				continue
			}
			if r.inst == nil && r.needsContext && !r.ambiguous {
				r.drop = true
				continue
			}
		}
		if r.inst != nil && r.inst.Kind != KindCourt && r.inst.Kind != KindCase {
			seen = append(seen, r.inst)
			seenAt = append(seenAt, r.end)
			if r.kind == KindProvision && !r.rangeOf {
				pinned[r.keyword+" "+bareNumber(r.number)] = r.inst
				pinnedOrder = append(pinnedOrder, r.inst)
			}
		}
	}
}

// strasbourgRe: the text speaks of the European Court of Human Rights.
var strasbourgRe = regexp.MustCompile(`European Court of Human Rights|\bECtHR\b|Strasbourg court|court in Strasbourg`)

// lastOf is the last instrument in seen that a continuation word or a bare
// provision keyword can mean.
func lastOf(seen []*Instrument, keyword, cont, year string) *Instrument {
	for i := len(seen) - 1; i >= 0; i-- {
		in := seen[i]
		if cont != "" {
			if fitsContinuation(in, cont, year) {
				return in
			}
			continue
		}
		if fitsKeyword(in, keyword) {
			return mostMentioned(seen[:i+1], keyword)
		}
		if keyword == "Article" || keyword == "section" {
			// The nearest instrument of the other style closes the search:
			// "section 5" after the GDPR is not an Article of an older Act.
			if in.Kind != KindRule {
				return nil
			}
		}
	}
	return nil
}

var dottedNumber = regexp.MustCompile(`^\d+\.\d+$`)

// documentPart: a provision no instrument holds that reads as a part of
// some document: "Section 2.3" (a numbered heading), "the ICO's Section 5".
func documentPart(t string, r *ref) bool {
	if r.keyword != "section" && r.keyword != "Article" {
		return false
	}
	if r.keyword == "section" && dottedNumber.MatchString(r.number) {
		return true
	}
	return possessiveBefore(t, r.start) && !strings.HasSuffix(strings.ToLower(t[max(0, r.start-4):r.start]), "its ")
}

// sentenceHasOne: the sentence (from start) has named exactly one
// instrument a bare keyword fits, and it is the latest named.
func sentenceHasOne(seen []*Instrument, seenAt []int, start int, keyword string) bool {
	names := map[string]bool{}
	for i := len(seen) - 1; i >= 0 && seenAt[i] >= start; i-- {
		if fitsKeyword(seen[i], keyword) {
			names[seen[i].Canonical] = true
		}
	}
	return len(names) == 1 && fitsKeyword(seen[len(seen)-1], keyword) && seenAt[len(seen)-1] >= start
}

// sentenceStart is the offset where the sentence holding at begins.
func sentenceStart(t string, at int) int {
	start := 0
	for _, sep := range []string{". ", "? ", "! ", "\n", "; "} {
		if k := strings.LastIndex(t[:at], sep); k >= 0 && k+len(sep) > start {
			start = k + len(sep)
		}
	}
	return start
}

// possessiveBefore: "its Article 6", "the Act's section 4": the
// instrument is the one just named.
func possessiveBefore(t string, at int) bool {
	b := strings.ToLower(t[max(0, at-8):at])
	return strings.HasSuffix(b, "its ") || strings.HasSuffix(b, "'s ") || strings.HasSuffix(b, "’s ")
}

// articleCount is how many Articles some instruments have: a bare
// "Article 60" cannot be the Charter's.
var articleCount = map[string]int{
	"Charter of Fundamental Rights of the European Union": 54, "Treaty on European Union": 55,
	"Treaty on the Functioning of the European Union": 358, "European Convention on Human Rights": 59,
	"Regulation (EU) 2016/679": 99, "Regulation (EU) 2022/2065": 93, "Regulation (EU) 2022/1925": 54,
	"Regulation (EU) 2024/1689": 113, "Regulation (EU) 2022/2554": 64, "Regulation (EU) 2023/1114": 149,
	"Directive (EU) 2022/2555": 46, "Regulation (EC) No 139/2004": 26, "Regulation (EC) No 1/2003": 45,
}

func tooFewArticles(in *Instrument, number string) bool {
	n, ok := articleCount[in.Canonical]
	return ok && numberAbove(number, n)
}

// initialsLike: a word that can be an act's initials ("HRA", "InsO",
// "StaRUG"): all capitals, or two capitals at least and known to the table.
func initialsLike(w string) bool {
	caps := 0
	for _, c := range w {
		if c >= 'A' && c <= 'Z' {
			caps++
		}
	}
	if caps == len(w) {
		return true
	}
	_, known := tbl.lookup(w)
	return caps >= 2 && known
}

// anyFits: some instrument of seen has provisions of this keyword.
func anyFits(seen []*Instrument, keyword string) bool {
	for _, in := range seen {
		if fitsKeyword(in, keyword) {
			return true
		}
	}
	return false
}

// inReach are the instruments of seen, latest first, that a bare
// provision keyword could belong to: those that fit it, back to the
// nearest one of the other style ("section 5" after the GDPR is not an
// Article of an older Act, nor the reverse).
func inReach(seen []*Instrument, keyword string) []*Instrument {
	var out []*Instrument
	for i := len(seen) - 1; i >= 0; i-- {
		in := seen[i]
		if !fitsKeyword(in, keyword) {
			if in.Kind != KindRule && (keyword == "Article" || keyword == "section") {
				break
			}
			continue
		}
		out = append(out, in)
	}
	return out
}

// candidates is how many different instruments are in reach.
func candidates(seen []*Instrument, keyword string) int {
	names := map[string]bool{}
	for _, in := range inReach(seen, keyword) {
		names[in.Canonical] = true
	}
	return len(names)
}

// mostMentioned is, of the instruments in reach, the one the text has
// named most often (the subject of the text), the latest on a tie: a bare
// "Article 101" in a brief about the AI Act is the AI Act's, even after a
// passing "Article 4(3) of Directive (EU) 2019/790".
func mostMentioned(seen []*Instrument, keyword string) *Instrument {
	count := map[string]int{}
	for _, in := range seen {
		count[in.Canonical]++
	}
	var best *Instrument
	for _, in := range inReach(seen, keyword) {
		if best == nil || count[in.Canonical] > count[best.Canonical] {
			best = in
		}
	}
	return best
}

func fitsContinuation(in *Instrument, word, year string) bool {
	if year != "" && !strings.Contains(in.Canonical, year) {
		return false
	}
	c := in.Canonical
	switch word {
	case "Act":
		return in.Kind == KindLegislation && (strings.Contains(c, "Act") || strings.Contains(c, "Bill"))
	case "Regulation", "Regulations":
		return in.Kind == KindRegulation
	case "Directive":
		return in.Kind == KindDirective
	case "Treaty", "Convention", "Charter", "Agreement", "Protocol", "Statute":
		return in.Kind == KindTreaty && (strings.Contains(c, word) || word == "Treaty" || word == "Convention" && strings.Contains(c, "Convention"))
	case "Code":
		return strings.Contains(c, "Code") || strings.Contains(in.Title, "Code")
	case "Rules":
		return in.Kind == KindRule
	case "Constitution":
		return strings.Contains(c, "Constitution")
	case "Law":
		return in.Kind == KindLegislation && strings.Contains(c, "Law")
	case "Order":
		return strings.Contains(c, "Order")
	}
	return false
}

// fitsKeyword: Articles belong to EU acts, treaties and civil-law codes;
// sections to common-law statutes; regulations to statutory instruments;
// rules to rules.
func fitsKeyword(in *Instrument, keyword string) bool {
	common := in.Jurisdiction == "uk" || in.Jurisdiction == "us" || in.Jurisdiction == "au" || in.Jurisdiction == "in" || in.Jurisdiction == "ie" || in.Jurisdiction == "sg" || in.Jurisdiction == "ca" || in.Jurisdiction == "nz" || in.Jurisdiction == "hk"
	switch keyword {
	case "Article":
		return in.Kind == KindTreaty || in.Kind == KindDirective || (in.Kind == KindRegulation && (in.Jurisdiction == "eu" || in.Canonical == "UK GDPR")) ||
			(in.Kind == KindLegislation && !common) || strings.Contains(in.Canonical, "Constitution")
	case "section":
		return in.Kind == KindLegislation && common && !strings.Contains(in.Canonical, "Constitution")
	case "regulation":
		return in.Kind == KindRegulation && in.Jurisdiction == "uk"
	case "rule", "Practice Direction":
		return in.Kind == KindRule
	case "Annex":
		return in.Kind == KindTreaty || in.Jurisdiction == "eu" && (in.Kind == KindRegulation || in.Kind == KindDirective)
	case "Part", "Schedule":
		return in.Kind == KindRule && keyword == "Part" || (in.Kind == KindLegislation || in.Kind == KindRegulation) && in.Jurisdiction != "eu" && !strings.Contains(in.Canonical, "Constitution")
	}
	return false
}
