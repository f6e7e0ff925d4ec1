package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"legists/internal/seedtest"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

// runCLI runs the legists command line in-process.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

const briefFixtures = "../../internal/brief/testdata"

func TestImportDryRunJSON(t *testing.T) {
	code, out, errOut := runCLI(t, "import", "--dry-run", "--json", filepath.Join(briefFixtures, "valid-basic.txt"), filepath.Join(briefFixtures, "valid-editing.md"))
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got struct {
		Briefs []struct {
			Slug     string `json:"slug"`
			Title    string `json:"title"`
			Byline   string `json:"byline"`
			Sections []struct {
				Heading    string `json:"heading"`
				Paragraphs []struct {
					Text      string `json:"text"`
					Citations []int  `json:"citations"`
				} `json:"paragraphs"`
			} `json:"sections"`
			Firms   []string `json:"firms"`
			Topics  []string `json:"topics"`
			Sources []struct {
				N         int    `json:"n"`
				URL       string `json:"url"`
				Title     string `json:"title"`
				Publisher string `json:"publisher"`
			} `json:"sources"`
		} `json:"briefs"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output is not the contract JSON: %v\n%s", err, out)
	}
	if len(got.Briefs) != 2 {
		t.Fatalf("briefs = %d", len(got.Briefs))
	}
	b := got.Briefs[0]
	if b.Title != "Court Blocks Merger of Two Rail Freight Operators" || len(b.Sections) != 3 || b.Sections[1].Heading != "What does this mean?" {
		t.Errorf("brief = %+v", b)
	}
	if c := b.Sections[1].Paragraphs[0].Citations; len(c) != 3 || c[0] != 1 || c[2] != 3 {
		t.Errorf("citations = %v", c)
	}
	if len(b.Sources) != 3 || b.Sources[0].Publisher != "The Freight Journal" {
		t.Errorf("sources = %+v", b.Sources)
	}
	if got.Briefs[1].Slug != "court-blocks-rail-merger" {
		t.Errorf("editing-format slug = %q", got.Briefs[1].Slug)
	}
}

func TestImportSeedDryRun(t *testing.T) {
	for _, sd := range seedtest.All(t) {
		t.Run(sd.Name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "import", "--dry-run", "--json", sd.Path)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, want := range []string{`"byline": "The Legists Content Team"`, `"` + sd.Firms[len(sd.Firms)-1] + `"`, `"citations": [`} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %s", want)
				}
			}
			if strings.Contains(out, "Stay Tuned") {
				t.Error("footer leaked into the brief")
			}
		})
	}
}

func TestImportErrors(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.txt")
	if err := os.WriteFile(big, bytes.Repeat([]byte("x"), 2<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		file, want string
	}{
		{filepath.Join(briefFixtures, "invalid-order.txt"), `invalid-order.txt: line 3: expected the heading "What just happened?" before "What does this mean?"`},
		{filepath.Join(briefFixtures, "invalid-marker.txt"), `line 5: citation marker "(1a)" is not a number`},
		{big, "input too large"},
		{filepath.Join(dir, "missing.txt"), "no such file"},
	} {
		code, _, errOut := runCLI(t, "import", "--dry-run", c.file)
		if code != exitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 and %q", c.file, code, errOut, c.want)
		}
	}
	if code, _, _ := runCLI(t, "import"); code != exitUsage {
		t.Errorf("no files: exit %d", code)
	}
}

// TestImportStore imports into SQLite and PostgreSQL: idempotent, updates
// keep the earlier revision, and a bad file stores nothing.
func TestImportStore(t *testing.T) {
	for name, dsn := range map[string]func(testing.TB) string{"sqlite": storetest.SQLiteDSN, "postgres": storetest.PostgresDSN} {
		t.Run(name, func(t *testing.T) {
			db := dsn(t)
			dir := t.TempDir()
			src, err := os.ReadFile(filepath.Join(briefFixtures, "valid-basic.txt"))
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, "rail.txt")
			if err := os.WriteFile(file, src, 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := runCLI(t, "import", "--db", db, file, filepath.Join(briefFixtures, "invalid-order.txt"))
			if code != exitUsage || !strings.Contains(out, "1 created") || !strings.Contains(errOut, "line 3") {
				t.Fatalf("first import: exit %d\n%s\n%s", code, out, errOut)
			}
			code, out, _ = runCLI(t, "import", "--db", db, file)
			if code != exitOK || !strings.Contains(out, "1 unchanged") {
				t.Fatalf("second import: exit %d: %s", code, out)
			}
			changed := bytes.Replace(src, []byte("62%"), []byte("61%"), 1)
			if err := os.WriteFile(file, changed, 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, _ = runCLI(t, "import", "--db", db, "--json", file)
			if code != exitOK || !strings.Contains(out, `"action": "updated"`) {
				t.Fatalf("changed import: exit %d: %s", code, out)
			}

			st, err := store.Open(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			ctx := context.Background()
			page, err := st.ListBriefs(ctx, store.BriefFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Briefs) != 1 {
				t.Fatalf("stored briefs = %d, want 1 (the bad file stores nothing)", len(page.Briefs))
			}
			b, err := st.GetBrief(ctx, "court-blocks-merger-of-two-rail-freight-operators")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.Sections[1].Paragraphs[0].Text, "61%") || b.Status != "published" || b.PublishedAt == nil {
				t.Errorf("stored brief: status %q published %v text %q", b.Status, b.PublishedAt, b.Sections[1].Paragraphs[0].Text)
			}
			revs, err := st.Revisions(ctx, b.Slug)
			if err != nil {
				t.Fatal(err)
			}
			if len(revs) != 2 {
				t.Fatalf("revisions = %d, want 2", len(revs))
			}
			var old string
			for _, r := range revs {
				if strings.Contains(r.Text, "62%") {
					old = r.Text
				}
			}
			if old == "" {
				t.Error("the earlier revision's text was not kept")
			}
		})
	}
}

func TestHelpMasksPasswords(t *testing.T) {
	t.Setenv("LEGISTS_DB", "postgres://editor:hunter2@db.internal:5432/legists")
	code, _, errOut := runCLI(t, "import", "--help")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if strings.Contains(errOut, "hunter2") || !strings.Contains(errOut, "editor:xxxxx@db.internal") {
		t.Errorf("--help shows the database password:\n%s", errOut)
	}
}
