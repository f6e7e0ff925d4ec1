package tag

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"legists/internal/brief"
	"legists/internal/goldentest"
)

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
	root := filepath.Join("..", "..")
	files := goldentest.Fixtures(t, root)
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
	goldentest.Compare(t, filepath.Join("testdata", "golden-tag.json"), out.Bytes())
}
