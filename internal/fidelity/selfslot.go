package fidelity

import "strings"

// A careless paraphrase writes a name again in a slot where the source has
// another party: "charged Presser with misleading Presser about the trial"
// where the source says "misleading investors about", "Pulsetrack's sharing
// of Pulsetrack's data". When a name occurs twice in a sentence, each of
// its two slots is read by the words either side of it; a cited source
// sentence with the same words either side and another party between them
// (and none with this name or a pronoun for it) shows the substitution,
// and the message quotes the source's version.

// slotPronouns stand for a party named before them: a source's "its" in a
// slot the brief fills with the name is the same party.
var slotPronouns = setOf("its", "it", "his", "her", "their", "them", "him", "itself", "himself", "herself", "themselves", "they", "he", "she", "own", "the company", "the firm")

// slotSkip are words skipped when reading a slot's neighbours: they say
// nothing about which party fills it.
var slotSkip = setOf("the", "a", "an")

// selfSlot returns the sentence's phrase and the source sentence's
// version of it, when a name written twice fills a slot a cited source
// gives to another party.
func selfSlot(toks []token, ms []mention, docs []*doc) (phrase, instead string, d *doc, ok bool) {
	for a := 0; a < len(ms); a++ {
		for b := a + 1; b < len(ms); b++ {
			ma, mb := ms[a], ms[b]
			if _, exact := headMatch(toks, ma, mb); !exact || mb.first-ma.last > 20 || len(ma.keys) == 0 {
				continue
			}
			for _, m := range []mention{mb, ma} {
				if p, src, dd, found := slotFilledOtherwise(toks, m, docs); found {
					return p, src, dd, true
				}
			}
		}
	}
	return "", "", nil, false
}

// slotFilledOtherwise reads mention m's neighbours in the sentence and
// looks for them in the cited sources.
func slotFilledOtherwise(toks []token, m mention, docs []*doc) (phrase, instead string, d *doc, ok bool) {
	l := m.first - 1
	for l >= 0 && slotSkip[toks[l].lower] {
		l--
	}
	r := m.last + 1
	for r < len(toks) && slotSkip[toks[r].lower] {
		r++
	}
	if l < 0 || r >= len(toks) || toks[l].brk && l < m.first-1 || toks[m.first].brk || toks[r].brk {
		return "", "", nil, false
	}
	left, right := toks[l], toks[r]
	// neighbours that say something: at least one is a content word, and
	// neither is a name or a figure
	if left.stop && right.stop || left.num || right.num || left.cap && l > 0 || right.cap {
		return "", "", nil, false
	}
	name := m.keys[len(m.keys)-1]
	var cand string
	var candDoc *doc
	for _, dd := range docs {
		for _, s := range dd.sents {
			for i, t := range s.toks {
				if t.lower != left.lower {
					continue
				}
				for j := i + 1; j < len(s.toks) && j <= i+7; j++ {
					if s.toks[j].brk && j > i+1 {
						break
					}
					if s.toks[j].key != right.key {
						continue
					}
					if j == i+1+skipped(s.toks, i, j) {
						break // no party there in the source: the brief adds one ("the CMA's case" for "the case")
					}
					same := false
					for _, f := range s.toks[i+1 : j] {
						if f.lower == name || slotPronouns[f.lower] || strings.Contains(f.lower, name) {
							same = true
						}
					}
					if same {
						return "", "", nil, false // the source has this party here
					}
					// a possessor's slot is filled by a possessor ("Verisol's
					// launch"), not by a modifier ("tax cases")
					if cand == "" && (!m.poss || s.toks[j-1].poss) {
						cand, candDoc = quoteToks(s, i, j), dd
					}
					break
				}
			}
		}
	}
	if cand == "" && !left.stop && l == m.first-1-skipped(toks, l, m.first) {
		// The object of the same verb: "rejecting the Tribunal's claim"
		// where the source says "rejected Cheung's explanation".
		for _, dd := range docs {
			for _, s := range dd.sents {
				for i, t := range s.toks {
					if t.key != left.key || t.stop {
						continue
					}
					j := i + 1
					for j < len(s.toks) && slotSkip[s.toks[j].lower] {
						j++
					}
					if j >= len(s.toks) || s.toks[j].brk {
						continue
					}
					if s.toks[j].lower == name || slotPronouns[s.toks[j].lower] || strings.Contains(s.toks[j].lower, name) {
						return "", "", nil, false
					}
					if s.toks[j].cap && !s.toks[j].stop && cand == "" {
						k := j
						for k+1 < len(s.toks) && s.toks[k+1].cap && !s.toks[k].poss && !s.toks[k+1].brk {
							k++
						}
						if m.poss == s.toks[k].poss {
							cand, candDoc = quoteToks(s, i, k), dd
						}
					}
				}
			}
		}
		if cand != "" {
			return sentencePhrase(toks, l, m.last), cand, candDoc, true
		}
	}
	if cand == "" {
		return "", "", nil, false
	}
	return sentencePhrase(toks, l, r), cand, candDoc, true
}

// sentencePhrase is the text of tokens i..j, rebuilt with single spaces.
func sentencePhrase(toks []token, i, j int) string {
	parts := make([]string, 0, j-i+1)
	for k := i; k <= j; k++ {
		w := toks[k].text
		if toks[k].poss {
			w += "'s"
		}
		parts = append(parts, w)
	}
	return strings.Join(parts, " ")
}

// skipped counts the slotSkip words between token l and token first.
func skipped(toks []token, l, first int) int {
	n := 0
	for k := l + 1; k < first; k++ {
		if slotSkip[toks[k].lower] {
			n++
		}
	}
	return n
}
