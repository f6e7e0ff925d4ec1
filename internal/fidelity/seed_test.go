package fidelity

import (
	"bytes"
	"strings"
	"testing"

	"legists/internal/brief"
	"legists/internal/seedtest"
)

func hasFinding(r Report, kind string, sec, par int, sub string) bool {
	for _, f := range r.Findings {
		if f.Kind == kind && f.Section == sec && f.Paragraph == par && (sub == "" || strings.Contains(f.Message+f.Sentence, sub)) {
			return true
		}
	}
	return false
}

// TestSeedSourceFree checks the team's fixture and, where ../shared is
// present, the seed: without sources, the checker finds exactly the two
// errors a reader spots ("X's invasion of X", "exclude or exclude").
func TestSeedSourceFree(t *testing.T) {
	for _, sd := range seedtest.All(t) {
		t.Run(sd.Name, func(t *testing.T) {
			b, err := brief.ParseFile(sd.Path, bytes.NewReader(sd.Read(t)))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			r := Check(b, nil)
			for _, f := range r.Findings {
				t.Logf("%s %s s%d p%d c%d: %s | %s", f.Severity, f.Kind, f.Section, f.Paragraph, f.Citation, f.Message, f.Sentence)
			}
			if !hasFinding(r, KindSelfReference, sd.SelfRefAt[0], sd.SelfRefAt[1], sd.SelfReference) {
				t.Errorf("self-reference on %q not found", sd.SelfReference)
			}
			if !hasFinding(r, KindRepeatedWord, sd.RepeatedAt[0], sd.RepeatedAt[1], sd.Repeated) {
				t.Errorf("repeated-word on %q not found", sd.Repeated)
			}
			n := 0
			for _, f := range r.Findings {
				if f.Kind == KindSelfReference || f.Kind == KindRepeatedWord {
					n++
				}
			}
			if n != 2 {
				t.Errorf("want exactly the two source-free errors, got %d", n)
			}
		})
	}
}
