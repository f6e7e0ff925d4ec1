package tag

import (
	"bytes"
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"legists/internal/brief"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/golden-tag.json from the current code")

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

// goldenFirm and goldenTopic keep every field of a suggestion, the ones
// JSON leaves out included.
type goldenFirm struct {
	Name          string   `json:"name"`
	Score         float64  `json:"score"`
	Reasons       []string `json:"reasons"`
	Slug          string   `json:"slug"`
	Named         bool     `json:"named"`
	InBrief       bool     `json:"in_brief"`
	Sources       []int    `json:"sources"`
	Areas         []string `json:"areas"`
	Jurisdictions []string `json:"jurisdictions"`
}

type goldenTopic struct {
	Name     string   `json:"name"`
	Score    float64  `json:"score"`
	Slug     string   `json:"slug"`
	Kind     string   `json:"kind"`
	Evidence []string `json:"evidence"`
}

type goldenTagEntry struct {
	File string `json:"file"`
	// Parsed says the fixture is a brief of the house format, tagged with
	// the texts of its sources/ folder when there is one; otherwise its
	// first line is tagged as a title, the rest as the body, and the
	// whole as source 1.
	Parsed   bool                  `json:"parsed"`
	Firms    []goldenFirm          `json:"firms"`
	Topics   []goldenTopic         `json:"topics"`
	Explain  map[string]goldenFirm `json:"explain,omitempty"`
	Mentions []string              `json:"mentions"`
}

func goldenFirmOf(f FirmScore) goldenFirm {
	return goldenFirm{f.Name, f.Score, f.Reasons, f.Slug, f.Named, f.InBrief, f.Sources, f.Areas, f.Jurisdictions}
}

// TestGoldenTag tags every fixture of the module and compares the
// suggestions, explanations and mentions with testdata/golden-tag.json,
// made from the code before the tagger was tuned.
// go test ./internal/tag -run Golden -args -update-golden rewrites it.
func TestGoldenTag(t *testing.T) {
	root, files := goldenFixtures(t)
	tg := Default()
	var out bytes.Buffer
	out.WriteString("[\n")
	for i, rel := range files {
		data, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		e := goldenTagEntry{File: rel}
		var res Result
		if b, err := brief.ParseBytes(data); err == nil {
			e.Parsed = true
			src := map[int]string{}
			dir := filepath.Join(root, filepath.Dir(rel), "sources")
			ents, _ := os.ReadDir(dir)
			for _, de := range ents {
				n, err := strconv.Atoi(strings.TrimSuffix(de.Name(), ".txt"))
				if err != nil || !strings.HasSuffix(de.Name(), ".txt") {
					continue
				}
				s, err := os.ReadFile(filepath.Join(dir, de.Name()))
				if err != nil {
					t.Fatal(err)
				}
				src[n] = string(s)
			}
			res = tg.Suggest(b, src)
			e.Explain = map[string]goldenFirm{}
			for slug, f := range tg.Explain(b, src) {
				e.Explain[slug] = goldenFirmOf(f)
			}
		} else {
			title, body, _ := strings.Cut(text, "\n")
			b := &brief.Brief{Title: title, Sections: []brief.Section{{Paragraphs: []brief.Paragraph{{Text: body}}}}}
			res = tg.Suggest(b, map[int]string{1: text})
		}
		for _, f := range res.Firms {
			e.Firms = append(e.Firms, goldenFirmOf(f))
		}
		for _, tp := range res.Topics {
			e.Topics = append(e.Topics, goldenTopic{tp.Name, tp.Score, tp.Slug, string(tp.Kind), tp.Evidence})
		}
		for _, m := range tg.Mentions(text) {
			owner := m.Firm
			if owner == "" {
				owner = "#" + m.Topic
			}
			e.Mentions = append(e.Mentions, strconv.Itoa(m.Start)+"-"+strconv.Itoa(m.End)+" "+owner+": "+m.Phrase)
		}
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
	compareGolden(t, filepath.Join("testdata", "golden-tag.json"), out.Bytes())
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
