package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"legists/internal/ingest/ingesttest"
)

// sources add refuses what is not a feed or a readable page, finds the
// feeds a home page announces and asks for --pick among several; ingest
// --json reports feed and page errors apart and exits 1 when a feed
// failed.
func TestSourcesAddDetectsAndIngestReportsErrors(t *testing.T) {
	srv := ingesttest.New()
	defer srv.Close()
	db := "sqlite:" + filepath.Join(t.TempDir(), "detect.db")
	t.Setenv("LEGISTS_ALLOW_PRIVATE", "1")

	for path, want := range map[string]string{
		"/detect/empty.xml":        "the answer is empty (0 bytes)",
		"/detect/sitemap.xml":      "root <urlset>",
		"/detect/html-as-xml.xml":  "HTML page served as application/xml",
		"/detect/bad-encoding.xml": `encoding "invalid"`,
	} {
		_, errs, code := srcRunCLI(t, "sources", "add", srv.URLOf(path), "--db", db)
		if code != exitFindings || !strings.Contains(errs, "neither a feed nor a readable page") || !strings.Contains(errs, want) {
			t.Errorf("add %s: %d %s", path, code, errs)
		}
	}
	_, errs, code := srcRunCLI(t, "sources", "add", srv.URLOf("/detect/home-several.html"), "--db", db)
	if code != exitUsage || !strings.Contains(errs, "announces 3 feeds") || !strings.Contains(errs, "2. "+srv.URLOf("/feeds/atom10.xml")) ||
		!strings.Contains(errs, "--pick N") {
		t.Fatalf("several feeds: %d %s", code, errs)
	}
	out, errs, code := srcRunCLI(t, "sources", "add", srv.URLOf("/detect/home-several.html"), "--pick", "2", "--db", db)
	if code != 0 || !strings.Contains(out, srv.URLOf("/feeds/atom10.xml")) || !strings.Contains(out, "atom 1.0 feed") {
		t.Fatalf("--pick 2: %d %s %s", code, out, errs)
	}
	out, errs, code = srcRunCLI(t, "sources", "add", srv.URLOf("/detect/home-one.html"), "--fetch-pages", "never", "--db", db)
	if code != 0 || !strings.Contains(out, srv.URLOf("/feeds/rss2.xml")) {
		t.Fatalf("home page with one feed: %d %s %s", code, out, errs)
	}
	if _, errs, code := srcRunCLI(t, "sources", "add", srv.URLOf("/feeds/rss1.rdf"), "--fetch-pages", "sometimes", "--db", db); code != exitUsage || !strings.Contains(errs, "want auto, always or never") {
		t.Fatalf("bad --fetch-pages: %d %s", code, errs)
	}
	out, _, _ = srcRunCLI(t, "sources", "list", "--db", db)
	if !strings.Contains(out, "PAGES") || !strings.Contains(out, "never") || !strings.Contains(out, "default") {
		t.Fatalf("list does not show the page setting:\n%s", out)
	}

	// Every feed fine, one page gone: reported, exit 0.
	if _, errs, code := srcRunCLI(t, "sources", "add", srv.URLOf("/feeds/mixed.xml"), "--db", db); code != 0 {
		t.Fatalf("add mixed: %s", errs)
	}
	out, errs, code = srcRunCLI(t, "ingest", "--once", "--json", "--quiet", "--db", db)
	var c map[string]int
	if code != 0 || json.Unmarshal([]byte(out), &c) != nil {
		t.Fatalf("ingest: %d %s %s", code, out, errs)
	}
	if c["feed_errors"] != 0 || c["page_errors"] != 1 || c["errors"] != 1 || c["no_link"] != 3 || c["items"] != 10 || c["new"] < 8 {
		t.Fatalf("ingest counts %s", out)
	}
	// A feed that fails: exit 1, counted as a feed error.
	if _, errs, code := srcRunCLI(t, "sources", "add", srv.URLOf("/feeds/broken.xml"), "--kind", "feed", "--db", db); code != 0 {
		t.Fatalf("add broken: %s", errs)
	}
	out, errs, code = srcRunCLI(t, "ingest", "--once", "--json", "--quiet", "--db", db)
	if code != exitFindings || json.Unmarshal([]byte(out), &c) != nil || c["feed_errors"] != 1 || c["errors"] != c["feed_errors"]+c["page_errors"] {
		t.Fatalf("ingest with a broken feed: %d %s %s", code, out, errs)
	}
	out, _, code = srcRunCLI(t, "ingest", "--once", "--quiet", "--all", "--db", db)
	if code != exitFindings || !strings.Contains(out, "1 feed error(s)") {
		t.Fatalf("summary: %d %s", code, out)
	}
}
