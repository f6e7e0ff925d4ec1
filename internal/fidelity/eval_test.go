package fidelity

import (
	"os"
	"testing"
)

func TestEvaluation(t *testing.T) {
	cases, err := LoadCases("testdata/eval")
	if err != nil {
		t.Fatal(err)
	}
	r := Evaluate(cases)
	r.WriteTable(os.Stdout, testing.Verbose())
	for _, k := range r.Kinds {
		if k.Injected > 0 && k.Recall < 0.9 {
			t.Errorf("recall on %s is %.3f, want >= 0.9", k.Kind, k.Recall)
		}
	}
	if r.FalseFlagRate > 0.05 {
		t.Errorf("false flags on %.3f of clean paragraphs, want <= 0.05", r.FalseFlagRate)
	}
}
