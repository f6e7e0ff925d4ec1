package legalref

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestSignalWords: every signal is a set of words, and the word sets count
// what the expressions count.
func TestSignalWords(t *testing.T) {
	for i, sg := range signals {
		if signalWords[i] == nil {
			t.Fatalf("signal %s (%s) is not read as words", sg.jur, sg.re)
		}
	}
	var words []string
	for _, w := range signalWords {
		words = append(words, w.words...)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	glue := []string{" ", "", "_", "x", "1", ".", "’", "'", "s", "\xff", "é", "\n", "-"}
	for range 20000 {
		var b strings.Builder
		for range 1 + rng.IntN(8) {
			w := words[rng.IntN(len(words))]
			if rng.IntN(4) == 0 {
				w = w[:rng.IntN(len(w)+1)]
			}
			b.WriteString(glue[rng.IntN(len(glue))])
			b.WriteString(w)
			b.WriteString(glue[rng.IntN(len(glue))])
		}
		s := b.String()
		for i, sg := range signals {
			if got, want := signalWords[i].count(s), len(sg.re.FindAllStringIndex(s, -1)); got != want {
				t.Fatalf("signal %s on %q: %d words, the expression %d", sg.jur, s, got, want)
			}
		}
	}
}

// TestNecessaryCores: dotted and caseV hold on every match of the
// expressions they stand for.
func TestNecessaryCores(t *testing.T) {
	for _, s := range []string{"15 U.S.C. § 78", "15 U. S. C. 1", "15 USC 1", "15 U.\nS.\tC 1", "17 C.F.R. 240", "17 CFR 1", "17 C. F. R. § 1",
		"Smith v Jones", "Smith v. Jones", "Smith\nv\tJones", "A  v.  B"} {
		for _, re := range []struct {
			m    [][]int
			core bool
		}{{uscRe.FindAllStringIndex(s, -1), dotted(s, "USC")}, {cfrRe.FindAllStringIndex(s, -1), dotted(s, "CFR")}, {caseNmRe.FindAllStringIndex(s, -1), caseV(s)}} {
			if re.m != nil && !re.core {
				t.Fatalf("%q matches but its core is not found", s)
			}
		}
	}
	for _, s := range []string{"USA", "U.S.", "C-F-R", "vs", "v.v", " v.", "v "} {
		if dotted(s, "USC") || dotted(s, "CFR") || caseV(s) {
			t.Fatalf("%q: a core found where there is none", s)
		}
	}
}
