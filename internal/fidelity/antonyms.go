package fidelity

import "strings"

// Antonyms read beyond the aligned passage and the next few words: a
// passive's subject, an outcome verb's object, another sentence of a
// cited source.

// passiveAt reports a participle after a form of "be" ("the argument
// was rejected", "were not formally approved").
func passiveAt(toks []token, i int) bool {
	if !strings.HasSuffix(toks[i].lower, "ed") && !strings.HasSuffix(toks[i].lower, "en") && !strings.HasSuffix(toks[i].lower, "wn") {
		return false
	}
	for j := i - 1; j >= 0 && j >= i-3; j-- {
		if beAux[toks[j].lower] {
			return true
		}
		if toks[j].brk || !(toks[j].stop || negators[toks[j].lower] || strings.HasSuffix(toks[j].lower, "ly")) {
			return false
		}
	}
	return false
}

// clause returns the keys of the content words from the start of token
// i's clause up to it, at most three neighbourhoods' worth: what a passive
// is about is its subject, however long ("the respondent's argument that
// the centres were a separate unit was rejected").
func (nb neighbourhoods) clause(toks []token, i int) []string {
	cs := i
	for cs > 0 && !toks[cs].brk {
		cs--
	}
	p := int(nb.at[i])
	return nb.keys[max(int(nb.at[cs]), p-3*ctxWords):p:p]
}

// antonymElsewhere finds an antonym of a claim's lexicon word in a cited
// source sentence outside the aligned passage, about the same things: a
// sentence that mixes facts from two places of a source ("the fund had
// 41,000 members, and the trustee denied the breaches") is aligned with the
// first, while the second says "the trustee admitted the breaches". It
// needs the same object (the first content word after both) and another
// shared neighbour, and no source sentence giving the claim's polarity as
// closely.
func antonymElsewhere(claim []polar, docs []*doc, supported func(polar) int) (polar, int, string, bool) {
	for k := range claim {
		c := &claim[k]
		if !c.lexical || c.open {
			continue
		}
		bestN, bestSh := 0, 0
		var bestText string
		for _, d := range docs {
			for _, s := range d.sents {
				for j := range s.occs {
					o := &s.occs[j]
					if o.open || o.pol == c.pol || !related(c, o) || len(c.ctxR) == 0 || len(o.ctxR) == 0 || !similarKey(c.ctxR[0], o.ctxR[0]) {
						continue
					}
					if sh := ctxShared(c, o); sh > bestSh {
						bestN, bestSh, bestText = d.n, sh, s.text
					}
				}
			}
		}
		if bestSh >= 2 && supported(*c) < bestSh {
			return *c, bestN, bestText, true
		}
	}
	return polar{}, 0, "", false
}

// sameObject reports two verbs that govern the same thing: the first
// content word after each, or for a passive any word of its subject.
func sameObject(a, b *polar) bool {
	objs := func(p *polar) []string {
		if p.passive {
			return p.ctxL
		}
		if len(p.ctxR) > 0 {
			return p.ctxR[:1]
		}
		return nil
	}
	for _, x := range objs(a) {
		for _, y := range objs(b) {
			if similarKey(x, y) {
				return true
			}
		}
	}
	return false
}
