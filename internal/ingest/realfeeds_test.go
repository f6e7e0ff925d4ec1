package ingest

import (
	"context"
	"strings"
	"testing"
	"time"

	"legists/internal/ingest/ingesttest"
	"legists/internal/source"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

func TestFeedsAsTheyCome(t *testing.T) { testFeedsAsTheyCome(t, openStore(t)) }

func TestFeedsAsTheyComePostgres(t *testing.T) { testFeedsAsTheyCome(t, storetest.OpenPostgres(t)) }

// Items without a link are stored and counted; a page that fails backs off
// per article (no fetch at every poll) and is tried again when its time
// comes; a source set to never keeps the feed's text.
func testFeedsAsTheyCome(t *testing.T, st store.Store) {
	srv := ingesttest.New()
	defer srv.Close()
	ctx := context.Background()
	mixed, err := st.AddSource(ctx, source.Source{URL: srv.URLOf("/feeds/mixed.xml"), Kind: source.KindFeed})
	if err != nil {
		t.Fatal(err)
	}
	never, err := st.AddSource(ctx, source.Source{URL: srv.URLOf("/feeds/rss2.xml"), Kind: source.KindFeed,
		FetchPages: source.FetchPagesNever})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	clock := func() time.Time { return now }
	cfg := testConfig()
	cfg.Now, cfg.All = clock, true
	p := New(st, cfg)
	c, err := p.Run(ctx, true)
	p.Close()
	if err != nil {
		t.Fatal(err)
	}
	// mixed: 5 items, 3 without an http(s) link, one page gone (404);
	// rss2: 3 items, their feed text only.
	if c.Items != 8 || c.New != 8 || c.NoLink != 3 || c.PageErrors != 1 || c.FeedErrors != 0 || c.Errors != 1 {
		t.Fatalf("first run %+v", c)
	}
	if n := srv.Hits("/a/cement-cartel.html") + srv.Hits("/a/data-fine.html"); n != 0 {
		t.Errorf("pages of a never source fetched %d times", n)
	}
	list, err := st.ListArticles(ctx, store.ArticleFilter{SourceID: mixed.ID, WithText: true})
	if err != nil {
		t.Fatal(err)
	}
	titles := map[string]source.Article{}
	for _, a := range list.Articles {
		titles[a.Title] = a
	}
	note := titles["Editor's note: the tribunal list moves to Thursdays"]
	if note.ID == 0 || note.URL != "" || !strings.HasPrefix(note.CanonicalURL, "urn:legists:item:") || !strings.Contains(note.Text, "Thursdays rather than Fridays") {
		t.Errorf("item without a link: %+v", note)
	}
	if a := titles["Quaimar's shareholders approved the scheme of arrangement by a large majority on…"]; a.ID == 0 {
		t.Errorf("item with neither title nor link: have %v", keys(titles))
	}
	if a := titles["Podcast: the week in sanctions"]; a.ID == 0 || a.URL != "" {
		t.Errorf("item with a tag: link: %+v", a)
	}
	gone := titles["Court clears Tarragon Foods of misleading labels"]
	if gone.ID == 0 || gone.FullText || gone.PageErrors != 1 || gone.PageRetryAt == nil ||
		gone.PageRetryAt.Sub(now) < source.PageBackoff(1)-time.Second || gone.PageRetryAt.Sub(now) > source.PageBackoff(1)+time.Second {
		t.Errorf("article whose page failed: %+v", gone)
	}
	if a := titles["Two firms agree to merge"]; !a.FullText {
		t.Errorf("linked article not read from its page: %+v", a)
	}
	byNever, _ := st.ListArticles(ctx, store.ArticleFilter{SourceID: never.ID, WithText: true})
	for _, a := range byNever.Articles {
		if a.FullText || a.Text == "" {
			t.Errorf("never source's article %q: full %v text %q", a.Title, a.FullText, a.Text)
		}
	}

	// Polled again at once: the gone page is not fetched again, nothing
	// new, no item lost.
	hits := srv.Hits("/a/withdrawn-story.html")
	p = New(st, cfg)
	c, err = p.Run(ctx, true)
	p.Close()
	if err != nil {
		t.Fatal(err)
	}
	if srv.Hits("/a/withdrawn-story.html") != hits || c.New != 0 || c.PageErrors != 0 {
		t.Errorf("second run %+v: the failed page was fetched again (%d hits, was %d)", c, srv.Hits("/a/withdrawn-story.html"), hits)
	}

	// Once its backoff has passed, the page is tried again, and backs off
	// longer.
	now = now.Add(source.PageBackoff(1) + time.Second)
	p = New(st, cfg)
	c, err = p.Run(ctx, true)
	p.Close()
	if err != nil {
		t.Fatal(err)
	}
	if srv.Hits("/a/withdrawn-story.html") != hits+1 || c.PageErrors != 1 || c.New != 0 {
		t.Errorf("third run %+v (%d hits)", c, srv.Hits("/a/withdrawn-story.html"))
	}
	again, err := st.GetArticle(ctx, gone.ID)
	if err != nil || again.PageErrors != 2 || again.PageRetryAt == nil || again.PageRetryAt.Sub(now) < source.PageBackoff(2)-time.Second {
		t.Errorf("after the second failure: %+v %v", again, err)
	}
	total, _ := st.ListArticles(ctx, store.ArticleFilter{Duplicates: true, Limit: 100})
	if len(total.Articles) != 8 {
		t.Errorf("%d articles stored, want 8", len(total.Articles))
	}
}
