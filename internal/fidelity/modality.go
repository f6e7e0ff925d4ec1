package fidelity

import "strings"

// A paraphrase that turns a possibility into a fact ("the company has
// already filed for annulment" where the source says it "would seek
// annulment"; "the board has booked an impairment" where it "will assess
// whether an impairment is required") states as done what the source
// gives only as planned, possible or in question. The check reads a
// claim's perfect ("has filed", "have already begun") and what it governs,
// and finds the source writing that thing only under a modal, a plan or a
// question.

// irrealis words put what follows them in the future, the possible or the
// open: "may", "would", "plans to", "whether".
var irrealis = setOf("may", "might", "could", "would", "will", "can", "should", "whether", "if",
	"plan", "plans", "planned", "intend", "intends", "seek", "seeks", "consider", "considering",
	"expected", "option", "possible", "potential", "assess", "vows", "vowed", "threatened", "likely")

// requestVerbs ask or propose: what they govern is not done.
var requestVerbs = setOf("urged", "called", "asked", "proposed", "recommended", "demanded", "requested",
	"suggested", "considered", "intended", "promised", "pledged", "offered", "invited", "pressed", "lobbied", "threatened", "vowed")

var perfectAux = setOf("has", "have", "had")

// realisedObject returns the claim's perfect verb and the first word it
// governs that the sources write, when every place the cited sources write
// that word is under an irrealis word of its clause. text is the source
// sentence to quote.
func realisedObject(toks []token, docs []*doc) (verb, object string, d *doc, text string, ok bool) {
	for i := 0; i+1 < len(toks); i++ {
		// "would have addressed" is itself a possibility
		if !perfectAux[toks[i].lower] || underIrrealis(toks, i) {
			continue
		}
		j := i + 1
		for j < len(toks) && (toks[j].lower == "already" || toks[j].lower == "now" || toks[j].lower == "also") {
			j++
		}
		if j >= len(toks) || toks[j].stop || toks[j].cap || toks[j].num || !pastParticiple(toks[j].lower) {
			continue
		}
		// "had planned a discount", "have urged parliament to amend the
		// law": the perfect of a plan or a request states the plan, not
		// its object as done.
		if irrealis[toks[j].lower] || requestVerbs[toks[j].lower] {
			continue
		}
		// the first content word after the participle that a source writes
		for k := j + 1; k < len(toks) && k <= j+5 && !toks[k].brk; k++ {
			t := toks[k]
			if t.stop || t.num || len(t.lower) < 4 {
				continue
			}
			seen, realis := false, false
			var qd *doc
			var qt string
			for dd, at := range keyAt(docs, t.key) {
				seen = true
				if !underIrrealis(at.s.toks, at.p) {
					realis = true
					break
				}
				if qd == nil {
					qd, qt = dd, at.s.text
				}
			}
			if !seen {
				continue
			}
			if realis {
				break
			}
			return toks[j].text, t.text, qd, qt, true
		}
	}
	return "", "", nil, "", false
}

// pastParticiple reports a word shaped like one: "filed", "begun",
// "taken", "booked".
func pastParticiple(w string) bool {
	return len(w) > 3 && (strings.HasSuffix(w, "ed") || strings.HasSuffix(w, "en") || strings.HasSuffix(w, "un") || w == "made" || w == "paid" || w == "won" || w == "lost" || w == "sought" || w == "brought")
}

// underIrrealis reports an irrealis word among the eight tokens before
// token p of its sentence, in its clause.
func underIrrealis(toks []token, p int) bool {
	for k := p - 1; k >= 0 && k >= p-8; k-- {
		if irrealis[toks[k].lower] {
			return true
		}
		if toks[k+1].brk && k+1 < p {
			return false
		}
	}
	return false
}

// someWords say that there were some of a thing: "several arrests", "many
// complaints". "No arrests were made" says there were none.
var someWords = setOf("several", "many", "some", "numerous", "multiple", "dozens", "hundreds", "thousands", "various")

// noneConflict finds "several arrests" where every cited source that
// writes the noun says "no arrests", or "no arrests" where a source counts
// them ("two arrests", "several arrests"). It returns the claim's words
// and the source sentence.
func noneConflict(toks []token, docs []*doc) (claim string, d *doc, text string, ok bool) {
	for i := 0; i+1 < len(toks); i++ {
		claimNone := toks[i].lower == "no"
		if !claimNone && !someWords[toks[i].lower] && !counted(toks[i]) {
			continue
		}
		n := toks[i+1]
		if n.stop || n.num || n.cap || len(n.lower) < 4 || !strings.HasSuffix(n.lower, "s") {
			continue // a plural noun right after: "no arrests", "several raids"
		}
		var none, some *doc
		var noneText, someText string
		for dd, at := range keyAt(docs, n.key) {
			if at.p == 0 {
				continue
			}
			before := at.s.toks[at.p-1]
			switch {
			case before.lower == "no" || nobodyBefore(at.s.toks, at.p):
				if none == nil {
					none, noneText = dd, at.s.text
				}
			case someWords[before.lower] || counted(before):
				if some == nil {
					some, someText = dd, at.s.text
				}
			default:
				if claimNone {
					continue
				}
				some = dd // written without "no": not evidence of none
			}
		}
		if !claimNone && none != nil && some == nil {
			return toks[i].text + " " + n.text, none, noneText, true
		}
		if claimNone && some != nil && someText != "" && none == nil {
			return toks[i].text + " " + n.text, some, someText, true
		}
	}
	return "", nil, "", false
}

// nobodyBefore reports "nobody was arrested", "no one was charged": the
// verb of the noun, with no one as its subject.
func nobodyBefore(toks []token, p int) bool {
	for k := p - 1; k >= 0 && k >= p-3; k-- {
		if toks[k].lower == "nobody" || toks[k].lower == "one" && k > 0 && toks[k-1].lower == "no" {
			return true
		}
		if !beAux[toks[k].lower] && toks[k].lower != "one" {
			return false
		}
	}
	return false
}

// counted reports a count above zero: "2", "two".
func counted(t token) bool {
	return t.num && t.lower != "0" || numberWords[t.lower] > 0
}

// hedges are the modal verbs of a forecast: "firms may see more work",
// "practitioners can expect", "is likely to keep advisers busy".
var hedges = setOf("may", "might", "could")

// hedged reports a sentence that states a possibility, not a fact: a modal
// of possibility, "can expect" or "likely to" before its verb.
func hedged(toks []token) bool {
	for i, t := range toks {
		next := ""
		if i+1 < len(toks) {
			next = toks[i+1].lower
		}
		if hedges[t.lower] || t.lower == "can" && (next == "expect" || next == "therefore") || (t.lower == "likely" || t.lower == "expected") && next == "to" {
			return true
		}
	}
	return false
}
