package ingest

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"legists/internal/ingest/ingesttest"
)

func fetchFixture(t *testing.T, srv *ingesttest.Server, p string) *Response {
	t.Helper()
	f := newTestFetcher(FetchConfig{})
	defer f.Close()
	r, err := f.Fetch(context.Background(), Request{URL: srv.URLOf(p)})
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return r
}

func parseFixture(t *testing.T, srv *ingesttest.Server, p string) *Feed {
	t.Helper()
	r := fetchFixture(t, srv, p)
	base, _ := url.Parse(r.URL)
	feed, err := ParseFeed(r.Body, r.ContentType, base)
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return feed
}

func TestParseFeedFormats(t *testing.T) {
	srv := ingesttest.New()
	defer srv.Close()
	cases := []struct {
		path, typ, title string
		items            int
		firstLink        string
		firstAuthor      string
	}{
		{"/feeds/rss2.xml", "rss 2.0", "The Daily Docket – Regulation", 3, "/a/cement-cartel.html?utm_source=rss&utm_medium=feed", "Marta Kessler"},
		{"/feeds/rss1.rdf", "rss 1.0", "Docket Deals (RSS 1.0)", 2, "/a/firm-merger.html", "Sam Whitlock"},
		{"/feeds/rss091.xml", "rss 0.91", "Courts Weekly (RSS 0.91)", 1, "/a/hospital-merger.html", ""},
		{"/feeds/atom10.xml", "atom 1.0", "Docket Data & Privacy", 2, "/a/data-fine.html?fbclid=IwAR0abc", "Priya Raman"},
		{"/feeds/atom03.xml", "atom 0.3", "Litigation Tracker (Atom 0.3)", 1, "/a/cement-appeal.html", "Marta Kessler"},
		{"/feeds/feed10.json", "json 1.0", "Health Law Digest (JSON Feed 1.0)", 2, "/a/hospital-merger.html", "Daniel Osei"},
		{"/feeds/feed11.json", "json 1.1", "Antitrust Notes (JSON Feed 1.1)", 2, "/a/cement-cartel.html?utm_campaign=notes&gclid=xyz", "Marta Kessler"},
		{"/gzip.xml", "atom 1.0", "Docket Data & Privacy", 2, "/a/data-fine.html?fbclid=IwAR0abc", "Priya Raman"},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			f := parseFixture(t, srv, c.path)
			if f.Type != c.typ || f.Title != c.title || len(f.Items) != c.items {
				t.Fatalf("type %q title %q items %d", f.Type, f.Title, len(f.Items))
			}
			it := f.Items[0]
			if it.Link != srv.URLOf(c.firstLink) || it.Author != c.firstAuthor || it.Title == "" || it.GUID == "" {
				t.Fatalf("item %+v", it)
			}
			if c.typ != "rss 0.91" && (it.Published == nil || it.Published.Year() != 2026) {
				t.Fatalf("date %v", it.Published)
			}
		})
	}
	// Relative links resolve against the feed; items without a GUID use
	// their link.
	f := parseFixture(t, srv, "/feeds/rss2.xml")
	if f.Items[2].Link != srv.URLOf("/a/hospital-merger.html") || f.Items[2].GUID != f.Items[2].Link {
		t.Fatalf("relative %+v", f.Items[2])
	}
	if f.Items[0].GUID != "docket-2026-0301" {
		t.Fatalf("guid %q", f.Items[0].GUID)
	}
}

func TestParseFeedCharsets(t *testing.T) {
	srv := ingesttest.New()
	defer srv.Close()
	latin := parseFixture(t, srv, "/enc/latin1.xml")
	if !strings.HasPrefix(latin.Title, "Actualité du droit") || !strings.HasSuffix(latin.Title, "édition française") {
		t.Errorf("latin1 title %q", latin.Title)
	}
	if !strings.Contains(latin.Items[0].Title, "infligée à l'opérateur") {
		t.Errorf("latin1 item %q", latin.Items[0].Title)
	}
	cyr := parseFixture(t, srv, "/enc/cp1251.xml")
	if cyr.Title != "Правовые новости" || cyr.Items[0].Title != "Арбитражный суд отменил штраф антимонопольной службы" {
		t.Errorf("cp1251 %q %q", cyr.Title, cyr.Items[0].Title)
	}
}

func TestParseFeedBroken(t *testing.T) {
	srv := ingesttest.New()
	defer srv.Close()
	r := fetchFixture(t, srv, "/feeds/broken.xml")
	base, _ := url.Parse(r.URL)
	if f, err := ParseFeed(r.Body, r.ContentType, base); err == nil {
		t.Fatalf("broken feed parsed: %+v", f)
	}
	if _, err := ParseFeed([]byte("<!DOCTYPE html><html><body>hi</body></html>"), "text/html", base); err != ErrNotFeed {
		t.Fatalf("html: %v", err)
	}
	if LooksLikeFeed([]byte("<!DOCTYPE html><html></html>")) || !LooksLikeFeed([]byte(`<?xml version="1.0"?><rss version="2.0"/>`)) || !LooksLikeFeed([]byte(` {"version": "x"}`)) {
		t.Fatal("LooksLikeFeed")
	}
}

func TestDecodeCharsets(t *testing.T) {
	enc := func(s string, cm *charmap.Charmap) []byte { b, _ := cm.NewEncoder().Bytes([]byte(s)); return b }
	cases := []struct {
		name, ct string
		body     []byte
		want     string
		html     bool
	}{
		{"header latin1", "text/html; charset=ISO-8859-1", enc("<p>Café déjà</p>", charmap.ISO8859_1), "Café déjà", true},
		{"meta cp1251", "text/html", enc(`<meta charset="windows-1251"><p>Суд</p>`, charmap.Windows1251), "Суд", true},
		{"header lies utf-8", "text/html; charset=utf-8", enc("<p>naïve “quotes”</p>", charmap.Windows1252), "naïve “quotes”", true},
		{"header lies latin1", "text/html; charset=iso-8859-1", []byte("<p>Café</p>"), "Café", true},
		{"no label, not utf-8", "", enc("<p>Zürich</p>", charmap.Windows1252), "Zürich", true},
		{"xml decl", "application/xml", enc(`<?xml version="1.0" encoding="windows-1251"?><t>Право</t>`, charmap.Windows1251), "Право", false},
		{"xml header only", "application/rss+xml; charset=koi8-r", enc("<t>ok</t>", charmap.Windows1252), "ok", false},
	}
	for _, c := range cases {
		var got []byte
		if c.html {
			got, _ = DecodeHTML(c.body, c.ct)
		} else {
			got, _ = DecodeXML(c.body, c.ct)
		}
		if !strings.Contains(string(got), c.want) {
			t.Errorf("%s: %q", c.name, got)
		}
	}
	out, name := DecodeXML(enc(`<?xml version="1.0" encoding="ISO-8859-1"?><t>é</t>`, charmap.ISO8859_1), "")
	if name != "windows-1252" || !strings.Contains(string(out), `encoding="UTF-8"`) || !strings.Contains(string(out), "é") {
		t.Errorf("declaration not rewritten: %q %s", out, name)
	}
}

func TestExtractArticle(t *testing.T) {
	srv := ingesttest.New()
	defer srv.Close()
	r := fetchFixture(t, srv, "/a/cement-cartel.html")
	base, _ := url.Parse(r.URL)
	ex, err := Extract(r.Body, r.ContentType, base)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ex.Text, "Castell Minerals") || !strings.Contains(ex.Text, "Limitation periods") {
		t.Fatalf("article text missing:\n%s", ex.Text)
	}
	for _, junk := range []string{"Subscribe", "Advertisement", "litigator_77", "Most read", "Cookie", "matter management software", "dataLayer"} {
		if strings.Contains(ex.Text, junk) || strings.Contains(ex.HTML, junk) {
			t.Errorf("boilerplate %q kept", junk)
		}
	}
	if strings.Contains(ex.HTML, "<script") || strings.Contains(ex.HTML, "onclick") {
		t.Errorf("unsafe HTML kept: %s", ex.HTML)
	}
	if ex.SiteName != "The Daily Docket" || ex.Byline == "" || ex.Published == nil || !ex.Published.Equal(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("metadata %q %q %v", ex.SiteName, ex.Byline, ex.Published)
	}
	if ex.Canonical != srv.URLOf("/a/cement-cartel.html?utm_source=canonical-test") {
		t.Errorf("canonical %q", ex.Canonical)
	}
	if strings.Contains(ex.Text, "\n\n\n") || strings.HasPrefix(ex.Text, " ") {
		t.Errorf("text not normalised: %q", ex.Text[:80])
	}

	// Foreign and wrong charsets.
	for p, want := range map[string]string{
		"/enc/cp1251/court-ru.html": "Арбитражный суд в понедельник отменил штраф",
		"/enc/latin1/droit-fr.html": "La cour d'appel a confirmé lundi l'amende",
		"/enc/wrong/droit-fr.html":  "abus de position dominante sur le marché",
	} {
		r := fetchFixture(t, srv, p)
		base, _ := url.Parse(r.URL)
		ex, err := Extract(r.Body, r.ContentType, base)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if !strings.Contains(ex.Text, want) {
			t.Errorf("%s: %q not in\n%s", p, want, ex.Text)
		}
	}
}

func TestHTMLToText(t *testing.T) {
	h, txt := HTMLToText(`<p>One &amp; <b>two</b></p><script>alert(1)</script><p>Three</p>`)
	if strings.Contains(h, "script") || txt != "One & two\n\nThree" {
		t.Fatalf("%q %q", h, txt)
	}
}

// Fuzz targets for the parsers of outside input.

func FuzzParseFeed(f *testing.F) {
	for _, p := range []string{"rss2.xml", "rss1.rdf", "rss091.xml", "atom10.xml", "atom03.xml", "feed10.json", "feed11.json", "broken.xml", "latin1.xml"} {
		if b, err := os.ReadFile("ingesttest/testdata/feeds/" + p); err == nil {
			f.Add(b, "application/xml")
		}
	}
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","url":"/x"}]}`), "application/feed+json")
	base, _ := url.Parse("https://feeds.example/dir/feed.xml")
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		feed, err := ParseFeed(body, ct, base)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, it := range feed.Items {
			if it.GUID == "" || seen[it.GUID] {
				t.Fatalf("item GUID %q empty or repeated", it.GUID)
			}
			seen[it.GUID] = true
			if it.Link != "" && !strings.HasPrefix(it.Link, "http") {
				t.Fatalf("link %q not absolute", it.Link)
			}
		}
	})
}

func FuzzExtract(f *testing.F) {
	for _, p := range []string{"cement-cartel.html", "court-ru.html"} {
		if b, err := os.ReadFile("ingesttest/testdata/articles/" + p); err == nil {
			f.Add(b, "text/html")
		}
	}
	f.Add([]byte(`<html><head><link rel=canonical href="//x/"></head><body><article><p>a b c</p></article>`), "text/html; charset=koi8-r")
	base, _ := url.Parse("https://news.example/a/1.html")
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		ex, err := Extract(body, ct, base)
		if err != nil {
			return
		}
		if strings.Contains(strings.ToLower(ex.HTML), "<script") {
			t.Fatalf("script survived sanitising: %q", ex.HTML)
		}
		if ex.Canonical != "" && !strings.HasPrefix(ex.Canonical, "http") {
			t.Fatalf("canonical %q", ex.Canonical)
		}
	})
}

func FuzzDecodeHTML(f *testing.F) {
	f.Add([]byte("<meta charset=windows-1251>\xd1\xf3\xe4"), "")
	f.Add([]byte("caf\xe9"), "text/html; charset=utf-8")
	f.Add([]byte(`<?xml version="1.0" encoding="iso-8859-1"?><a>caf\xe9</a>`), "text/xml")
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		out, _ := DecodeHTML(body, ct)
		if !utf8.Valid(out) {
			t.Fatalf("DecodeHTML produced invalid UTF-8")
		}
		out, _ = DecodeXML(body, ct)
		if !utf8.Valid(out) {
			t.Fatalf("DecodeXML produced invalid UTF-8")
		}
	})
}

func TestCleanTitle(t *testing.T) {
	for _, c := range []struct{ in, typ, want string }{
		{"Harrow Lane &amp; Obuya Mertens agree", "rss", "Harrow Lane & Obuya Mertens agree"},
		{"<b>Court</b> rules  on\nappeal", "atom", "Court rules on appeal"},
		{"Fees < 5% & costs", "rss", "Fees < 5% & costs"},
		{"Plain title", "rss", "Plain title"},
		// After the XML parser's own decoding:
		{"Why x<y and a>b matters", "rss", "Why x<y and a>b matters"},
		{"Court bans &lt;script&gt; injection", "atom", "Court bans <script> injection"},
		{"Court bans <script> injection", "rss", "Court bans <script> injection"},
		{"</example>", "atom", "</example>"},
		{"<em></em>", "rss", "<em></em>"},
		{`<a href="/x">Ruling</a> on <i>costs</i>`, "rss", "Ruling on costs"},
		{"AT&amp;T &lt;b&gt;", "json", "AT&amp;T &lt;b&gt;"},
	} {
		if got := cleanTitle(c.in, c.typ); got != c.want {
			t.Errorf("cleanTitle(%q, %s) = %q, want %q", c.in, c.typ, got, c.want)
		}
	}
}

// Titles and authors as the feeds of each format write them (the
// fixtures under testdata/titles.*).
func TestParseFeedTitlesAndAuthors(t *testing.T) {
	for _, c := range []struct {
		file    string
		titles  []string
		authors []string
	}{
		{"titles.rss", []string{"Why x<y and a>b matters", "Court bans <script> injection", "</example>",
			"Harrow Lane & Obuya settle", "The tribunal heard evidence from three former employees of the company over…"},
			[]string{"Ana Ruiz, Tom Berg", "", "", "", ""}},
		{"titles.atom", []string{"Why x<y and a>b matters", "Court bans <script> injection", "</example>", "Bold ruling"},
			[]string{"Priya Raman, Daniel Osei, Marta Kessler", "", "", ""}},
		{"titles.json", []string{"Fees <b>not</b> &amp; costs", "</example>"}, []string{"Ana Ruiz, Tom Berg", ""}},
	} {
		body, err := os.ReadFile(filepath.Join("testdata", c.file))
		if err != nil {
			t.Fatal(err)
		}
		f, err := ParseFeed(body, "", nil)
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		if len(f.Items) != len(c.titles) {
			t.Fatalf("%s: %d items", c.file, len(f.Items))
		}
		for i, it := range f.Items {
			title := it.Title
			if title == "" {
				_, text := HTMLToText(firstNonEmpty(it.Content, it.Summary))
				title = TitleFromText(text)
			}
			if title != c.titles[i] || it.Author != c.authors[i] {
				t.Errorf("%s item %d: title %q author %q, want %q %q", c.file, i, title, it.Author, c.titles[i], c.authors[i])
			}
		}
	}
}

func TestTitleFromText(t *testing.T) {
	for in, want := range map[string]string{
		"":                            "",
		"Short note.":                 "Short note.",
		"One two three\nsecond":       "One two three",
		"a b c d e f g h i j k l m n": "a b c d e f g h i j k l…",
		strings.Repeat("x", 100):      strings.Repeat("x", 80) + "…",
	} {
		if got := TitleFromText(in); got != want {
			t.Errorf("TitleFromText(%q) = %q, want %q", in, got, want)
		}
	}
}
