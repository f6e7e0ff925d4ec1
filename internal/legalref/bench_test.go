package legalref_test

import (
	"strings"
	"testing"

	"legists/internal/legalref"
	"legists/internal/store/storetest"
)

// briefTexts are the texts Find reads when a brief is saved: each
// generated brief's paragraphs joined as Paragraphs joins them.
func briefTexts(n int, seed uint64) []string {
	var out []string
	for _, b := range storetest.GenerateBriefs(n, seed) {
		out = append(out, strings.Join(legalref.Texts(b.Sections), "\n\n"))
	}
	return out
}

// BenchmarkFind is Find over the texts of 200 generated briefs, the work
// of saving them (store.SaveBriefs → legalref.Index → Find).
func BenchmarkFind(b *testing.B) {
	texts := briefTexts(200, 7)
	n := 0
	for _, t := range texts {
		n += len(t)
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for b.Loop() {
		for _, t := range texts {
			legalref.Find(t)
		}
	}
}

// BenchmarkFindEval is Find over the annotated documents of testdata,
// denser in references than generated briefs.
func BenchmarkFindEval(b *testing.B) {
	var texts []string
	n := 0
	for _, dir := range []string{"testdata/dev", "testdata/val"} {
		docs, err := legalref.LoadEvalSet(dir)
		if err != nil {
			b.Fatal(err)
		}
		for _, d := range docs {
			texts = append(texts, d.Text)
			n += len(d.Text)
		}
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for b.Loop() {
		for _, t := range texts {
			legalref.Find(t)
		}
	}
}
