package fidelity

import "strings"

// Self-references a careless paraphrase makes when it writes a name where
// the sentence already has it, beyond the relational patterns of
// selfReference: a possessor doubled ("the EU's EU sanctions", "Ireland's
// Irish regulator"), a possessor that is also the object of its own noun
// ("X's stake in X", "X's chief executive of X"), one party on both sides
// of a payment ("ordered X to pay X"), an appositive or relative clause
// about X that names X as its agent or object ("X, owed £2m by X"; "X,
// which took over the functions of X"), and a party appealing against
// itself. Each pattern is flagged only when no cited source writes the
// same phrase, so a source's own wording is never an error.

// headMatch reports whether mention b begins with the name of mention a
// (its keys, or a demonym of a one-word name: "Ireland" and "Irish"), and
// whether the two are the same name exactly.
func headMatch(toks []token, a, b mention) (match, exact bool) {
	if len(a.keys) == 0 || len(b.keys) < len(a.keys) {
		return false, false
	}
	same := true
	for i, k := range a.keys {
		if b.keys[i] != k {
			same = false
			break
		}
	}
	if same {
		return true, len(a.keys) == len(b.keys)
	}
	if len(a.keys) == 1 && isDemonymOf(toks[b.first].lower, a.keys) {
		return true, false
	}
	return false, false
}

// payVerbs move something from the subject of "to V" to its object: "X
// was ordered to pay Y".
var payVerbs = setOf("pay", "repay", "compensate", "reimburse", "refund", "indemnify", "sue")

// appealWords take the party appealed against: "an appeal against X".
var appealWords = setOf("appeal", "appeals", "appealed", "appealing", "challenge", "challenging")

// namePreps are prepositions whose object plays a role of the noun or
// verb before them.
var namePreps = setOf("of", "in", "to", "against", "by", "from", "over", "on")

// moreSelfReference returns the phrase of a self-reference of the kinds
// above, if any; srcHas reports whether a cited source writes a phrase.
func moreSelfReference(s string, toks []token, ms []mention, srcHas func(string) bool) (string, bool) {
	for a := 0; a < len(ms); a++ {
		for b := a + 1; b < len(ms); b++ {
			ma, mb := ms[a], ms[b]
			match, exact := headMatch(toks, ma, mb)
			if !match || mb.first-ma.last > 24 {
				continue
			}
			between := toks[ma.last+1 : mb.first]
			phrase := s[toks[ma.first].start:toks[mb.last].end]
			flag := func(p string) (string, bool) {
				if srcHas(p) {
					return "", false
				}
				return p, true
			}
			prep := ""
			if n := len(between); n > 0 {
				prep = between[n-1].lower
				if prep == "the" && n > 1 {
					prep = between[n-2].lower
				}
			}
			// "the EU's EU sanctions", "ASIC's fourth ASIC", "Germany's
			// German Federal Office": a possessor and, in its own noun
			// phrase, the same name. A longer name that merely begins
			// with the possessor ("Acme's Acme Bank") is a name in its own
			// right when a source writes it.
			if ma.poss && len(between) <= 2 && !punctuated(s, toks, ma.last, mb.first) && lowerModifiers(between) {
				if exact {
					return phrase, true
				}
				if !srcHas(mb.text) {
					return flag(phrase)
				}
				continue
			}
			// "X's stake in X", "X's chief executive of X", "X's grant of
			// judgment to X": the possessor of a noun is also the object
			// of the noun's preposition. A participle between ("X's appeal
			// of the fine imposed on X") opens a phrase with its own
			// agent.
			if ma.poss && !mb.poss && len(between) >= 2 && len(between) <= 9 && namePreps[prep] && !hasClauseBreak(between) && !hasParticiple(between) && !punctuated(s, toks, ma.last, mb.first) {
				return flag(phrase)
			}
			// "X said it would appeal against X": the subject of the
			// sentence appealing against itself, with no other party
			// named outside a clause set off by commas. A trading name
			// written with 's ("Harrow's said") is a subject too.
			if exact && ma.poss == mb.poss && appealWordBefore(between) && prep == "against" && subjectAt(toks, ma) && !otherPartyBetween(s, toks, ms, a, b) {
				return flag(phrase)
			}
			if ma.poss || mb.poss || !exact || mb.first-ma.last > 16 {
				continue
			}
			// "ordered X to pay X"
			if len(between) == 2 && between[0].lower == "to" && payVerbs[between[1].lower] {
				return flag(phrase)
			}
			// "X, owed £2m by X": an appositive participle about X whose
			// agent is X. "X, which took over the functions of X": a
			// relative clause about X names X again.
			if len(between) >= 2 && strings.HasPrefix(s[toks[ma.last].end:toks[ma.last+1].start], ",") && !punctuated(s, toks, ma.last+1, mb.first) {
				if participle(between[0].lower) && prep == "by" || relatives[between[0].lower] && namePreps[prep] {
					return flag(phrase)
				}
			}
		}
	}
	return "", false
}

// lowerModifiers reports words that may sit between a possessor and its
// noun: lower-case modifiers and figures ("fourth", "2023").
func lowerModifiers(ts []token) bool {
	for _, t := range ts {
		if t.cap || t.stop && !t.num {
			return false
		}
	}
	return true
}

func hasParticiple(ts []token) bool {
	for _, t := range ts {
		if verbForm(t.lower) {
			return true
		}
	}
	return false
}

func appealWordBefore(between []token) bool {
	n := len(between)
	return n >= 2 && appealWords[between[n-2].lower] || n >= 3 && between[n-1].lower == "the" && appealWords[between[n-3].lower]
}

// subjectAt reports a mention that opens the sentence or its clause: no
// preposition before it.
func subjectAt(toks []token, m mention) bool {
	i := m.first
	if i > 0 && toks[i-1].lower == "the" {
		i--
	}
	return i == 0 || toks[i-1].lower == "and" || toks[i-1].lower == "while" || toks[i-1].lower == "but"
}

// otherPartyBetween reports a mention between mentions a and b that is not
// inside a clause set off by commas ("X, which is owned by Y, said").
func otherPartyBetween(s string, toks []token, ms []mention, a, b int) bool {
	for k := a + 1; k < b; k++ {
		m := ms[k]
		inAside := punctuated(s, toks, ms[a].last, m.first) && punctuated(s, toks, m.last, ms[b].first) &&
			ms[a].last+1 < len(toks) && strings.HasPrefix(s[toks[ms[a].last].end:toks[ms[a].last+1].start], ",")
		if !inAside {
			return true
		}
	}
	return false
}

// participle reports the shape of a past participle: "owed", "fined".
func participle(w string) bool {
	return len(w) >= 4 && strings.HasSuffix(w, "ed")
}

// citedHave reports whether a cited source writes phrase, in any case.
func (c *checker) citedHave(cites []int, phrase string) bool {
	p := strings.ToLower(phrase)
	for _, n := range cites {
		if d, ok := c.docs[n]; ok && d.lowerText != "" && strings.Contains(d.lowerText, p) {
			return true
		}
	}
	return false
}
