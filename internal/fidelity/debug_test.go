package fidelity

import (
	"fmt"
	"os"
	"testing"
)

// TestDebugAlign prints the alignment of one sentence: FIDELITY_DEBUG=case:sentence-substring
func TestDebugAlign(t *testing.T) {
	spec := os.Getenv("FIDELITY_DEBUG")
	if spec == "" {
		t.Skip()
	}
	var caseName, sub string
	fmt.Sscanf(spec, "%s", &caseName)
	for i := range spec {
		if spec[i] == ':' {
			caseName, sub = spec[:i], spec[i+1:]
			break
		}
	}
	c, err := LoadCase("testdata/eval/" + caseName)
	if err != nil {
		t.Fatal(err)
	}
	ch := newChecker(c.Brief, c.Sources)
	for _, sec := range c.Brief.Sections {
		for _, p := range sec.Paragraphs {
			if sub != "" && !containsStr(p.Text, sub) {
				continue
			}
			toks := tokenize(p.Text)
			keys := contentKeys(toks)
			var docs []*doc
			for _, n := range p.Citations() {
				docs = append(docs, ch.docs[n])
			}
			qs, ds := extractFigures(p.Text, toks)
			w := ch.align(claim{keys, qs, ds}, docs)
			t.Logf("keys %v\nbest %d [%d,%d) cov %.2f: %s", keys, w.n(), w.lo, w.hi, w.cov, w.text())
			t.Logf("window keys %v", w.keys())
			t.Logf("mentions %+v", mentions(toks, ch.isCommon, ch.isCapitalised))
		}
	}
}

func containsStr(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
