package fidelity

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEvaluatePublic(t *testing.T) {
	items, err := LoadPublic("testdata/public/small.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	r := EvaluatePublic(items, PublicOptions{Cut: "val", Seed: 7, Resamples: 200})
	if r.Skipped != 1 {
		t.Errorf("skipped %d rows, want 1 (the row without a document)", r.Skipped)
	}
	var all PublicScore
	for _, o := range r.Origin {
		all.N += o.N
		all.Inconsistent += o.Inconsistent
		all.Flagged += o.Flagged
	}
	if all.N != 3 || all.Inconsistent != 2 {
		t.Fatalf("scored %d summaries, %d inconsistent; want 3 val rows, 2 inconsistent", all.N, all.Inconsistent)
	}
	if all.Flagged != 2 {
		t.Errorf("flagged %d, want the 2 inconsistent summaries", all.Flagged)
	}
	for _, b := range r.Benchmark {
		if b.BalancedAcc.Value != 1 || b.BalancedAcc.Low > b.BalancedAcc.Value || b.BalancedAcc.High < b.BalancedAcc.Value {
			t.Errorf("%s: balanced accuracy %+v, want 1 within its interval", b.Group, b.BalancedAcc)
		}
	}
	var buf bytes.Buffer
	r.WriteTable(&buf, true)
	for _, want := range []string{"team cnndm", "intrinsic-entity", "number-mismatch", "unsupported-entity"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, buf.String())
		}
	}
	// Same seed, same intervals.
	r2 := EvaluatePublic(items, PublicOptions{Cut: "val", Seed: 7, Resamples: 200})
	if r2.Origin[0].Recall != r.Origin[0].Recall {
		t.Errorf("bootstrap not reproducible: %+v vs %+v", r.Origin[0].Recall, r2.Origin[0].Recall)
	}
}

func TestReadPublicErrors(t *testing.T) {
	_, err := ReadPublic(strings.NewReader("{\"label\": 1}\n{\"label\": 3}\n"), "x.jsonl")
	if err == nil || !strings.Contains(err.Error(), "x.jsonl:2") {
		t.Errorf("err = %v, want one naming x.jsonl:2", err)
	}
	_, err = ReadPublic(strings.NewReader("{\"label\": 1}\nnot json\n"), "y.jsonl")
	if err == nil || !strings.Contains(err.Error(), "y.jsonl:2") {
		t.Errorf("err = %v, want one naming y.jsonl:2", err)
	}
}

// A control variant (no labels file, or no findings) is all clean paragraphs.
func TestEvaluateControls(t *testing.T) {
	root := t.TempDir()
	src := "testdata/eval/01-halcyon-fine"
	dir := filepath.Join(root, "01-case")
	for _, d := range []string{"sources", "variants"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	copyFile := func(from, to string) {
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyFile(filepath.Join(src, "brief.txt"), filepath.Join(dir, "brief.txt"))
	for _, n := range []string{"1.txt", "2.txt", "3.txt"} {
		copyFile(filepath.Join(src, "sources", n), filepath.Join(dir, "sources", n))
	}
	copyFile(filepath.Join(src, "brief.txt"), filepath.Join(dir, "variants", "c01.txt"))
	copyFile(filepath.Join(src, "variants", "gen-number-mismatch.txt"), filepath.Join(dir, "variants", "c02.txt"))
	if err := os.WriteFile(filepath.Join(dir, "variants", "c02.json"), []byte(`{"findings": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	cases, err := LoadCases(root)
	if err != nil {
		t.Fatal(err)
	}
	r := Evaluate(cases)
	if r.Controls != 2 {
		t.Fatalf("controls = %d, want 2", r.Controls)
	}
	paras := 0
	for _, s := range cases[0].Brief.Sections {
		paras += len(s.Paragraphs)
	}
	if r.CleanParagraphs != 3*paras {
		t.Errorf("clean paragraphs = %d, want %d (brief and two controls)", r.CleanParagraphs, 3*paras)
	}
	// c02 carries a changed figure although it claims none: it is a false flag.
	if r.FalselyFlagged != 1 || r.FalseFlags[0].Variant != "c02" {
		t.Errorf("false flags = %d %+v, want the one paragraph of c02", r.FalselyFlagged, r.FalseFlags)
	}
}

func FuzzReadPublic(f *testing.F) {
	data, _ := os.ReadFile("testdata/public/small.jsonl")
	f.Add(string(data))
	f.Add("{\"label\": 2}\n")
	f.Add("\n\n{}")
	f.Fuzz(func(t *testing.T, in string) {
		items, err := ReadPublic(strings.NewReader(in), "f.jsonl")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.jsonl:") {
				t.Fatalf("error %q does not say where", err)
			}
			return
		}
		for _, it := range items {
			if it.Label != nil && *it.Label != 0 && *it.Label != 1 {
				t.Fatalf("label %d accepted", *it.Label)
			}
		}
		EvaluatePublic(items, PublicOptions{Resamples: 10})
	})
}

func TestFitScore(t *testing.T) {
	var items []PublicItem
	one, zero := 1, 0
	for i := range 30 {
		doc := fmt.Sprintf("The Harlow council approved a budget of %d million pounds on Tuesday. The mayor said the money would repair %d bridges.", 10+i, 2+i%5)
		items = append(items,
			PublicItem{Cut: "val", Doc: doc, Summary: fmt.Sprintf("The Harlow council approved a budget of %d million pounds.", 10+i), Label: &one},
			PublicItem{Cut: "val", Doc: doc, Summary: fmt.Sprintf("The Harlow council approved a budget of %d million pounds.", 50+i), Label: &zero},
			PublicItem{Cut: "test", Doc: doc, Summary: "Nothing here counts.", Label: &zero})
	}
	w, n, err := FitScore(items, "val")
	if err != nil {
		t.Fatal(err)
	}
	if n != 60 {
		t.Errorf("fitted on %d summaries, want the 60 of the val cut", n)
	}
	if w.Errs >= 0 {
		t.Errorf("errors weigh %v, want a negative weight: they mark the inconsistent summaries", w.Errs)
	}
	if w2, _, _ := FitScore(items, "val"); w2 != w {
		t.Errorf("fit not deterministic: %+v then %+v", w, w2)
	}
	var buf bytes.Buffer
	if err := WriteScoreWeights(&buf, w, "a test"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "var scoreWeights = ScoreWeights{Bias: ") || !strings.HasPrefix(buf.String(), "// Code generated") {
		t.Errorf("generated source:\n%s", buf.String())
	}
	if _, _, err := FitScore(items[:10], "val"); err == nil {
		t.Error("fitted on too few summaries")
	}
}
