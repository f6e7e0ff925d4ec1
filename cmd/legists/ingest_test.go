package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"legists/internal/ingest/ingesttest"
	"legists/internal/source"
	"legists/internal/store"
)

func srcRunCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return out.String(), errb.String(), code
}

func TestSourcesCLI(t *testing.T) {
	srv := ingesttest.New()
	defer srv.Close()
	db := "sqlite:" + filepath.Join(t.TempDir(), "cli.db")
	t.Setenv("LEGISTS_ALLOW_PRIVATE", "")

	// Loopback is refused without --allow-private.
	if _, errs, code := srcRunCLI(t, "sources", "add", srv.URLOf("/feeds/atom10.xml"), "--db", db); code == 0 || !strings.Contains(errs, "not allowed") {
		t.Fatalf("add without --allow-private: %d %s", code, errs)
	}
	out, errs, code := srcRunCLI(t, "sources", "add", srv.URLOf("/feeds/atom10.xml"), "--db", db, "--allow-private")
	if code != 0 || !strings.Contains(out, "atom 1.0 feed") {
		t.Fatalf("add feed: %d %s %s", code, out, errs)
	}
	t.Setenv("LEGISTS_ALLOW_PRIVATE", "1")
	out, errs, code = srcRunCLI(t, "sources", "add", "--db", db, srv.URLOf("/a/data-fine.html"))
	if code != 0 || !strings.Contains(out, "(page)") {
		t.Fatalf("add page: %d %s %s", code, out, errs)
	}
	if _, errs, code := srcRunCLI(t, "sources", "add", "--db", db, srv.URLOf("/feeds/atom10.xml")); code != 0 || !strings.Contains(errs, "already subscribed") {
		t.Fatalf("add twice: %d %s", code, errs)
	}
	if _, _, code := srcRunCLI(t, "sources", "add", "--db", db, "not a url"); code != exitUsage {
		t.Fatalf("bad URL: %d", code)
	}

	// OPML import and export.
	opml := filepath.Join(t.TempDir(), "subs.opml")
	os.WriteFile(opml, []byte(`<?xml version="1.0"?><opml version="2.0"><head><title>Desk</title></head><body>
<outline text="Courts"><outline text="RSS 1.0" type="rss" xmlUrl="`+srv.URLOf("/feeds/rss1.rdf")+`"/>
<outline text="Atom again" type="rss" xmlUrl="`+srv.URLOf("/feeds/atom10.xml")+`"/>
<outline text="Bad" type="rss" xmlUrl="gopher://x.example/"/></outline></body></opml>`), 0o644)
	out, errs, code = srcRunCLI(t, "sources", "import-opml", "--db", db, "--json", opml)
	if code != 0 || strings.TrimSpace(out) != `{
  "added": 1,
  "existing": 1,
  "skipped": 1
}` {
		t.Fatalf("import: %d %s %s", code, out, errs)
	}
	out, _, code = srcRunCLI(t, "sources", "export-opml", "--db", db)
	if code != 0 || strings.Count(out, "<outline") != 3 || !strings.Contains(out, `type="link"`) {
		t.Fatalf("export: %s", out)
	}
	o, err := source.ReadOPML(strings.NewReader(out))
	if err != nil || len(o.Entries) != 3 {
		t.Fatalf("export does not read back: %v %+v", err, o)
	}

	// Ingest, then list.
	out, errs, code = srcRunCLI(t, "ingest", "--once", "--json", "--quiet", "--db", db)
	if code != 0 {
		t.Fatalf("ingest: %d %s", code, errs)
	}
	var counts map[string]int
	if err := json.Unmarshal([]byte(out), &counts); err != nil {
		t.Fatalf("ingest JSON %q: %v", out, err)
	}
	for _, k := range []string{"sources", "fetched", "not_modified", "new", "duplicates", "errors"} {
		if _, ok := counts[k]; !ok {
			t.Errorf("ingest JSON lacks %q: %s", k, out)
		}
	}
	// data-fine is in the Atom feed and is the page source, firm-merger in
	// both feeds: three articles.
	if counts["sources"] != 3 || counts["fetched"] != 3 || counts["new"] != 3 || counts["errors"] != 0 {
		t.Fatalf("ingest counts %s", out)
	}
	out, _, code = srcRunCLI(t, "sources", "list", "--json", "--db", db)
	var list struct {
		Sources []source.Source `json:"sources"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list.Sources) != 3 {
		t.Fatalf("list: %s", out)
	}
	for _, s := range list.Sources {
		if s.Status != source.StatusOK || s.LastPolledAt == nil {
			t.Errorf("source %+v", s)
		}
	}
	out, _, _ = srcRunCLI(t, "sources", "list", "--db", db)
	if !strings.Contains(out, "STATUS") || !strings.Contains(out, "ok") {
		t.Fatalf("list table: %s", out)
	}
	out, _, _ = srcRunCLI(t, "ingest", "--once", "--db", db, "--quiet")
	if !strings.Contains(out, "polled 0 source(s)") {
		t.Fatalf("second ingest (nothing due): %s", out)
	}

	out, errs, code = srcRunCLI(t, "sources", "remove", "--db", db, srv.URLOf("/feeds/rss1.rdf"))
	if code != 0 || !strings.Contains(out, "removed source") {
		t.Fatalf("remove by URL: %d %s %s", code, out, errs)
	}
	if _, _, code := srcRunCLI(t, "sources", "remove", "--db", db, "1"); code != 0 {
		t.Fatalf("remove by id: %d", code)
	}
	if _, _, code := srcRunCLI(t, "sources", "remove", "--db", db, "1"); code != exitFindings {
		t.Fatalf("remove missing: %d", code)
	}
}

// TestIngestSIGKILL kills `legists ingest --once` with SIGKILL in the
// middle of a run, runs it again, and checks that no article is lost or
// duplicated and that no source stays claimed.
func TestIngestSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "legists")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	srv := ingesttest.New()
	srv.PageDelay = 150 * time.Millisecond
	defer srv.Close()
	const items = 40
	dbPath := filepath.Join(dir, "kill.db")
	db := "sqlite:" + dbPath
	if _, errs, code := srcRunCLI(t, "sources", "add", "--kind", "feed", "--db", db, srv.URLOf("/slowfeed.xml?n=40")); code != 0 {
		t.Fatalf("add: %s", errs)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	count := func() int {
		p, err := st.ListArticles(ctx, store.ArticleFilter{Duplicates: true, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		return len(p.Articles)
	}

	env := append(os.Environ(), "LEGISTS_ALLOW_PRIVATE=1", "LEGISTS_DB="+db)
	first := exec.Command(bin, "ingest", "--once", "--lease", "2s", "--quiet")
	first.Env = env
	var firstErr bytes.Buffer
	first.Stderr = &firstErr
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for count() < 6 {
		if time.Now().After(deadline) {
			first.Process.Kill()
			t.Fatalf("first run stored nothing in time: %s", firstErr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := first.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	first.Wait()
	before := count()
	if before >= items {
		t.Fatalf("the first run finished before it was killed (%d articles)", before)
	}
	srcs, _ := st.ListSources(ctx)
	if len(srcs) != 1 || srcs[0].ClaimedUntil == nil {
		t.Fatalf("the killed run left no lease: %+v", srcs)
	}

	second := exec.Command(bin, "ingest", "--once", "--json", "--lease", "2s", "--quiet")
	second.Env = env
	var out, errb bytes.Buffer
	second.Stdout, second.Stderr = &out, &errb
	if err := second.Run(); err != nil {
		t.Fatalf("second run: %v\n%s", err, errb.String())
	}
	var c source.IngestCounts
	if err := json.Unmarshal(out.Bytes(), &c); err != nil {
		t.Fatalf("second run JSON %q: %v", out.String(), err)
	}
	if c.Sources != 1 || c.New != items-before || c.Duplicates != 0 || c.Errors != 0 {
		t.Fatalf("second run %+v after %d stored before the kill", c, before)
	}
	p, _ := st.ListArticles(ctx, store.ArticleFilter{Duplicates: true, Limit: 500})
	seen := map[string]bool{}
	for _, a := range p.Articles {
		if seen[a.CanonicalURL] || seen[a.GUID] {
			t.Errorf("duplicate article %s", a.CanonicalURL)
		}
		seen[a.CanonicalURL], seen[a.GUID] = true, true
	}
	if len(p.Articles) != items {
		t.Fatalf("%d articles after the rerun, want %d", len(p.Articles), items)
	}
	srcs, _ = st.ListSources(ctx)
	if srcs[0].ClaimedUntil != nil || srcs[0].Status != source.StatusOK {
		t.Fatalf("source after the rerun: %+v", srcs[0])
	}
	un, _ := st.UnclusteredArticles(ctx, 100)
	if len(un) != 0 {
		t.Fatalf("%d articles left out of stories", len(un))
	}
}
