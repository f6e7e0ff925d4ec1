package fidelity

import (
	"strings"
	"testing"
)

// TestIndependentSets scores the check on the two sets written by people
// who had not read it (testdata/PROVENANCE.md) and prints the tables. It
// asserts only that every case loads and is scored: the figures are for
// reports, and the held-out set must never steer a change.
func TestIndependentSets(t *testing.T) {
	for _, dir := range []string{"testdata/val", "testdata/heldout"} {
		cases, err := LoadCases(dir)
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		if len(cases) < 20 {
			t.Fatalf("%s: %d cases, want the whole set", dir, len(cases))
		}
		r := Evaluate(cases)
		var b strings.Builder
		r.WriteTable(&b, false)
		t.Logf("%s:\n%s", dir, b.String())
	}
}
