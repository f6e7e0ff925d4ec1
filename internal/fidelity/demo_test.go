package fidelity

import (
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The demo content (internal/demo/content) is a second, independent set of
// careful, faithful briefs with their archived sources: clean controls the
// checker was not tuned on. Every source file there opens with a metadata
// header (Title:, URL:, Publisher:, Published:), which the check must skip.
const demoRoot = "../demo/content"

// loadDemoCases reads every demo brief and its sources as evaluation cases
// without variants.
func loadDemoCases(t testing.TB) []Case {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(demoRoot, "briefs", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no demo briefs under %s", demoRoot)
	}
	var cases []Case
	for _, f := range files {
		slug := strings.TrimSuffix(filepath.Base(f), ".txt")
		b, err := parseBriefFile(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		src, err := LoadSources(filepath.Join(demoRoot, "sources", slug))
		if err != nil {
			t.Fatalf("%s: sources: %v", slug, err)
		}
		if len(src) == 0 {
			t.Fatalf("%s: no sources", slug)
		}
		cases = append(cases, Case{Name: slug, Brief: b, Sources: src})
	}
	return cases
}

// TestDemoClean: the demo briefs are faithful to their sources, so the
// check must raise no error on any of them. Warnings are allowed and
// counted.
func TestDemoClean(t *testing.T) {
	cases := loadDemoCases(t)
	paragraphs, warnings := 0, 0
	for _, c := range cases {
		for _, sec := range c.Brief.Sections {
			paragraphs += len(sec.Paragraphs)
		}
		r := Check(c.Brief, c.Sources)
		for _, f := range r.Findings {
			if f.Severity == SeverityError {
				t.Errorf("%s s%d p%d: false %s: %s | %s", c.Name, f.Section, f.Paragraph, f.Kind, f.Message, f.Sentence)
				continue
			}
			warnings++
			t.Logf("%s s%d p%d: warning %s: %s", c.Name, f.Section, f.Paragraph, f.Kind, f.Message)
		}
	}
	t.Logf("demo set: %d briefs, %d paragraphs, %d warnings", len(cases), paragraphs, warnings)
}

// TestDemoInjected injects one error of each kind into every demo brief
// with the evaluation set's generator and checks that they are caught: the
// fixes that keep the demo clean must not blind the checker on it.
func TestDemoInjected(t *testing.T) {
	cases := loadDemoCases(t)
	for i, c := range cases {
		others := append(append([]Case{}, cases[:i]...), cases[i+1:]...)
		cases[i].Variants = Generate(c, others)
	}
	r := Evaluate(cases)
	var sb strings.Builder
	r.WriteTable(&sb, true)
	t.Log("\n" + sb.String())
	for _, k := range r.Kinds {
		// Below five injections a single miss says little about recall.
		if k.Injected >= 5 && k.Recall < 0.9 {
			t.Errorf("recall on %s over the demo set is %.3f (%d of %d), want >= 0.9", k.Kind, k.Recall, k.Found, k.Injected)
		}
	}
	if r.FalselyFlagged > 0 {
		t.Errorf("%d clean demo paragraphs flagged", r.FalselyFlagged)
	}
}

// TestCheckConcurrent checks the demo briefs from several goroutines at
// once: prepared sources are shared between checks through the cache, and
// must be only read (run with -race).
func TestCheckConcurrent(t *testing.T) {
	cases := loadDemoCases(t)
	resetDocCache()
	want := make([]int, len(cases))
	for i, c := range cases {
		want[i] = len(Check(c.Brief, c.Sources).Findings)
	}
	resetDocCache()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for k := range cases {
				i := (k + g*5) % len(cases)
				if got := len(Check(cases[i].Brief, cases[i].Sources).Findings); got != want[i] {
					t.Errorf("%s: %d findings in a concurrent check, %d alone", cases[i].Name, got, want[i])
				}
			}
		})
	}
	wg.Wait()
}
