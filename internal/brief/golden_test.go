package brief

import (
	"bytes"
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/golden-*.json from the current code")

// goldenFixtures lists the .txt and .md files under every testdata folder
// of the module (bench/ aside: its data is fetched, not committed), by path
// from the module root, in lexical order.
func goldenFixtures(t *testing.T) (root string, files []string) {
	t.Helper()
	root = filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "bench" || strings.HasPrefix(d.Name(), ".") && rel != "." || d.Name() == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		ext := filepath.Ext(rel)
		if (ext == ".txt" || ext == ".md") && strings.Contains("/"+rel, "/testdata/") {
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 100 {
		t.Fatalf("only %d fixtures found under %s", len(files), root)
	}
	return root, files
}

// goldenParse is what the golden file keeps of one parse: the brief as
// JSON (spans and citations included) or the error.
type goldenParse struct {
	Brief *Brief `json:"brief,omitempty"`
	Err   string `json:"err,omitempty"`
}

type goldenParseEntry struct {
	File    string      `json:"file"`
	House   goldenParse `json:"house"`
	Editing goldenParse `json:"editing"`
}

func goldenParseOf(b *Brief, err error) goldenParse {
	if err != nil {
		return goldenParse{Err: err.Error()}
	}
	return goldenParse{Brief: b}
}

// TestGoldenParse parses every fixture of the module with both parsers and
// compares the results with testdata/golden-parse.json, made from the code
// before the parser was tuned; a change of behaviour shows as a diff.
// go test ./internal/brief -run Golden -args -update-golden rewrites it.
func TestGoldenParse(t *testing.T) {
	root, files := goldenFixtures(t)
	var out bytes.Buffer
	out.WriteString("[\n")
	for i, rel := range files {
		data, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			t.Fatal(err)
		}
		e := goldenParseEntry{File: rel}
		e.House = goldenParseOf(ParseBytes(data))
		e.Editing = goldenParseOf(ParseMarkdownBytes(data))
		line, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		out.Write(line)
		if i < len(files)-1 {
			out.WriteByte(',')
		}
		out.WriteByte('\n')
	}
	out.WriteString("]\n")
	compareGolden(t, filepath.Join("testdata", "golden-parse.json"), out.Bytes())
}

// compareGolden checks got against the golden file, or rewrites the file
// with -update-golden. A difference is reported by its first differing line.
func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *updateGolden {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", path, len(got))
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (make it with -args -update-golden)", err)
	}
	if bytes.Equal(got, want) {
		return
	}
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range max(len(gl), len(wl)) {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Fatalf("%s differs at line %d:\n got: %.2000s\nwant: %.2000s", path, i+1, g, w)
		}
	}
	t.Fatalf("%s differs", path)
}
