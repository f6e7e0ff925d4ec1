package fidelity

import (
	"strings"
	"unicode"
)

// These checks need no source: they catch what a careless machine
// paraphrase does to a sentence on its own, such as "Russia's invasion of
// Russia" (one entity in both roles of a relation) and "exclude or exclude"
// (a coordination collapsed into one word twice).

// relationPreps join the two roles of a relational noun: "X's invasion of Y".
var relationPreps = setOf("of", "against", "on", "into", "by", "over", "with", "from", "toward", "towards", "upon")

// relationalNouns name a relation between two parties: "the merger of X
// and Y".
var relationalNouns = setOf("merger", "combination", "dispute", "conflict", "war", "talks",
	"relations", "deal", "agreement", "match", "case", "rivalry", "negotiations", "litigation", "tie-up")

// relationVerbs take their subject and object in two roles: "X sued Y".
var relationVerbs = setOf("invaded", "invades", "invade", "attacked", "attacks", "sued", "sues",
	"sanctioned", "sanctions", "annexed", "annexes", "defeated", "defeats", "beat", "fined", "fines",
	"acquired", "acquires", "bought", "buys", "accused", "accuses", "v", "vs", "versus", "against",
	"invading", "attacking", "suing", "sanctioning", "annexing", "acquiring", "overtook", "replaced", "replaces")

// selfRefPhrase returns the words of the first self-reference in toks, if
// any.
func selfReference(s string, toks []token, ms []mention) (string, bool) {
	// Canonical key of each mention, with aliases (Russian = Russia) but
	// not metonyms (Moscow is not Russia for this purpose).
	key := func(m mention) string { return strings.Join(m.keys, " ") }
	for a := 0; a < len(ms); a++ {
		for b := a + 1; b < len(ms); b++ {
			ma, mb := ms[a], ms[b]
			if key(ma) != key(mb) || mb.first-ma.last > 7 {
				continue
			}
			if mb.poss || punctuated(s, toks, ma.last, mb.first) {
				// "Germany's view of Germany's role" is about a thing of
				// Germany's, not Germany in two roles.
				continue
			}
			between := toks[ma.last+1 : mb.first]
			// "between X and X"
			if ma.first > 0 && toks[ma.first-1].lower == "between" && len(between) == 1 && between[0].lower == "and" {
				return s[toks[ma.first-1].start:toks[mb.last].end], true
			}
			// "the merger of X and X", "talks of X and X"
			if ma.first >= 2 && toks[ma.first-1].lower == "of" && relationalNouns[toks[ma.first-2].lower] && len(between) == 1 && between[0].lower == "and" {
				return s[toks[ma.first-2].start:toks[mb.last].end], true
			}
			// "X v. X", "X sued X", "X has sued the X"
			for len(between) > 1 && auxiliaries[between[0].lower] {
				between = between[1:]
			}
			if n := len(between); n >= 1 && n <= 2 && relationVerbs[between[0].lower] && (n == 1 || between[1].lower == "the") {
				return s[toks[ma.first].start:toks[mb.last].end], true
			}
			// "X's [adj] invasion of X", "Russian invasion of Russia",
			// "invasion of X by X"
			if len(between) >= 1 && len(between) <= 5 {
				last := between[len(between)-1].lower
				if last == "the" && len(between) >= 2 {
					last = between[len(between)-2].lower
				}
				adjectival := ma.poss || isDemonymOf(toks[ma.last].lower, ma.keys)
				if relationPreps[last] && adjectival && len(between) >= 2 && !hasClauseBreak(between) {
					return s[toks[ma.first].start:toks[mb.last].end], true
				}
				if last == "by" && len(between) == 1 && ma.first >= 2 && relationPreps[toks[ma.first-1].lower] {
					return s[toks[ma.first-2].start:toks[mb.last].end], true
				}
			}
		}
	}
	return "", false
}

// isDemonymOf reports an adjectival form such as "Russian" (key russia):
// the word differs from the key it folds to.
func isDemonymOf(lower string, keys []string) bool {
	return len(keys) == 1 && aliases[lower] == keys[0] && lower != keys[0] && !strings.Contains(lower, ".") && lower != "us" && lower != "uk" && lower != "eu"
}

func hasClauseBreak(ts []token) bool {
	for _, t := range ts {
		switch t.lower {
		case "and", "or", "but", "while", "which", "who", "that", "because", "after", "before", "when":
			return true
		}
	}
	return false
}

// punctuated reports a comma, semicolon or similar between token a and b.
func punctuated(s string, toks []token, a, b int) bool {
	for i := a; i < b; i++ {
		gap := s[toks[i].end:toks[i+1].start]
		if strings.ContainsAny(gap, ",;:()—–") {
			return true
		}
	}
	return false
}

// Pairs that legitimately repeat around a conjunction: "more and more",
// "again and again", "over and over", "on and on".
var repeatOK = setOf("more", "less", "again", "over", "on", "round", "through", "by", "so",
	"better", "worse", "bigger", "smaller", "higher", "lower", "faster", "slower", "years",
	"months", "weeks", "days", "hours", "miles", "time", "out", "up", "down", "back", "far",
	"further", "longer", "deeper", "closer", "louder", "fewer", "greater", "wider", "stronger",
	"weaker", "harder", "easier", "larger", "richer", "poorer", "bit", "little", "step", "side", "one")

// Words that may legitimately be doubled: "had had", "that that".
var doubleOK = setOf("had", "that", "is", "do", "very", "bye", "no", "yes", "ha", "knock", "tut", "so", "ne", "blah")

// repeatedWord returns the repeated phrase, if any: "exclude or exclude",
// "the the".
func repeatedWord(s string, toks []token) (string, bool) {
	for i := 0; i+1 < len(toks); i++ {
		a, b := toks[i], toks[i+1]
		if a.num || !isWordy(a.lower) {
			continue
		}
		gap := s[a.end:b.start]
		if a.lower == b.lower && strings.TrimSpace(gap) == "" && !doubleOK[a.lower] && !a.poss && !(a.cap && b.cap && !a.stop) {
			return s[a.start:b.end], true
		}
		if i+2 < len(toks) && (b.lower == "or" || b.lower == "and" || b.lower == "nor" || b.lower == "and/or") {
			c := toks[i+2]
			if strings.TrimSpace(gap) != "" || strings.TrimSpace(s[b.end:c.start]) != "" {
				continue
			}
			if a.stop || a.poss != c.poss {
				continue
			}
			same := a.lower == c.lower || len(a.lower) > 4 && a.key == c.key
			if !same {
				continue
			}
			if b.lower == "and" && (repeatOK[a.lower] || strings.HasSuffix(a.lower, "er")) {
				continue
			}
			return s[a.start:c.end], true
		}
	}
	return "", false
}

func isWordy(w string) bool {
	for _, r := range w {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}
