package fidelity

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"legists/internal/brief"
)

var update = flag.Bool("update", false, "regenerate the injected variants of testdata/eval")

// TestGenerateEval writes the generated variants of every case with
// -update, and otherwise checks that the files on disk are what the
// generator makes: what is on disk stays deterministic.
func TestGenerateEval(t *testing.T) {
	root := "testdata/eval"
	cases, err := LoadCases(root)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		others := append(append([]Case{}, cases[:i]...), cases[i+1:]...)
		for _, v := range Generate(c, others) {
			base := filepath.Join(root, c.Name, "variants", "gen-"+v.Name)
			text := brief.Render(v.Brief)
			labels, _ := json.MarshalIndent(v.Labels, "", "  ")
			labels = append(labels, '\n')
			if *update {
				if err := os.MkdirAll(filepath.Dir(base), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(base+".txt", []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(base+".json", labels, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			got, err := os.ReadFile(base + ".txt")
			if err != nil || strings.TrimSpace(string(got)) != strings.TrimSpace(text) {
				t.Errorf("%s.txt is not what the generator makes: run go test -run GenerateEval -update", base)
			}
		}
	}
}
