package brief

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"legists/internal/goldentest"
)

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
	root := filepath.Join("..", "..")
	files := goldentest.Fixtures(t, root)
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
	goldentest.Compare(t, filepath.Join("testdata", "golden-parse.json"), out.Bytes())
}
