package ingest

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"legists/internal/ingest/ingesttest"
	"legists/internal/source"
)

func detectConfig() FetchConfig {
	return FetchConfig{AllowPrivate: true, Timeout: 2 * time.Second}
}

// What is neither a feed nor a readable page is refused with a reason.
func TestDetectRefuses(t *testing.T) {
	srv := ingesttest.New()
	defer srv.Close()
	for path, want := range map[string]string{
		"/detect/empty.xml":        "the answer is empty (0 bytes)",
		"/detect/sitemap.xml":      "XML document (root <urlset>) that is not an RSS, Atom or JSON feed",
		"/detect/html-as-xml.xml":  "HTML page served as application/xml",
		"/detect/bad-encoding.xml": `names encoding "invalid", which is not a known character encoding`,
		"/detect/api.json":         "JSON (application/json) but not a JSON Feed",
		"/detect/logo.png":         "its answer is image/png, not a feed or an HTML page",
		"/detect/nothing.html":     "announces no feed and has no readable article",
		"/detect/dead-link.html":   "announces it as its feed, but it is not one",
	} {
		src := source.Source{URL: srv.URLOf(path)}
		err := Detect(context.Background(), detectConfig(), &src, DetectOptions{})
		if !errors.Is(err, ErrUnreadable) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", path, err, want)
		}
		if err != nil && !strings.Contains(err.Error(), "neither a feed nor a readable page") {
			t.Errorf("%s: %v does not say what it is not", path, err)
		}
	}
}

func TestDetectFeedsAndPages(t *testing.T) {
	srv := ingesttest.New()
	defer srv.Close()
	ctx := context.Background()
	for _, c := range []struct {
		path    string
		pick    int
		kind    source.Kind
		url     string
		title   string
		feedTyp string
	}{
		{"/feeds/atom10.xml", 0, source.KindFeed, "/feeds/atom10.xml", "Docket Data & Privacy", "atom 1.0"},
		{"/a/cement-cartel.html", 0, source.KindPage, "/a/cement-cartel.html", "", ""},
		// A home page announcing one feed: that feed.
		{"/detect/home-one.html", 0, source.KindFeed, "/feeds/rss2.xml", "The Daily Docket – Regulation", "rss 2.0"},
		// Several, with a pick.
		{"/detect/home-several.html", 2, source.KindFeed, "/feeds/atom10.xml", "Docket Data & Privacy", "atom 1.0"},
		{"/detect/home-several.html", 3, source.KindFeed, "/feeds/feed11.json", "Antitrust Notes (JSON Feed 1.1)", "json 1.1"},
		// A home page that announces nothing: the common paths.
		{"/", 0, source.KindFeed, "/index.xml", "The Daily Docket – Regulation", "rss 2.0"},
	} {
		src := source.Source{URL: srv.URLOf(c.path)}
		if err := Detect(ctx, detectConfig(), &src, DetectOptions{Pick: c.pick}); err != nil {
			t.Errorf("%s: %v", c.path, err)
			continue
		}
		if src.Kind != c.kind || src.URL != srv.URLOf(c.url) || (c.title != "" && src.Title != c.title) || src.FeedType != c.feedTyp {
			t.Errorf("%s pick %d: %+v", c.path, c.pick, src)
		}
	}

	// Several feeds and no pick: the list, in document order.
	src := source.Source{URL: srv.URLOf("/detect/home-several.html")}
	err := Detect(ctx, detectConfig(), &src, DetectOptions{})
	var several *SeveralFeedsError
	if !errors.As(err, &several) || len(several.Feeds) != 3 || several.Feeds[1].URL != srv.URLOf("/feeds/atom10.xml") ||
		several.Feeds[1].Title != "Data & privacy" || !strings.Contains(err.Error(), "2. "+srv.URLOf("/feeds/atom10.xml")) {
		t.Fatalf("several: %v", err)
	}
	if err := Detect(ctx, detectConfig(), &src, DetectOptions{Pick: 4}); err == nil || !strings.Contains(err.Error(), "no feed 4") {
		t.Errorf("pick 4 of 3: %v", err)
	}
}

func TestDiscoverFeeds(t *testing.T) {
	base, _ := url.Parse("https://news.example/section/page.html")
	page := `<html><head>
<link rel="alternate" type="application/rss+xml" href="/rss.xml" title=" Main  feed ">
<LINK REL="Alternate Feed" TYPE="application/atom+xml; charset=utf-8" HREF="atom.xml">
<link rel="alternate" type="application/rss+xml" href="/rss.xml">
<link rel="alternate" type="text/html" href="/other">
<link rel="stylesheet" type="application/rss+xml" href="/not-a-feed">
<link rel="alternate" type="application/feed+json" href="javascript:alert(1)">
<link rel="alternate" type="application/feed+json" href="https://cdn.example/feed.json">
</head><body></body></html>`
	got := DiscoverFeeds([]byte(page), base)
	want := []FeedLink{
		{URL: "https://news.example/rss.xml", Title: "Main feed", Type: "application/rss+xml"},
		{URL: "https://news.example/section/atom.xml", Type: "application/atom+xml"},
		{URL: "https://cdn.example/feed.json", Type: "application/feed+json"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("feed %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

func FuzzDiscoverFeeds(f *testing.F) {
	f.Add([]byte(`<link rel="alternate" type="application/rss+xml" href="/feed">`))
	f.Add([]byte(`<base href="http://a.example/x/"><link rel=alternate type=application/atom+xml href=y title="T">`))
	f.Add([]byte(`<link rel="alternate" type="application/feed+json" href="http://[::1">`))
	f.Add([]byte("<html><head><link\x00 rel"))
	base, _ := url.Parse("https://news.example/")
	f.Fuzz(func(t *testing.T, page []byte) {
		for _, l := range DiscoverFeeds(page, base) {
			if _, err := source.ParseURL(l.URL); err != nil {
				t.Fatalf("not an http(s) URL: %q", l.URL)
			}
			if !feedTypes[l.Type] {
				t.Fatalf("type %q", l.Type)
			}
		}
	})
}
