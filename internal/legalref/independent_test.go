package legalref

import (
	"strings"
	"testing"
)

// TestIndependentSets scores the recogniser on the two sets annotated by
// people who had not read it (testdata/PROVENANCE.md) and prints the
// tables. It asserts only that every document loads and is scored: the
// figures are for reports, and the held-out set must never steer a change.
func TestIndependentSets(t *testing.T) {
	for _, dir := range []string{"testdata/val", "testdata/heldout"} {
		docs, err := LoadEvalSet(dir)
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		if len(docs) != 24 {
			t.Fatalf("%s: %d documents, want 24", dir, len(docs))
		}
		r := Evaluate(docs)
		var b strings.Builder
		r.WriteTable(&b, false)
		t.Logf("%s:\n%s", dir, b.String())
	}
}
