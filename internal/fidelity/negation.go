package fidelity

import (
	"slices"
	"strings"
)

// polar is a concept a sentence asserts (+1) or denies (-1): "rejected"
// is approve/-1, "did not approve" is approve/-1 as well, so the two agree
// while "approved" against "rejected" does not.
type polar struct {
	concept string
	pol     int
	lexical bool // the concept comes from the antonym lexicon
	text    string
	alts    []string // keys of the rest of a negated clause
}

// antonymTable: each line is "concept: positive words | negative words".
// Curated, small, and about what legal news asserts: who won, what was
// allowed, which way a figure moved, whether a court upheld.
var antonymTable = `
confirm: confirm, confirmed, confirms, confirming, confirmation, admit, admitted, admits, acknowledge, acknowledged | deny, denied, denies, denying, denial
approve: approve, approved, approves, approval, accept, accepted, accepts, endorse, endorsed, grant, granted, cleared, clearance, greenlight | reject, rejected, rejects, rejection, refuse, refused, refuses, refusal, dismiss, dismissed, dismisses, veto, vetoed, decline, declined, declines
increase: increase, increased, increases, rise, rose, risen, rises, raise, raised, raises, grow, grew, grown, grows, climb, climbed, jump, jumped, surge, surged, soar, soared, boost, boosted, expand, expanded | decrease, decreased, decreases, fall, fell, fallen, falls, drop, dropped, drops, cut, cuts, reduce, reduced, reduces, lowered, shrink, shrank, slump, slumped, plunge, plunged, slash, slashed, decline, declined
win: win, won, wins, winning, prevail, prevailed, victory, succeed, succeeded | lose, lost, loses, losing, defeat, defeated
allow: allow, allowed, allows, permit, permitted, permits, authorise, authorised, authorize, authorized, legalise, legalised, legalize, legalized, lift, lifted | ban, banned, bans, prohibit, prohibited, prohibits, forbid, forbade, forbidden, barred, outlaw, outlawed, block, blocked, blocks
guilty: guilty, convict, convicted, convicts, conviction | acquit, acquitted, acquits, acquittal, innocent
uphold: uphold, upheld, upholds, affirm, affirmed, affirms | overturn, overturned, overturns, reverse, reversed, reverses, quash, quashed, overrule, overruled, annul, annulled, vacate, vacated, strike down, struck down, set aside
support: support, supported, supports, favour, favoured, favor, favored | oppose, opposed, opposes
agree: agree, agreed, agrees | disagree, disagreed, disagrees, dispute, disputed
include: include, included, includes, including | exclude, excluded, excludes, excluding
more: more, greater, above | fewer, less, below
strengthen: strengthen, strengthened, tighten, tightened | weaken, weakened, loosen, loosened, relax, relaxed
comply: comply, complied, complies, compliance, compliant | breach, breached, breaches, violate, violated, violates, violation, infringe, infringed, infringes, infringement
join: join, joined, joins, accession | withdraw, withdrew, withdrawn, withdrawal, exit, exited, quit
success: success, successful, successfully | failure, unsuccessful, failed
legal: legal, lawful, legally, lawfully | illegal, unlawful, illegally, unlawfully, illicit
constitutional: constitutional | unconstitutional
valid: valid | invalid
likely: likely, probable | unlikely, improbable
able: able | unable
possible: possible | impossible
acceptable: acceptable | unacceptable
admissible: admissible | inadmissible
enforceable: enforceable | unenforceable
compatible: compatible | incompatible
fair: fair | unfair
proper: proper | improper
sufficient: sufficient, enough | insufficient
liable: liable | not-liable
binding: binding | non-binding
`

var antonyms = func() map[string]polar {
	m := map[string]polar{}
	for _, line := range strings.Split(antonymTable, "\n") {
		concept, rest, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		concept = strings.TrimSpace(concept)
		pos, neg, _ := strings.Cut(rest, "|")
		for _, w := range strings.Split(pos, ",") {
			m[strings.TrimSpace(w)] = polar{concept: concept, pol: 1, lexical: true}
		}
		for _, w := range strings.Split(neg, ",") {
			if _, dup := m[strings.TrimSpace(w)]; !dup {
				m[strings.TrimSpace(w)] = polar{concept: concept, pol: -1, lexical: true}
			}
		}
	}
	return m
}()

// negators flip the polarity of the next content word. "no" is left out on
// purpose: "no plans" against "denied any plans" is a paraphrase, and "no"
// negates nouns, which sources restate in too many ways.
var negators = setOf("not", "never", "cannot", "without", "neither", "nor", "n't", "no-longer")

// scopeSkip are words a negation passes over to reach what it negates:
// "did not immediately approve", "has not yet been upheld".
var scopeSkip = setOf("be", "been", "being", "is", "are", "was", "were", "have", "has", "had",
	"do", "does", "did", "yet", "ever", "also", "even", "immediately", "necessarily", "only",
	"just", "a", "an", "the", "any", "to", "always", "formally", "publicly", "so", "too", "very",
	"fully", "entirely", "been", "it", "they", "he", "she", "be", "will", "would", "should",
	"could", "can", "may", "might", "must", "shall", "longer", "still", "currently", "initially",
	"of", "than", "put", "make", "take", "provide", "give", "in", "place")

// negativeVerbs negate what follows when they take an infinitive or an
// object of absence: "failed to put adequate safeguards" says what
// "without adequate safeguards" says.
var negativeVerbs = setOf("fail", "failed", "fails", "failing", "refuse", "refused", "refuses",
	"refusing", "decline", "declined", "declines", "lack", "lacked", "lacks", "lacking", "absence",
	"escape", "escaped", "escapes", "avoid", "avoided", "avoids", "evade", "evaded", "spared")

// directNegators negate their object without an infinitive: "lacked
// safeguards", "escaped a fine".
var directNegators = setOf("lack", "lacked", "lacks", "lacking", "absence", "escape", "escaped",
	"escapes", "avoid", "avoided", "avoids", "evade", "evaded", "spared")

func isNegator(toks []token, i int) bool {
	t := toks[i]
	if negativeVerbs[t.lower] {
		return directNegators[t.lower] || i+1 < len(toks) && toks[i+1].lower == "to"
	}
	// "ruled out X" denies X.
	if (t.lower == "ruled" || t.lower == "rule" || t.lower == "rules") && i+1 < len(toks) && toks[i+1].lower == "out" {
		return true
	}
	// "rather than X" and "instead of X" deny X as "and not X" does.
	if (t.lower == "rather" && i+1 < len(toks) && toks[i+1].lower == "than") || (t.lower == "instead" && i+1 < len(toks) && toks[i+1].lower == "of") {
		return true
	}
	return negators[t.lower] || strings.HasSuffix(t.lower, "n't") || strings.HasSuffix(t.lower, "n’t")
}

// polarities lists what a sentence asserts and denies.
func polarities(toks []token) []polar {
	var out []polar
	negUntil := -1 // index of the token a pending negation applies to
	negAlso := -1  // and of its second conjunct, if any
	double := false
	var alts []string
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if isNegator(toks, i) && !(i+1 < len(toks) && toks[i+1].lower == "only") {
			// "had not failed to prove" asserts the proof: two negations.
			double = i == negUntil && !double
			// find the word it negates: the first content word after it
			j := i + 1
			if toks[i].lower == "ruled" || toks[i].lower == "rule" || toks[i].lower == "rules" || toks[i].lower == "rather" || toks[i].lower == "instead" {
				j++ // "ruled out X", "rather than X", "instead of X"
			}
			for j < len(toks) && j <= i+5 && (scopeSkip[toks[j].lower] || toks[j].stop && !isNegator(toks, j) || strings.HasSuffix(toks[j].lower, "ly") && !antonymHas(toks[j].lower)) {
				j++
			}
			negUntil = j
			negAlso = -1
			// The next content words of the clause: what the negation is
			// about when the verb it negates has no counterpart in the
			// source ("would not seek to set aside the award").
			alts = alts[:0]
			for k := j + 1; k < len(toks) && k <= j+6 && len(alts) < 3; k++ {
				if auxiliaries[toks[k].lower] || toks[k].lower == "but" || toks[k].lower == "because" {
					break
				}
				if !toks[k].stop && !toks[k].num && len(toks[k].lower) > 2 {
					alts = append(alts, toks[k].key)
				}
			}
			// "lacked independent oversight and adequate safeguards": the
			// negation reaches the second conjunct too.
			for k := j + 1; k < len(toks) && k <= j+3; k++ {
				if toks[k].lower == "and" || toks[k].lower == "or" || toks[k].lower == "nor" {
					if k+1 < len(toks) && auxiliaries[toks[k+1].lower] {
						break // "had not encrypted it and had ignored": a new clause
					}
					m := k + 1
					for m < len(toks) && (scopeSkip[toks[m].lower] || toks[m].stop) {
						m++
					}
					if m < len(toks) {
						negAlso = m
					}
					break
				}
			}
			continue
		}
		p, lex := antonyms[t.lower]
		if !lex {
			if t.stop || t.num || len(t.lower) < 3 {
				continue
			}
			p = polar{concept: t.key, pol: 1}
		}
		p.text = t.text
		if (i == negUntil || i == negAlso) && !double {
			p.pol = -p.pol
			p.text = "not " + p.text
			if i == negUntil {
				p.alts = slices.Clone(alts)
			}
		} else if !p.lexical {
			continue // plain words only matter when negated
		}
		if i == negUntil {
			double = false
		}
		out = append(out, p)
	}
	return out
}

func antonymHas(w string) bool { _, ok := antonyms[w]; return ok }

// polarityConflict returns a concept the claim asserts with one polarity
// while the aligned source passage gives it only the other: "approved"
// against "rejected", "did not deploy" against "deployed", "deployed"
// against "did not deploy".
func polarityConflict(claim []polar, claimKeys map[string]bool, window []polar, windowKeys map[string]bool) (polar, polar, bool) {
	for _, c := range claim {
		same, opposite := -1, -1
		for k, w := range window {
			if w.concept != c.concept && (c.lexical || w.lexical || !similarKey(w.concept, c.concept)) {
				continue
			}
			if w.pol == c.pol {
				same = k
			} else {
				opposite = k
			}
		}
		if opposite >= 0 && same < 0 {
			return c, window[opposite], true
		}
		if opposite < 0 && same < 0 && !c.lexical && c.pol < 0 {
			if hasSimilar(windowKeys, c.concept) {
				return c, polar{concept: c.concept, pol: 1, text: c.concept}, true
			}
			// The negated verb is not in the source; what it is about is,
			// and the source does not negate it.
			for _, a := range c.alts {
				if windowKeys[a] && !slices.ContainsFunc(window, func(w polar) bool { return similarKey(w.concept, a) && w.pol < 0 }) {
					return c, polar{concept: a, pol: 1, text: a}, true
				}
			}
		}
	}
	for _, w := range window {
		if w.lexical || w.pol > 0 || !hasSimilar(claimKeys, w.concept) {
			continue
		}
		negatedInClaim := false
		for _, c := range claim {
			if similarKey(c.concept, w.concept) {
				negatedInClaim = true
			}
		}
		if !negatedInClaim {
			return polar{concept: w.concept, pol: 1, text: w.concept}, w, true
		}
	}
	return polar{}, polar{}, false
}

// auxiliaries open a new verb phrase, which a negation does not reach.
var auxiliaries = setOf("had", "has", "have", "is", "are", "was", "were", "will", "would", "should",
	"could", "can", "may", "might", "must", "did", "does", "do", "said", "says", "then", "also")

// similarKey reports equal keys, or one extending the other.
func similarKey(a, b string) bool {
	return a == b || len(a) >= 4 && len(b) >= 4 && (strings.HasPrefix(a, b) || strings.HasPrefix(b, a))
}

// hasSimilar reports k in keys, or a key that k extends or that extends k
// by a suffix ("bail" and "bailout"): compounds and derivations the stemmer
// leaves apart.
func hasSimilar(keys map[string]bool, k string) bool {
	if keys[k] {
		return true
	}
	if len(k) < 4 {
		return false
	}
	for o := range keys {
		if len(o) >= 4 && (strings.HasPrefix(o, k) || strings.HasPrefix(k, o)) {
			return true
		}
	}
	return false
}
