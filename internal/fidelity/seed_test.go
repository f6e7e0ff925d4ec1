package fidelity

import (
	"os"
	"strings"
	"testing"

	"legists/internal/brief"
)

const seedPath = "../../../shared/seeds/the-nato-stalemate.txt"

func loadSeed(t testing.TB) *brief.Brief {
	t.Helper()
	f, err := os.Open(seedPath)
	if err != nil {
		t.Skip("seed not present:", err)
	}
	defer f.Close()
	b, err := brief.ParseFile(seedPath, f)
	if err != nil {
		t.Fatalf("parse seed: %v", err)
	}
	return b
}

func hasFinding(r Report, kind string, sec, par int, sub string) bool {
	for _, f := range r.Findings {
		if f.Kind == kind && f.Section == sec && f.Paragraph == par && (sub == "" || strings.Contains(f.Message+f.Sentence, sub)) {
			return true
		}
	}
	return false
}

func TestSeedSourceFree(t *testing.T) {
	b := loadSeed(t)
	r := Check(b, nil)
	for _, f := range r.Findings {
		t.Logf("%s %s s%d p%d c%d: %s | %s", f.Severity, f.Kind, f.Section, f.Paragraph, f.Citation, f.Message, f.Sentence)
	}
	if !hasFinding(r, KindSelfReference, 0, 0, "invasion of Russia") {
		t.Errorf("self-reference on %q not found", "Russia's dangerous invasion of Russia")
	}
	if !hasFinding(r, KindRepeatedWord, 2, 0, "exclude or exclude") {
		t.Errorf("repeated-word on %q not found", "exclude or exclude")
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
}
