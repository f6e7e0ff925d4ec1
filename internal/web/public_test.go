package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"encoding/xml"
	"html"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"legists/internal/brief"
	"legists/internal/demo"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

// demoBrief returns the newest published demo brief.
func demoBrief(t *testing.T) demo.Entry {
	t.Helper()
	entries, err := demo.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	var best demo.Entry
	for _, e := range entries {
		if e.Status == "published" && e.PublishedAt.After(best.PublishedAt) {
			best = e
		}
	}
	if best.Slug == "" {
		t.Fatal("no published demo brief")
	}
	return best
}

var hrefRE = regexp.MustCompile(`href="(/firms/[^"/]+)"`)

func TestPublicPages(t *testing.T) {
	s := newSite(t)
	e := demoBrief(t)
	b, err := s.st.GetBrief(context.Background(), e.Slug)
	if err != nil {
		t.Fatal(err)
	}

	resp, home := s.get("/")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("home: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	mustContain(t, home, `<html lang="en">`, "Legists", `href="/briefs/`+e.Slug+`"`, `class="rail"`, `href="/topics/`, `href="/events#`,
		`action="/subscribe"`, `name="email"`, `name="topics"`, `name="frequency"`, `rel="alternate" type="application/atom+xml"`)
	mustNotContain(t, home, "<script>", "style=")
	// A front page with a hierarchy, each brief once: the lead (the newest
	// brief), a second row of three, the rest as headlines.
	published, err := s.st.ListBriefs(context.Background(), store.BriefFilter{Status: brief.StatusPublished, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for i, pb := range published.Briefs {
		if n := strings.Count(home, `href="/briefs/`+pb.Slug+`"`); n != 1 {
			t.Errorf("the home page links %s %d times, want once", pb.Slug, n)
		}
		lead := regexp.MustCompile(`(?s)<section class="lead".*?</section>`).FindString(home)
		second := regexp.MustCompile(`(?s)<section class="second".*?</section>`).FindString(home)
		switch {
		case i == 0 && !strings.Contains(lead, pb.Slug):
			t.Errorf("the lead is not the newest brief %s", pb.Slug)
		case i >= 1 && i <= 3 && !strings.Contains(second, pb.Slug):
			t.Errorf("brief %d (%s) is not in the second row", i, pb.Slug)
		}
	}

	resp, page := s.get("/briefs/" + e.Slug)
	if resp.StatusCode != 200 {
		t.Fatalf("brief page: %d", resp.StatusCode)
	}
	mustContain(t, page, "<h1 id=\"brief-title\">", ">"+brief.HeadingHappened+"</h2>", ">"+brief.HeadingMeaning+"</h2>", ">"+brief.HeadingLegal+"</h2>",
		`href="#source-1"`, `id="source-1"`, "Archived copy", "Assessing Firms", `class="firmname"`, "Stay Tuned",
		`property="og:title"`, `property="og:type" content="article"`, `rel="canonical" href="`+s.ts.URL+`/briefs/`+e.Slug+`"`)
	mustNotContain(t, page, "style=")
	// Every source of the brief is listed with its publisher.
	for _, src := range b.Sources {
		mustContain(t, page, html.EscapeString(src.Publisher))
	}
	// JSON-LD NewsArticle.
	m := regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no JSON-LD")
	}
	var ld map[string]any
	if err := json.Unmarshal([]byte(m[1]), &ld); err != nil {
		t.Fatalf("JSON-LD: %v\n%s", err, m[1])
	}
	if ld["@type"] != "NewsArticle" || ld["headline"] == "" || ld["datePublished"] == nil {
		t.Errorf("JSON-LD: %v", ld)
	}

	// A firm hashtag leads to the firm's page with its chart and feed.
	fm := hrefRE.FindStringSubmatch(page[strings.Index(page, "Assessing Firms"):])
	if fm == nil {
		t.Fatal("no firm link")
	}
	resp, firm := s.get(fm[1])
	if resp.StatusCode != 200 {
		t.Fatalf("firm page %s: %d", fm[1], resp.StatusCode)
	}
	mustContain(t, firm, `<svg class="activity"`, `role="img"`, `<rect class="bar"`, "Briefs per week", `href="/briefs/`+e.Slug+`"`, fm[1]+"/feed.xml")

	// Topic pages.
	topics, _ := s.st.ListTopics(context.Background())
	var tslug string
	for _, tp := range topics {
		if tp.Name == e.Topics[0] {
			tslug = tp.Slug
		}
	}
	resp, topic := s.get("/topics/" + tslug)
	if resp.StatusCode != 200 {
		t.Fatalf("topic page: %d", resp.StatusCode)
	}
	mustContain(t, topic, `<svg class="activity"`, html.EscapeString(e.Topics[0]), `href="/briefs/`+e.Slug+`"`)

	for _, p := range []string{"/firms/", "/topics/", "/search", "/briefs/" + e.Slug + "/sources/1", "/static/site.css", "/favicon.ico"} {
		if resp, _ := s.get(p); resp.StatusCode != 200 {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
	// Unpublished briefs are not shown.
	entries, _ := demo.Manifest()
	for _, d := range entries {
		if d.Status != "published" {
			if resp, _ := s.get("/briefs/" + d.Slug); resp.StatusCode != 404 {
				t.Errorf("unpublished %s: %d", d.Slug, resp.StatusCode)
			}
		}
	}
}

func TestHTTPCorrectness(t *testing.T) {
	s := newSite(t)
	e := demoBrief(t)
	path := "/briefs/" + e.Slug

	resp, body := s.get(path)
	etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if etag == "" || lm == "" {
		t.Fatalf("validators: ETag %q Last-Modified %q", etag, lm)
	}
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("missing %s", h)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP: %s", csp)
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("nosniff")
	}
	if cc := resp.Header.Get("Cache-Control"); cc == "" {
		t.Error("no Cache-Control")
	}
	// 304 by ETag and by date.
	if resp, b := s.get(path, "If-None-Match", etag); resp.StatusCode != 304 || b != "" {
		t.Errorf("If-None-Match: %d", resp.StatusCode)
	}
	if resp, _ := s.get(path, "If-None-Match", `"other"`); resp.StatusCode != 200 {
		t.Errorf("stale If-None-Match: %d", resp.StatusCode)
	}
	if resp, _ := s.get(path, "If-Modified-Since", lm); resp.StatusCode != 304 {
		t.Errorf("If-Modified-Since: %d", resp.StatusCode)
	}
	old := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Format(http.TimeFormat)
	if resp, _ := s.get(path, "If-Modified-Since", old); resp.StatusCode != 200 {
		t.Errorf("old If-Modified-Since: %d", resp.StatusCode)
	}
	// gzip, and a 304 for the gzip variant's weak tag.
	resp, gz := s.get(path, "Accept-Encoding", "gzip")
	if resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("gzip: %v", resp.Header)
	}
	zr, err := gzip.NewReader(strings.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if string(plain) != body {
		t.Error("gzip body differs")
	}
	if resp2, _ := s.get(path, "Accept-Encoding", "gzip", "If-None-Match", resp.Header.Get("ETag")); resp2.StatusCode != 304 {
		t.Errorf("gzip 304: %d", resp2.StatusCode)
	}
	// gzip of uncached responses (the API) too.
	if resp, _ := s.get("/api/v1/openapi.json", "Accept-Encoding", "gzip"); resp.Header.Get("Content-Encoding") != "gzip" {
		t.Error("API not gzipped")
	}
	// HEAD.
	if resp, b := s.do(http.MethodHead, path, nil); resp.StatusCode != 200 || b != "" {
		t.Errorf("HEAD: %d %q", resp.StatusCode, b)
	}
	// A real 404 page.
	resp, nf := s.get("/no/such/page")
	if resp.StatusCode != 404 || !strings.Contains(nf, "Page not found") || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("404: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp, _ := s.get("/briefs/no-such-brief"); resp.StatusCode != 404 {
		t.Errorf("missing brief: %d", resp.StatusCode)
	}
	if resp, _ := s.get("/firms/no-such-firm"); resp.StatusCode != 404 {
		t.Errorf("missing firm: %d", resp.StatusCode)
	}
	if resp, b := s.get("/api/v1/nothing"); resp.StatusCode != 404 || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("API 404: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	// 405 with Allow.
	if resp, _ := s.do(http.MethodPost, path, strings.NewReader("x")); resp.StatusCode != 405 || !strings.Contains(resp.Header.Get("Allow"), "GET") {
		t.Errorf("POST brief: %d Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
	// 413 for an oversized body (declared or streamed).
	big := bytes.Repeat([]byte("a"), 300<<10)
	if resp, _ := s.do(http.MethodPost, "/api/v1/briefs", bytes.NewReader(big), "Content-Type", "application/json"); resp.StatusCode != 413 {
		t.Errorf("big API body: %d", resp.StatusCode)
	}
	if resp, _ := s.do(http.MethodPost, "/admin/login", bytes.NewReader(big), "Content-Type", "application/x-www-form-urlencoded"); resp.StatusCode != 413 {
		t.Errorf("big form: %d", resp.StatusCode)
	}
	// Static assets are cached for long with a fingerprint.
	resp, _ = s.get(staticURL("site.css"))
	if !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") || resp.Header.Get("ETag") == "" {
		t.Errorf("static: %v", resp.Header)
	}
	// Health.
	if resp, _ := s.get("/healthz"); resp.StatusCode != 200 {
		t.Error("healthz")
	}
	if resp, _ := s.get("/readyz"); resp.StatusCode != 200 {
		t.Error("readyz")
	}
	// The subscribe route is left to the newsletter issue.
	if resp, _ := s.do(http.MethodPost, "/subscribe", strings.NewReader("email=a@b.c")); resp.StatusCode != 404 {
		t.Errorf("subscribe: %d", resp.StatusCode)
	}
}

func TestFeedsParse(t *testing.T) {
	s := newSite(t)
	e := demoBrief(t)
	_, page := s.get("/briefs/" + e.Slug)
	firm := hrefRE.FindStringSubmatch(page[strings.Index(page, "Assessing Firms"):])[1]
	topics, _ := s.st.ListTopics(context.Background())
	topic := "/topics/" + topics[0].Slug
	for _, tp := range topics {
		if tp.Name == e.Topics[0] {
			topic = "/topics/" + tp.Slug
		}
	}
	p := gofeed.NewParser()
	for _, c := range []struct{ path, ctype, kind string }{
		{"/feed.xml", "application/atom+xml", "atom"},
		{"/feed.json", "application/feed+json", "json"},
		{firm + "/feed.xml", "application/atom+xml", "atom"},
		{firm + "/feed.json", "application/feed+json", "json"},
		{topic + "/feed.xml", "application/atom+xml", "atom"},
		{topic + "/feed.json", "application/feed+json", "json"},
	} {
		resp, body := s.get(c.path)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), c.ctype) {
			t.Errorf("%s: %d %s", c.path, resp.StatusCode, resp.Header.Get("Content-Type"))
			continue
		}
		f, err := p.ParseString(body)
		if err != nil {
			t.Errorf("%s: %v", c.path, err)
			continue
		}
		if f.FeedType != c.kind || len(f.Items) == 0 {
			t.Errorf("%s: type %s, %d items", c.path, f.FeedType, len(f.Items))
			continue
		}
		if c.kind == "json" && !strings.HasSuffix(f.FeedVersion, "1.1") {
			t.Errorf("%s: JSON Feed version %q", c.path, f.FeedVersion)
		}
		found := false
		for _, it := range f.Items {
			if !strings.HasPrefix(it.Link, s.ts.URL+"/briefs/") || it.PublishedParsed == nil || it.Title == "" || it.Content == "" {
				t.Errorf("%s: item %+v", c.path, it)
			}
			if it.Link == s.ts.URL+"/briefs/"+e.Slug {
				found = true
			}
		}
		if !found {
			t.Errorf("%s lacks %s", c.path, e.Slug)
		}
	}
	if resp, _ := s.get("/firms/no-such-firm/feed.xml"); resp.StatusCode != 404 {
		t.Error("missing firm feed")
	}
}

func TestSitemapAndRobots(t *testing.T) {
	s := newSite(t)
	resp, body := s.get("/sitemap.xml")
	if resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	}
	var sm struct {
		URLs []struct {
			Loc     string `xml:"loc"`
			LastMod string `xml:"lastmod"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal([]byte(body), &sm); err != nil {
		t.Fatal(err)
	}
	e := demoBrief(t)
	found := false
	for _, u := range sm.URLs {
		if u.Loc == s.ts.URL+"/briefs/"+e.Slug {
			found = u.LastMod != ""
		}
	}
	if !found || len(sm.URLs) < 10 {
		t.Errorf("sitemap: %d urls, brief found %v", len(sm.URLs), found)
	}
	_, robots := s.get("/robots.txt")
	mustContain(t, robots, "User-agent: *", "Disallow: /admin/", "Sitemap: "+s.ts.URL+"/sitemap.xml")
}

func TestSearchPageSQLite(t *testing.T) { testSearchPage(t, newSite(t)) }

func TestSearchPagePostgres(t *testing.T) {
	testSearchPage(t, newSiteOn(t, storetest.OpenPostgres(t)))
}

func testSearchPage(t *testing.T, s *testSite) {
	e := demoBrief(t)
	b, _ := s.st.GetBrief(context.Background(), e.Slug)
	word := strings.Fields(b.Title)[1]
	resp, page := s.get("/search?q=" + word)
	if resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	}
	mustContain(t, page, `href="/briefs/`+e.Slug+`"`, "<mark>", "result")
	// Filters: a date range that excludes everything.
	_, page = s.get("/search?q=" + word + "&from=1990-01-01&to=1990-12-31")
	mustContain(t, page, "No results")
	// Topic filter keeps it.
	topics, _ := s.st.ListTopics(context.Background())
	for _, tp := range topics {
		if tp.Name == e.Topics[0] {
			_, page = s.get("/search?q=" + word + "&topic=" + tp.Slug)
			mustContain(t, page, `href="/briefs/`+e.Slug+`"`)
		}
	}
	// Bad dates are a 400 with a message, not a 500.
	if resp, page := s.get("/search?q=x&from=yesterday"); resp.StatusCode != 400 || !strings.Contains(page, "From") {
		t.Errorf("bad date: %d", resp.StatusCode)
	}
	// Pagination over many hits.
	ctx := context.Background()
	for i := range 25 {
		nb := *b
		nb.Slug = e.Slug + "-copy-" + string(rune('a'+i))
		nb.Title = "Zanzibar ruling " + nb.Slug
		if _, err := s.st.SaveBrief(ctx, &nb, store.SaveOptions{Author: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	s.srv.Invalidate()
	_, page = s.get("/search?q=zanzibar")
	mustContain(t, page, "25 results", "page 1 of 3", `rel="next" href="/search?page=2&amp;q=zanzibar"`)
	_, page = s.get("/search?q=zanzibar&page=3")
	mustContain(t, page, "page 3 of 3", `rel="prev"`)
}

// xssBrief is a published brief whose every field carries markup.
func xssBrief() *brief.Brief {
	now := time.Now().UTC().Truncate(time.Second)
	x := `<script>alert(1)</script><img src=x onerror=alert(2)>`
	para := func(s string) brief.Paragraph {
		return brief.Paragraph{Text: s, Spans: []brief.Span{{Start: 0, End: len(s), Citations: []int{1}}}}
	}
	return &brief.Brief{
		Slug: "xss-test", Title: "Headline " + x, Byline: "Author " + x, Status: brief.StatusPublished, PublishedAt: &now,
		Sections: []brief.Section{
			{Heading: brief.HeadingHappened, Paragraphs: []brief.Paragraph{para("Text " + x + " \"quoted\" 'single'")}},
			{Heading: brief.HeadingMeaning, Paragraphs: []brief.Paragraph{para("More " + x)}},
			{Heading: brief.HeadingLegal, Paragraphs: []brief.Paragraph{para("Legal </p><script>alert(3)</script>")}},
		},
		Firms:   []string{"Evil " + x + " LLP", `Quote" onmouseover="alert(4)`},
		Topics:  []string{"Topic " + x},
		Sources: []brief.Source{{N: 1, URL: "javascript:alert(5)", Title: "Source " + x, Publisher: "Pub " + x, Text: "Archived " + x}},
	}
}

func TestXSSInert(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	if _, err := s.st.SaveBrief(ctx, xssBrief(), store.SaveOptions{Author: "test"}); err != nil {
		t.Fatal(err)
	}
	s.srv.Invalidate()
	bad := []string{"<script>alert", "<img", `href="javascript:`, `" onmouseover="`, "</p><script>"}
	for _, p := range []string{"/", "/briefs/xss-test", "/briefs/xss-test/sources/1", "/search?q=alert",
		"/search?q=%3Cscript%3Ealert(9)%3C/script%3E", "/search?q=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
		"/firms/" + brief.Slugify("Evil <script>alert(1)</script><img src=x onerror=alert(2)> LLP"), "/feed.xml", "/feed.json", "/sitemap.xml"} {
		resp, body := s.get(p)
		if resp.StatusCode >= 500 {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
		for _, b := range bad {
			if strings.Contains(body, b) {
				t.Errorf("%s contains %q", p, b)
			}
		}
	}
	_, page := s.get("/briefs/xss-test")
	mustContain(t, page, "&lt;script&gt;alert(1)&lt;/script&gt;")
	// The JSON-LD block cannot be closed early.
	m := regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`).FindStringSubmatch(page)
	if m == nil || strings.Contains(m[1], "<") {
		t.Errorf("JSON-LD: %v", m)
	}
}
