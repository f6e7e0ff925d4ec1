package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"legists/internal/brief"
)

// draftSets are the article sets of the draft package's tests.
var draftSets = func() string {
	wd, _ := os.Getwd()
	return filepath.Join(wd, "../../internal/draft/testdata")
}()

func TestDraftHouseFormatPassesCheck(t *testing.T) {
	for _, set := range []string{"arbitration", "sanctions", "merger"} {
		dir := filepath.Join(draftSets, set)
		code, out, errOut := runCLI(t, "draft", "--sources", dir)
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", set, code, errOut)
		}
		b, err := brief.Parse(strings.NewReader(out))
		if err != nil {
			t.Fatalf("%s: output does not parse: %v\n%s", set, err, out)
		}
		if len(b.Sections) != 3 || b.Title == "" {
			t.Errorf("%s: %d sections, title %q", set, len(b.Sections), b.Title)
		}
		file := filepath.Join(t.TempDir(), "draft.txt")
		if err := os.WriteFile(file, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		if code, out, _ := runCLI(t, "check", "--sources", dir, file); code != exitOK {
			t.Errorf("%s: check of the draft: exit %d\n%s", set, code, out)
		}
	}
}

func TestDraftJSON(t *testing.T) {
	code, out, errOut := runCLI(t, "draft", "--json", "--words", "120", "--sources", filepath.Join(draftSets, "privacy"))
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var b struct {
		Slug     string `json:"slug"`
		Title    string `json:"title"`
		Sections []struct {
			Heading    string `json:"heading"`
			Paragraphs []struct {
				Text      string `json:"text"`
				Citations []int  `json:"citations"`
			} `json:"paragraphs"`
		} `json:"sections"`
		Firms   []string         `json:"firms"`
		Topics  []string         `json:"topics"`
		Sources []map[string]any `json:"sources"`
	}
	if err := json.Unmarshal([]byte(out), &b); err != nil {
		t.Fatalf("not Brief JSON: %v\n%s", err, out)
	}
	if b.Slug == "" || len(b.Sections) != 3 || len(b.Sources) != 3 || b.Firms == nil || b.Topics == nil {
		t.Fatalf("brief: %s", out)
	}
	words := 0
	for _, s := range b.Sections {
		for _, p := range s.Paragraphs {
			if len(p.Citations) == 0 {
				t.Errorf("uncited paragraph %q", p.Text)
			}
			words += len(strings.Fields(p.Text))
		}
	}
	if words > 130 {
		t.Errorf("%d words for --words 120", words)
	}
	if _, ok := b.Sources[0]["text"]; ok {
		t.Error("sources carry their text")
	}
}

func TestDraftBadInput(t *testing.T) {
	if code, _, _ := runCLI(t, "draft"); code != exitUsage {
		t.Errorf("no --sources: exit %d", code)
	}
	if code, _, errOut := runCLI(t, "draft", "--sources", "no-such-dir"); code != exitUsage || !strings.Contains(errOut, "no-such-dir") {
		t.Errorf("missing dir: exit %d %q", code, errOut)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "1.txt"), []byte("A title\nPublished: last week\n\nSome text."), 0o644)
	if code, _, errOut := runCLI(t, "draft", "--sources", dir); code != exitUsage || !strings.Contains(errOut, "1.txt") {
		t.Errorf("bad date: exit %d %q", code, errOut)
	}
	os.WriteFile(filepath.Join(dir, "1.txt"), []byte("A title\n\nOne short sentence only."), 0o644)
	if code, _, errOut := runCLI(t, "draft", "--sources", dir); code != exitUsage || !strings.Contains(errOut, "too few") {
		t.Errorf("too little text: exit %d %q", code, errOut)
	}
	if code, _, _ := runCLI(t, "draft", "--sources", dir, "--llm-url", "http://127.0.0.1:1/v1"); code != exitUsage {
		t.Errorf("--llm-url without model: exit %d", code)
	}
}

func TestDraftWithLLM(t *testing.T) {
	reply := "TITLE: Dutch regulator fines Nordvik app €18 million over children's data\n\n" +
		"What just happened?\nThe Dutch data protection authority has fined Nordvik €18 million for processing children's personal data without a lawful basis. [1]\n\n" +
		"What does this mean?\nThe fine is the largest the authority has imposed on a social media company. [1]\n\n" +
		"How will this affect the legal sector?\nNordvik has six weeks to lodge an appeal with the district court in The Hague. [2]\n"
	var auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		json.NewEncoder(w).Encode(map[string]any{"choices": []map[string]any{{"message": map[string]string{"role": "assistant", "content": reply}}}})
	}))
	defer srv.Close()
	t.Setenv("LEGISTS_LLM_KEY", "sk-local")
	code, out, errOut := runCLI(t, "draft", "--sources", filepath.Join(draftSets, "privacy"), "--llm-url", srv.URL+"/v1", "--llm-model", "local")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if auth != "Bearer sk-local" || !strings.Contains(out, "lodge an appeal with the district court in The Hague. (2)") {
		t.Errorf("auth %q, output:\n%s", auth, out)
	}
}
