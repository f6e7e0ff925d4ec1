package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"legists/internal/brief"
	"legists/internal/store"
)

const tagFixtures = "testdata/tag"

type tagJSON struct {
	Firms []struct {
		Name    string   `json:"name"`
		Score   float64  `json:"score"`
		Reasons []string `json:"reasons"`
	} `json:"firms"`
	Topics []struct {
		Name  string  `json:"name"`
		Score float64 `json:"score"`
	} `json:"topics"`
}

func TestTagJSONWithSources(t *testing.T) {
	t.Setenv("LEGISTS_DB", "")
	t.Chdir(t.TempDir()) // no ./legists.db here: the built-in directory
	code, out, errOut := runCLI(t, "tag", "--json", "--sources", filepath.Join(fixtureDir, "sources"), filepath.Join(fixtureDir, "award.txt"))
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got tagJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not the Tag JSON: %v\n%s", err, out)
	}
	if len(got.Firms) < 3 || len(got.Topics) == 0 {
		t.Fatalf("too few suggestions: %s", out)
	}
	want := map[string]string{
		"Three Crowns LLP":                   "named in source 1",
		"Freshfields Bruckhaus Deringer LLP": "named in source 1",
		"HSF Kramer":                         "named in source 2", // formerly Herbert Smith Freehills
	}
	for _, f := range got.Firms[:3] {
		if r, ok := want[f.Name]; !ok || !slices.Contains(f.Reasons, r) {
			t.Errorf("firm %q reasons %q", f.Name, f.Reasons)
		}
	}
	if got.Topics[0].Name != "International Arbitration" {
		t.Errorf("first topic %q", got.Topics[0].Name)
	}
	if _, err := os.Stat("legists.db"); err == nil {
		t.Error("tag created a database")
	}
}

// fixtureDir is absolute: the tests change directory.
var fixtureDir = func() string {
	wd, _ := os.Getwd()
	return filepath.Join(wd, tagFixtures)
}()

func TestTagHumanAndEditingFormat(t *testing.T) {
	t.Setenv("LEGISTS_DB", "")
	t.Chdir(t.TempDir())
	f, err := os.Open(filepath.Join(fixtureDir, "award.txt"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := brief.Parse(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	md := filepath.Join(t.TempDir(), "award.md")
	if err := os.WriteFile(md, []byte(brief.RenderMarkdown(b)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "tag", md)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"SCORE", "FIRM", "REASONS", "TOPIC", "International Arbitration", "practises International Arbitration"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestTagBadInput(t *testing.T) {
	t.Setenv("LEGISTS_DB", "")
	t.Chdir(t.TempDir())
	if code, _, errOut := runCLI(t, "tag", "no-such-file.txt"); code != exitUsage || !strings.Contains(errOut, "no-such-file.txt") {
		t.Errorf("missing file: exit %d, %q", code, errOut)
	}
	if err := os.WriteFile("junk.txt", []byte("just one line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI(t, "tag", "junk.txt"); code != exitUsage || !strings.Contains(errOut, "junk.txt") {
		t.Errorf("not a brief: exit %d, %q", code, errOut)
	}
	if code, _, _ := runCLI(t, "tag"); code != exitUsage {
		t.Errorf("no file: exit %d", code)
	}
}

func TestTagFromDatabase(t *testing.T) {
	t.Setenv("LEGISTS_DB", "")
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "tag.db")
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Skipf("store not usable: %v", err)
	}
	err = db.UpsertFirms(ctx, []brief.Firm{{
		Name: "Ruritanian Disputes LLP", Slug: "ruritanian-disputes-llp", Aliases: []string{"Ruritania Disputes"},
		PracticeAreas: []string{"International Arbitration"}, Jurisdictions: []string{"Canada"},
	}})
	db.Close()
	if err != nil {
		t.Skipf("store cannot save firms: %v", err)
	}
	code, out, errOut := runCLI(t, "tag", "--db", dsn, "--json", filepath.Join(fixtureDir, "award.txt"))
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got tagJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Firms) != 1 || got.Firms[0].Name != "Ruritanian Disputes LLP" {
		t.Errorf("firms from the database: %s", out)
	}
}
