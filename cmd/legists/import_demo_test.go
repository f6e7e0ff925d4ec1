package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"legists/internal/brief"
	"legists/internal/demo"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

// TestImportDemoBriefsAfterServeDemo follows the README's order on both
// databases: `serve --demo` loads the demo, then the tour imports the demo
// briefs' files. Each file is recognised as the brief already stored: no
// duplicates, nothing published that was a draft, no date changed.
func TestImportDemoBriefsAfterServeDemo(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, db string, st store.Store) {
		ctx := context.Background()
		if err := demo.Load(ctx, st); err != nil {
			t.Fatal(err)
		}
		before := briefStates(t, st)
		files, err := filepath.Glob("../../internal/demo/content/briefs/*.txt")
		if err != nil || len(files) != len(before) {
			t.Fatalf("%d demo files for %d stored briefs (%v)", len(files), len(before), err)
		}

		code, out, errOut := runCLI(t, append([]string{"import", "--db", db, "--json"}, files...)...)
		if code != exitOK {
			t.Fatalf("import: exit %d: %s", code, errOut)
		}
		var got struct{ Results []importResult }
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		for _, r := range got.Results {
			if r.Action != store.SaveUnchanged || strings.TrimSuffix(filepath.Base(r.File), ".txt") != r.Slug {
				t.Errorf("%s: %s as %q, want unchanged as the demo brief of that name", r.File, r.Action, r.Slug)
			}
		}
		after := briefStates(t, st)
		if len(after) != len(before) {
			t.Fatalf("%d briefs after the import, %d before", len(after), len(before))
		}
		for slug, was := range before {
			if after[slug] != was {
				t.Errorf("%s: %s before the import, %s after", slug, was, after[slug])
			}
		}

		// Asked explicitly, the import does change the state.
		draft := ""
		for slug, s := range before {
			if strings.HasPrefix(s, "draft") {
				draft = slug
			}
		}
		if draft == "" {
			t.Fatal("the demo has no draft")
		}
		file := "../../internal/demo/content/briefs/" + draft + ".txt"
		code, _, errOut = runCLI(t, "import", "--db", db, "--status", "published", "--published-at", "2026-11-02T08:00:00Z", file)
		if code != exitOK {
			t.Fatalf("import --status published: exit %d: %s", code, errOut)
		}
		b, err := st.GetBrief(ctx, draft)
		if err != nil {
			t.Fatal(err)
		}
		if b.Status != brief.StatusPublished || b.PublishedAt == nil || !b.PublishedAt.Equal(time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)) {
			t.Errorf("after --status published: %s %v", b.Status, b.PublishedAt)
		}
		if len(b.Topics) == 0 || len(b.Sources) == 0 || b.Sources[0].Text == "" {
			t.Errorf("the import lost the demo brief's topics or archived sources: %v, %d sources", b.Topics, len(b.Sources))
		}
	})
}

// onBothDatabases runs fn on a fresh SQLite database and on a fresh
// PostgreSQL schema (skipped without LEGISTS_TEST_POSTGRES), each with its
// DSN for the command line and an open store.
func onBothDatabases(t *testing.T, fn func(t *testing.T, db string, st store.Store)) {
	for name, dsn := range map[string]func(testing.TB) string{"sqlite": storetest.SQLiteDSN, "postgres": storetest.PostgresDSN} {
		t.Run(name, func(t *testing.T) {
			db := dsn(t)
			st, err := store.Open(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			fn(t, db, st)
		})
	}
}

// briefStates maps every stored brief's slug to "status published-at".
func briefStates(t *testing.T, st store.Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, s := range []brief.Status{brief.StatusDraft, brief.StatusReview, brief.StatusPublished} {
		page, err := st.ListBriefs(context.Background(), store.BriefFilter{Status: s, Limit: store.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range page.Briefs {
			at := "unpublished"
			if b.PublishedAt != nil {
				at = b.PublishedAt.UTC().Format(time.RFC3339)
			}
			out[b.Slug] = string(b.Status) + " " + at
		}
	}
	return out
}
