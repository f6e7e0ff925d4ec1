package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"legists/internal/seedtest"
)

const cleanBrief = `Court Fines Halcyon

What just happened?

The European Commission fined Halcyon Systems €1.2 billion on Tuesday. (1)

What does this mean?

Halcyon said it would appeal the decision. (2)

How will this affect the legal sector?

Privacy lawyers expect a wave of audits. (2)

The Legists Content Team
`

func writeCase(t *testing.T, brief string, sources map[string]string) (file, dir string) {
	t.Helper()
	root := t.TempDir()
	file = filepath.Join(root, "brief.txt")
	if err := os.WriteFile(file, []byte(brief), 0o644); err != nil {
		t.Fatal(err)
	}
	dir = filepath.Join(root, "sources")
	os.Mkdir(dir, 0o755)
	for name, text := range sources {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return file, dir
}

var sourceFiles = map[string]string{
	"1.txt":  "The European Commission on Tuesday fined Halcyon Systems 1.2 billion euros.",
	"2.html": "<html><head><title>x</title><script>var a = 'Halcyon will not appeal';</script></head><body><p>Halcyon Systems said it would appeal the decision.</p><p>Privacy lawyers expect a wave of audits across companies.</p></body></html>",
}

type checkJSON struct {
	OK       bool `json:"ok"`
	Findings []struct {
		Kind      string `json:"kind"`
		Severity  string `json:"severity"`
		Section   int    `json:"section"`
		Paragraph int    `json:"paragraph"`
		Sentence  string `json:"sentence"`
		Citation  int    `json:"citation"`
		Message   string `json:"message"`
	} `json:"findings"`
}

func runJSON(t *testing.T, args ...string) (int, checkJSON, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	var r checkJSON
	if code != exitUsage {
		if err := json.Unmarshal(out.Bytes(), &r); err != nil {
			t.Fatalf("%v: bad JSON %q: %v", args, out.String(), err)
		}
	}
	return code, r, errb.String()
}

func TestCheckClean(t *testing.T) {
	file, dir := writeCase(t, cleanBrief, sourceFiles)
	code, r, errs := runJSON(t, "check", "--sources", dir, "--json", file)
	if code != exitOK || !r.OK {
		t.Fatalf("exit %d ok=%v findings=%+v stderr=%s", code, r.OK, r.Findings, errs)
	}
	// flags after the file work too
	if code, _, _ := runJSON(t, "check", file, "--json", "--sources", dir); code != exitOK {
		t.Fatalf("flags after FILE: exit %d", code)
	}
}

func TestCheckFindings(t *testing.T) {
	bad := strings.Replace(cleanBrief, "€1.2 billion", "€2.1 billion", 1)
	bad = strings.Replace(bad, "would appeal", "would not appeal", 1)
	file, dir := writeCase(t, bad, sourceFiles)
	code, r, _ := runJSON(t, "check", "--sources", dir, "--json", file)
	if code != exitFindings || r.OK {
		t.Fatalf("exit %d ok=%v", code, r.OK)
	}
	want := map[string][2]int{"number-mismatch": {0, 0}, "negation-mismatch": {1, 0}}
	for _, f := range r.Findings {
		if loc, ok := want[f.Kind]; ok && loc == [2]int{f.Section, f.Paragraph} && f.Severity == "error" && f.Sentence != "" && f.Citation > 0 {
			delete(want, f.Kind)
		}
	}
	if len(want) > 0 {
		t.Errorf("missing findings %v in %+v", want, r.Findings)
	}
	// human-readable output
	var out, errb bytes.Buffer
	if code := run([]string{"check", "--sources", dir, file}, &out, &errb); code != exitFindings {
		t.Fatalf("text exit %d", code)
	}
	if !strings.Contains(out.String(), "section 1, paragraph 1, citation 1: error number-mismatch:") {
		t.Errorf("text output:\n%s", out.String())
	}
}

// TestCheckSeed runs `check` on the team's fixture and, where ../shared is
// present, the seed: exit 1, the self-reference and the repeated word.
func TestCheckSeed(t *testing.T) {
	for _, sd := range seedtest.All(t) {
		t.Run(sd.Name, func(t *testing.T) {
			code, r, _ := runJSON(t, "check", "--json", sd.Path)
			if code != exitFindings {
				t.Fatalf("exit %d", code)
			}
			found := map[string]string{}
			for _, f := range r.Findings {
				found[f.Kind] += f.Message
			}
			if !strings.Contains(found["self-reference"], sd.SelfReference) || !strings.Contains(found["repeated-word"], sd.Repeated) {
				t.Errorf("findings %+v", r.Findings)
			}
		})
	}
}

func TestCheckUsage(t *testing.T) {
	file, dir := writeCase(t, cleanBrief, sourceFiles)
	notBrief, _ := writeCase(t, "just a line\nand another\n", nil)
	for _, args := range [][]string{
		{"check"},
		{"check", "/nonexistent/brief.txt"},
		{"check", notBrief},
		{"check", "--sources", "/nonexistent", file},
		{"check", "--bogus", file},
		{"check", file, file},
		{"check", "--sources", t.TempDir(), file},
	} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != exitUsage {
			t.Errorf("%v: exit %d, want %d (stderr %q)", args, code, exitUsage, errb.String())
		}
	}
	var out, errb bytes.Buffer
	run([]string{"check", notBrief}, &out, &errb)
	if !strings.Contains(errb.String(), "line") {
		t.Errorf("parse error does not name the line: %q", errb.String())
	}
	_ = dir
}

func TestCheckMarkdown(t *testing.T) {
	md := "# Court Fines Halcyon\n\n## What just happened?\n\nThe European Commission fined Halcyon Systems €1.2 billion on Tuesday. [1]\n\n## What does this mean?\n\nHalcyon said it would appeal the decision. [2]\n\n## How will this affect the legal sector?\n\nPrivacy lawyers expect a wave of audits. [2]\n"
	root := t.TempDir()
	file := filepath.Join(root, "b.md")
	os.WriteFile(file, []byte(md), 0o644)
	_, dir := writeCase(t, cleanBrief, sourceFiles)
	var out, errb bytes.Buffer
	code := run([]string{"check", "--json", "--sources", dir, file}, &out, &errb)
	if code == exitUsage {
		t.Skipf("editing format not readable here: %s", errb.String())
	}
	if code != exitOK {
		t.Errorf("markdown brief: exit %d: %s", code, out.String())
	}
}

func TestEvaluateCommand(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"evaluate", "../../internal/fidelity/testdata/eval"}, &out, &errb)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "recall") || !strings.Contains(out.String(), "falsely flagged") {
		t.Errorf("table:\n%s", out.String())
	}
	out.Reset()
	if code := run([]string{"evaluate", "--json", "../../internal/fidelity/testdata/eval"}, &out, &errb); code != exitOK {
		t.Fatalf("json exit %d", code)
	}
	var r struct {
		Kinds []struct {
			Kind   string  `json:"kind"`
			Recall float64 `json:"recall"`
		} `json:"kinds"`
		FalseFlagRate float64 `json:"false_flag_rate"`
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil || len(r.Kinds) < 7 {
		t.Fatalf("json %v: %s", err, out.String())
	}
	if code := run([]string{"evaluate", t.TempDir()}, &out, &errb); code != exitUsage {
		t.Errorf("empty dir: exit %d", code)
	}
}
