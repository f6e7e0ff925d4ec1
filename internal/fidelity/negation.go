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
	negated bool // a negation reaches it
	// open marks a word of an indirect question ("check whether funds
	// are made available"): the sentence neither asserts nor denies it.
	open bool
	// passive marks a participle after "be": its object is its subject
	// ("the appeal is allowed").
	passive bool
	// scoped marks a content word a negation reaches through the words
	// after the one it negates: in "declined to grant an order of
	// reinstatement" the order is denied with the grant.
	scoped bool
	text   string
	alts   []string // keys of the rest of a negated clause
	// ctxL and ctxR are the keys of the content words before and after
	// it: what it is about. They share one array per sentence.
	ctxL, ctxR []string
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
agree: agree, agreed, agrees, concur, concurred, concurring, concurs | disagree, disagreed, disagrees, dispute, disputed, dissent, dissented, dissents, dissenting
continue: continue, continues, continued, continuing, ongoing | ended, concluded, discontinued, halted
often: often, usually, frequently, commonly, typically, generally | rarely, seldom
include: include, included, includes, including | exclude, excluded, excludes, excluding
more: more, greater | fewer, less
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

// conceptFamily groups the concepts of a decision's outcome: to approve,
// to allow and to uphold a thing all say it succeeded.
var conceptFamily = map[string]string{"approve": "outcome", "allow": "outcome", "uphold": "outcome"}

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
var negativeVerbs = setOf("fail", "failed", "fails", "failing", "failure", "failures", "refuse", "refused", "refuses",
	"refusing", "decline", "declined", "declines", "lack", "lacked", "lacks", "lacking",
	"escape", "escaped", "escapes", "avoid", "avoided", "avoids", "evade", "evaded", "spared")

// directNegators negate their object without an infinitive: "lacked
// safeguards", "escaped a fine".
// "In the absence of X" sets a condition; it does not deny X.
var directNegators = setOf("lack", "lacked", "lacks", "lacking", "escape", "escaped",
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
	// "outside the sample" says "not in the sample": the preposition
	// before a determined noun phrase, never the adjective of "outside
	// counsel".
	if t.lower == "outside" && i+1 < len(toks) && determiners[toks[i+1].lower] {
		return true
	}
	// "never before blocked a merger" reports a first: the thing happens
	// now, which is what "the first merger it has blocked" says.
	if t.lower == "never" && i+1 < len(toks) && toks[i+1].lower == "before" {
		return false
	}
	// "with no direct evidence" says "without direct evidence".
	if t.lower == "no" && i > 0 && toks[i-1].lower == "with" {
		return true
	}
	// "rather than X" and "instead of X" deny X as "and not X" does.
	if (t.lower == "rather" && i+1 < len(toks) && toks[i+1].lower == "than") || (t.lower == "instead" && i+1 < len(toks) && toks[i+1].lower == "of") {
		return true
	}
	return negators[t.lower] || strings.HasSuffix(t.lower, "n't") || strings.HasSuffix(t.lower, "n’t")
}

// barFrom returns the index of the "from" a bar verb at i governs
// ("banned the two men from"), or -1.
func barFrom(toks []token, i int) int {
	if !barVerbs[toks[i].lower] {
		return -1
	}
	for k := i + 1; k < len(toks) && k <= i+5 && !toks[k].brk; k++ {
		if toks[k].lower == "from" {
			// "from dealing" denies the dealing; "barred from public
			// contracts" is an exclusion, said as such by the source
			if k+1 < len(toks) && strings.HasSuffix(toks[k+1].lower, "ing") {
				return k
			}
			return -1
		}
		if toks[k].cap && !toks[k].stop && k > i+1 {
			break
		}
	}
	return -1
}

// barVerbs deny what they keep someone "from" doing.
var barVerbs = setOf("ban", "banned", "bans", "bar", "barred", "bars", "prohibit", "prohibited", "prohibits",
	"prevent", "prevented", "prevents", "preclude", "precluded", "disqualified", "restrained", "stopped")

// determiners open a noun phrase.
var determiners = setOf("the", "a", "an", "its", "their", "his", "her", "this", "that", "these", "those")

// openers start an indirect question or condition whose content the
// sentence does not assert: "check whether funds are made available".
var openers = setOf("whether")

// ctxWords is how many content words either side of a word make its
// neighbourhood: what the word is about ("reduced their fines", "price
// increases").
const ctxWords = 4

// occurrences lists the content words of a sentence with the polarity the
// sentence gives them: a lexicon word with its own ("rejected" is
// approve/-1), a plain word +1 unless a negation reaches it ("did not
// encrypt" is encrypt/-1). A negation reaches the first content word after
// it and, through "and"/"or", the next conjunct, never across clause
// punctuation: in "X is not a finding of breach, and Corvid said", Corvid
// is not denied.
func occurrences(toks []token) []polar {
	out := make([]polar, 0, len(toks)/2)
	var nb neighbourhoods
	negUntil := -1 // index of the token a pending negation applies to
	negAlso := -1  // and of its second conjunct, if any
	double := false
	openUntilBrk := false
	absentUntil := -1
	var scoped []bool
	var alts []string
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if isNegator(toks, i) && !(i+1 < len(toks) && toks[i+1].lower == "only") {
			// "had not failed to prove" asserts the proof: two negations.
			double = i == negUntil && !double
			negUntil, negAlso = -1, -1
			alts = alts[:0]
			// find the word it negates: the first content word after it,
			// in the same clause
			j := i + 1
			if toks[i].lower == "ruled" || toks[i].lower == "rule" || toks[i].lower == "rules" || toks[i].lower == "rather" || toks[i].lower == "instead" {
				j++ // "ruled out X", "rather than X", "instead of X"
			}
			for j < len(toks) && j <= i+5 && !toks[j].brk && (scopeSkip[toks[j].lower] || toks[j].stop && !isNegator(toks, j) || strings.HasSuffix(toks[j].lower, "ly") && !antonymHas(toks[j].lower)) {
				j++
			}
			if j < len(toks) && toks[j].brk {
				double = false
				continue // the clause ends before the negation finds its word
			}
			negUntil = j
			// The next content words of the clause: what the negation is
			// about when the verb it negates has no counterpart in the
			// source ("would not seek to set aside the award").
			for k := j + 1; k < len(toks) && k <= j+6 && len(alts) < 3; k++ {
				if toks[k].brk || auxiliaries[toks[k].lower] || toks[k].lower == "but" || toks[k].lower == "because" {
					break
				}
				if !toks[k].stop && !toks[k].num && len(toks[k].lower) > 2 {
					alts = append(alts, toks[k].key)
					if scoped == nil {
						scoped = make([]bool, len(toks))
					}
					scoped[k] = true
				}
			}
			// "lacked independent oversight and adequate safeguards": the
			// negation reaches the second conjunct too, in the same clause.
			for k := j + 1; k < len(toks) && k <= j+3 && !toks[k].brk; k++ {
				if toks[k].lower == "and" || toks[k].lower == "or" || toks[k].lower == "nor" {
					if k+1 < len(toks) && auxiliaries[toks[k+1].lower] {
						break // "had not encrypted it and had ignored": a new clause
					}
					m := k + 1
					for m < len(toks) && !toks[m].brk && (scopeSkip[toks[m].lower] || toks[m].stop) {
						m++
					}
					// Coordination joins like with like: "without
					// interpretation and attended by 60" joins a noun and a
					// participle, so "attended" starts a new predicate, and
					// "and which …" opens a relative clause.
					if m < len(toks) && !toks[m].brk && !relatives[toks[m].lower] && !strings.HasSuffix(toks[m].lower, "ly") &&
						verbForm(toks[m].lower) == verbForm(toks[j].lower) {
						negAlso = m
					}
					break
				}
			}
			continue
		}
		// "banned the two men from dealing" agrees with "may not deal";
		// it is weak evidence against a claim that they deal (the
		// subjects may differ), so the gerund is in a negation's reach,
		// not negated.
		if k := barFrom(toks, i); k > 0 {
			if scoped == nil {
				scoped = make([]bool, len(toks))
			}
			scoped[k+1] = true
		}
		if openers[t.lower] {
			openUntilBrk = true
		} else if t.brk {
			openUntilBrk = false
			absentUntil = -1
		}
		// "in the absence of direct evidence" neither asserts the evidence
		// nor denies it as the source's "with no direct evidence" or its
		// "there was direct evidence" would: what it governs is open.
		if t.lower == "absence" && i+1 < len(toks) && toks[i+1].lower == "of" {
			absentUntil = i + 5
		}
		// A capitalised word after another inside a sentence is part of a
		// name ("the Company Directors Disqualification Act"): it is not
		// the verb "act" nor any predicate.
		if t.cap && i > 0 && toks[i-1].cap && !toks[i-1].brk && !t.acronym {
			continue
		}
		// "no fewer than 15 claims" and "no more than 15" bound a
		// figure; they say nothing of more or fewer
		if (t.lower == "fewer" || t.lower == "less" || t.lower == "more") && i > 0 && toks[i-1].lower == "no" && i+1 < len(toks) && toks[i+1].lower == "than" {
			continue
		}
		p, lex := antonyms[t.lower]
		// Two-word entries of the lexicon: "set aside", "struck down".
		if i+1 < len(toks) && !toks[i+1].brk {
			if p2, ok := antonyms[t.lower+" "+toks[i+1].lower]; ok {
				p, lex = p2, true
				t.text = t.text + " " + toks[i+1].text
			}
		}
		if !lex {
			if t.stop || t.num || len(t.lower) < 3 {
				continue
			}
			p = polar{concept: t.key, pol: 1}
		}
		p.text = t.text
		p.open = openUntilBrk || i <= absentUntil
		p.scoped = scoped != nil && scoped[i] && !double
		if (i == negUntil || i == negAlso) && !double {
			p.pol = -p.pol
			p.negated = true
			p.text = "not " + p.text
			if i == negUntil {
				p.alts = slices.Clone(alts)
			}
		}
		if i == negUntil {
			double = false
		}
		if nb.at == nil {
			nb = newNeighbourhoods(toks)
		}
		p.ctxL, p.ctxR = nb.of(i)
		if passiveAt(toks, i) {
			p.ctxL = nb.clause(toks, i)
			p.passive = true
		}
		out = append(out, p)
	}
	return out
}

// relatives open a relative clause.
var relatives = setOf("which", "who", "whom", "whose", "that", "where")

// verbForm reports whether a word has the shape of a participle: a
// coordination rarely joins one to a noun.
func verbForm(w string) bool {
	return len(w) > 4 && (strings.HasSuffix(w, "ed") || strings.HasSuffix(w, "ing"))
}

// ctxWord reports a word that counts in a neighbourhood.
func ctxWord(t token) bool {
	return !t.stop && !t.num && (len(t.lower) >= 3 || t.acronym) && !negators[t.lower]
}

// neighbourhoods holds the content keys of a sentence in order, and for
// every token where it stands among them: the neighbourhood of a token is
// a pair of slices of one shared array.
type neighbourhoods struct {
	keys []string
	at   []int32 // index in keys of the token, or of the next content word
	self []bool  // the token is in keys
}

func newNeighbourhoods(toks []token) neighbourhoods {
	nb := neighbourhoods{keys: make([]string, 0, len(toks)), at: make([]int32, len(toks)), self: make([]bool, len(toks))}
	for i, t := range toks {
		nb.at[i] = int32(len(nb.keys))
		if ctxWord(t) {
			nb.keys = append(nb.keys, t.key)
			nb.self[i] = true
		}
	}
	return nb
}

// of returns the keys of the ctxWords content words before and after
// token i.
func (nb neighbourhoods) of(i int) (left, right []string) {
	p := int(nb.at[i])
	q := p
	if nb.self[i] {
		q++
	}
	e := min(len(nb.keys), q+ctxWords)
	return nb.keys[max(0, p-ctxWords):p:p], nb.keys[q:e:e]
}

// ctxOverlap reports whether two occurrences share a neighbour: the two
// words govern, or are governed by, the same thing.
func ctxOverlap(a, b *polar) bool {
	for _, as := range [2][]string{a.ctxL, a.ctxR} {
		for _, x := range as {
			for _, bs := range [2][]string{b.ctxL, b.ctxR} {
				for _, y := range bs {
					if similarKey(x, y) {
						return true
					}
				}
			}
		}
	}
	return false
}

// ctxShared counts the neighbours of a that are neighbours of b too.
func ctxShared(a, b *polar) int {
	n := 0
	for _, as := range [2][]string{a.ctxL, a.ctxR} {
		for _, x := range as {
			found := false
			for _, bs := range [2][]string{b.ctxL, b.ctxR} {
				for _, y := range bs {
					if similarKey(x, y) {
						found = true
					}
				}
			}
			if found {
				n++
			}
		}
	}
	return n
}

// objShared counts the words after a that also follow b: how much of
// what they govern is the same.
func objShared(a, b *polar) int {
	n := 0
	for _, x := range a.ctxR {
		for _, y := range b.ctxR {
			if similarKey(x, y) {
				n++
				break
			}
		}
	}
	return n
}

func antonymHas(w string) bool { _, ok := antonyms[w]; return ok }

// related reports whether two occurrences are of one concept: the same
// lexicon concept, or similar plain words.
func related(a, b *polar) bool {
	if a.lexical || b.lexical {
		if a.lexical && b.lexical && a.concept != b.concept && conceptFamily[a.concept] != "" && conceptFamily[a.concept] == conceptFamily[b.concept] {
			// "allowed the appeal" and "dismissed the appeal", "upheld
			// the claim" and "dismissed the claim": a court's verbs of
			// outcome are one concept when they govern the same object.
			return sameObject(a, b)
		}
		return a.lexical && b.lexical && a.concept == b.concept
	}
	return similarKey(a.concept, b.concept)
}

// polarityConflict returns a concept the claim gives one polarity where
// the aligned passage gives the same concept, about the same thing, only
// the other: "approved" against "rejected", "did not deploy" against
// "deployed", "deployed" against "did not deploy". "About the same thing"
// means the two words share a neighbour: "fines reduced" does not contradict
// "price increases". window is every occurrence of the aligned passage;
// supported reports whether some sentence of the cited sources gives an
// occurrence the claim's polarity about the same thing, which settles it.
func polarityConflict(claim []polar, passage [][]polar, supported func(polar) int) (polar, polar, bool) {
	window := func(yield func(*polar) bool) {
		for _, s := range passage {
			for k := range s {
				if !yield(&s[k]) {
					return
				}
			}
		}
	}
	for k := range claim {
		c := &claim[k]
		if !c.lexical && !c.negated || c.open {
			continue
		}
		var opposite *polar
		same, present := false, false
		for w := range window {
			if !related(c, w) {
				continue
			}
			present = true
			if w.open {
				continue
			}
			if !ctxOverlap(c, w) {
				continue
			}
			// A word inside the reach of a passage's negation is denied
			// with it: "declined to grant an order" denies the order.
			if w.pol == c.pol || c.pol < 0 && w.scoped {
				same = true
			} else if opposite == nil {
				opposite = w
			}
		}
		if same {
			continue
		}
		if opposite != nil {
			// The closer statement decides: a source sentence that gives
			// the claim's polarity supports it only when it is about the
			// claim's things at least as much as the opposite one is
			// ("the court found the plan had been approved" shares only
			// "court" with "the court granted the application", which
			// "the court rejected the application" contradicts).
			if supported(*c) < ctxShared(c, opposite) {
				return *c, *opposite, true
			}
			continue
		}
		if present || c.lexical || !c.negated {
			continue
		}
		// The negated word is not in the passage; what it is about is, and
		// the passage does not negate it.
		// When the passage denies any of them, it denies the same phrase
		// with other words ("without recourse to the dispute resolution
		// mechanism" for "without using the dispute resolution mechanism").
		asserted, denied := "", false
		for _, a := range c.alts {
			has := false
			for w := range window {
				if w.lexical || !similarKey(w.concept, a) {
					continue
				}
				has = true
				denied = denied || w.pol < 0 || w.scoped || w.open
			}
			if has && asserted == "" {
				asserted = a
			}
		}
		if asserted != "" && !denied && supported(*c) == 0 {
			return *c, polar{concept: asserted, pol: 1, text: asserted}, true
		}
	}
	// asserted is how closely the passage asserts c: the most words after
	// it (its object) an un-negated occurrence shares with the claim's, or
	// -1 when none shares a neighbour.
	asserted := func(c *polar) int {
		n := -1
		for o := range window {
			if !o.lexical && !o.negated && related(c, o) && ctxOverlap(c, o) {
				n = max(n, objShared(c, o))
			}
		}
		return n
	}
	for w := range window {
		if w.lexical || !w.negated || w.open {
			continue
		}
		negatedInClaim := false
		for _, c := range claim {
			if (c.lexical || c.negated) && similarKey(c.concept, w.concept) {
				negatedInClaim = true
			}
		}
		if negatedInClaim {
			continue
		}
		for k := range claim {
			c := &claim[k]
			if c.lexical || c.negated || c.scoped || c.open || !related(c, w) || !ctxOverlap(c, w) {
				continue
			}
			// The passage both asserts and denies it ("found a violation of
			// Article 8 … did not find a separate violation of Article
			// 10"): the closer statement decides.
			if a := asserted(c); a >= objShared(c, w) || a < 0 && supported(*c) > 0 {
				continue
			}
			return *c, *w, true
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
