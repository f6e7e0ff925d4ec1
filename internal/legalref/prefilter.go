package legalref

// Prefilters: most of Find's time went to running some eighty regular
// expressions over every text, most of which cannot match it at all. Each
// whole-text search now first checks a cheap necessary condition of its
// expression — literals at least one of which is in every match — and
// skips the search when the text has none of them; the words that say
// which country a text is about are counted by a literal scan that finds
// exactly what their expressions find. Nothing found changes: with
// prefilter false (the tests flip it) every expression runs as before, and
// TestPrefilterSame and FuzzPrefilterSame require the same references.

import (
	"regexp"
	"regexp/syntax"
	"strings"
)

// prefilter turns the prefilters on; the equivalence tests turn it off to
// get the answer of the expressions alone.
var prefilter = true

// anyOf reports whether text holds at least one of lits.
func anyOf(text string, lits ...string) bool {
	for _, l := range lits {
		if strings.Contains(text, l) {
			return true
		}
	}
	return false
}

// findAll is re.FindAllStringIndex(t, -1), skipped (nil) when possible, a
// necessary condition of a match in t, is false.
func findAll(re *regexp.Regexp, t string, possible bool) [][]int {
	if prefilter && !possible {
		return nil
	}
	return re.FindAllStringIndex(t, -1)
}

// findAllSub is re.FindAllStringSubmatchIndex(t, -1), skipped (nil) when
// possible, a necessary condition of a match in t, is false.
func findAllSub(re *regexp.Regexp, t string, possible bool) [][]int {
	if prefilter && !possible {
		return nil
	}
	return re.FindAllStringSubmatchIndex(t, -1)
}

func isSpaceByte(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\f' || b == '\r' // \s of Go's regexp
}

// dotted reports whether t holds the letters of abbr, each but the first
// after an optional "." and then an optional \s: "U.S.C", "US C", "CFR".
// It is the necessary core `U\.?\s?S\.?\s?C` of uscRe and `C\.?\s?F\.?\s?R`
// of cfrRe.
func dotted(t, abbr string) bool {
	for i := 0; ; {
		k := strings.IndexByte(t[i:], abbr[0])
		if k < 0 {
			return false
		}
		i += k + 1
		j, ok := i, true
		for n := 1; n < len(abbr) && ok; n++ {
			if j < len(t) && t[j] == '.' {
				j++
			}
			if j < len(t) && isSpaceByte(t[j]) && j+1 < len(t) && t[j+1] == abbr[n] {
				j++
			}
			ok = j < len(t) && t[j] == abbr[n]
			j++
		}
		if ok {
			return true
		}
	}
}

// caseV reports whether t holds `\sv\.?\s`, a "v" alone between spaces
// (or "v." before one): the necessary core `\s+v\.?\s+` of caseNmRe.
func caseV(t string) bool {
	for i := 1; i+1 < len(t); i++ {
		k := strings.IndexByte(t[i:len(t)-1], 'v')
		if k < 0 {
			return false
		}
		i += k
		if !isSpaceByte(t[i-1]) {
			continue
		}
		if isSpaceByte(t[i+1]) || t[i+1] == '.' && i+2 < len(t) && isSpaceByte(t[i+2]) {
			return true
		}
	}
	return false
}

// --- Signals counted without their expressions.

// wordSet is a signal expression `\b(?:A|B|…)\b` whose alternatives are
// finitely many literals, as the list of those literals in the order the
// expression prefers them.
type wordSet struct {
	words  []string
	byByte [256][]string // words by their first byte, in order
}

// asciiWord is \w of Go's regexp for one byte: a byte of a multi-byte
// character is never part of an ASCII word character.
func asciiWord(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// boundary is \b at i in t.
func boundary(t string, i int) bool {
	before := i > 0 && asciiWord(t[i-1])
	after := i < len(t) && asciiWord(t[i])
	return before != after
}

// count is len(re.FindAllStringIndex(t, -1)) for the expression the set
// was made of: from each place, the leftmost position at a boundary where
// one of the words (the first in the expression's order) is followed by a
// boundary; the next search starts where that match ends. Every word
// starts with an ASCII letter, which is never inside a multi-byte
// character, so trying every byte tries every position the expression
// tries.
func (w *wordSet) count(t string) int {
	n := 0
	for i := 0; i < len(t); {
		cands := w.byByte[t[i]]
		if cands == nil || i > 0 && asciiWord(t[i-1]) {
			i++
			continue
		}
		matched := false
		for _, c := range cands {
			if strings.HasPrefix(t[i:], c) && boundary(t, i+len(c)) {
				n++
				i += len(c)
				matched = true
				break
			}
		}
		if !matched {
			i++
		}
	}
	return n
}

// newWordSet expands re, which must be `\b(?:…)\b` over literals, into
// its words; ok is false for anything else.
func newWordSet(re *regexp.Regexp) (*wordSet, bool) {
	p, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil || p.Op != syntax.OpConcat || len(p.Sub) < 3 || p.Sub[0].Op != syntax.OpWordBoundary || p.Sub[len(p.Sub)-1].Op != syntax.OpWordBoundary {
		return nil, false
	}
	// The parser factors common prefixes out of the alternation: what lies
	// between the two \b is a concatenation.
	words, ok := expand(&syntax.Regexp{Op: syntax.OpConcat, Sub: p.Sub[1 : len(p.Sub)-1]})
	if !ok {
		return nil, false
	}
	w := &wordSet{words: words}
	for _, s := range words {
		if s == "" || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') {
			return nil, false
		}
		w.byByte[s[0]] = append(w.byByte[s[0]], s)
	}
	return w, true
}

// expand lists the strings a finite expression matches, in the order a
// leftmost-first matcher tries them.
func expand(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return nil, false
		}
		return []string{string(re.Rune)}, true
	case syntax.OpEmptyMatch:
		return []string{""}, true
	case syntax.OpCapture:
		return expand(re.Sub[0])
	case syntax.OpCharClass:
		// A class matches one character: its members are all the same
		// length in characters, and at most one matches at a place.
		var out []string
		for k := 0; k+1 < len(re.Rune); k += 2 {
			if re.Rune[k+1]-re.Rune[k] > 8 {
				return nil, false
			}
			for r := re.Rune[k]; r <= re.Rune[k+1]; r++ {
				out = append(out, string(r))
			}
		}
		return out, true
	case syntax.OpQuest:
		if re.Flags&syntax.NonGreedy != 0 {
			return nil, false
		}
		sub, ok := expand(re.Sub[0])
		return append(sub, ""), ok // greedy: with it first
	case syntax.OpAlternate:
		var out []string
		for _, s := range re.Sub {
			e, ok := expand(s)
			if !ok {
				return nil, false
			}
			out = append(out, e...)
		}
		return out, true
	case syntax.OpConcat:
		out := []string{""}
		for _, s := range re.Sub {
			e, ok := expand(s)
			if !ok {
				return nil, false
			}
			var next []string
			for _, a := range out {
				for _, b := range e {
					next = append(next, a+b)
				}
			}
			out = next
		}
		return out, true
	}
	return nil, false
}

// signalWords are the signals' expressions as word sets (nil for one that
// is not a set of literals: it runs as an expression).
var signalWords = func() []*wordSet {
	out := make([]*wordSet, len(signals))
	for i, sg := range signals {
		if w, ok := newWordSet(sg.re); ok {
			out[i] = w
		}
	}
	return out
}()

// signalCount is len(signals[i].re.FindAllStringIndex(text, -1)).
func signalCount(i int, text string) int {
	if prefilter && signalWords[i] != nil {
		return signalWords[i].count(text)
	}
	return len(signals[i].re.FindAllStringIndex(text, -1))
}
