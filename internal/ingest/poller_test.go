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

func openStore(t *testing.T) store.Store { return storetest.OpenSQLite(t) }

func addSources(t *testing.T, st store.Store, srv *ingesttest.Server, kind source.Kind, paths ...string) map[string]int64 {
	t.Helper()
	ids := map[string]int64{}
	for _, p := range paths {
		s, err := st.AddSource(context.Background(), source.Source{URL: srv.URLOf(p), Kind: kind})
		if err != nil {
			t.Fatal(err)
		}
		ids[p] = s.ID
	}
	return ids
}

func testConfig() Config {
	return Config{
		Fetch:   FetchConfig{AllowPrivate: true, Timeout: time.Second, MaxBodyBytes: 2 << 20},
		Workers: 4,
		Lease:   3 * time.Second,
	}
}

func TestIngestFixtures(t *testing.T) { testIngestFixtures(t, openStore(t)) }

// TestIngestFixturesPostgres runs the same against PostgreSQL when
// LEGISTS_TEST_POSTGRES names a server (in a schema of its own).
func TestIngestFixturesPostgres(t *testing.T) { testIngestFixtures(t, storetest.OpenPostgres(t)) }

func testIngestFixtures(t *testing.T, st store.Store) {
	srv := ingesttest.New()
	srv.SlowDelay = 3 * time.Second
	defer srv.Close()
	ctx := context.Background()
	feeds := addSources(t, st, srv, source.KindFeed,
		"/feeds/rss2.xml", "/feeds/rss1.rdf", "/feeds/rss091.xml", "/feeds/atom10.xml", "/feeds/atom03.xml",
		"/feeds/feed10.json", "/feeds/feed11.json", "/feeds/wire.xml", "/enc/latin1.xml", "/enc/cp1251.xml",
		"/cond.xml", "/old-feed.xml",
		"/feeds/broken.xml", "/slow.xml", "/huge.xml", "/loop/a")
	// The 429 host asks to be left alone for two minutes: serve it under
	// another host name, so that the other sources are not held back.
	limited, err := st.AddSource(ctx, source.Source{URL: strings.Replace(srv.URLOf("/429.xml"), "127.0.0.1", "localhost", 1)})
	if err != nil {
		t.Fatal(err)
	}
	feeds["/429.xml"] = limited.ID
	pages := addSources(t, st, srv, source.KindPage, "/enc/wrong/droit-fr.html")

	p := New(st, testConfig())
	defer p.Close()
	c, err := p.Run(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	want := source.IngestCounts{Sources: 18, Fetched: 14, NotModified: 0, New: 7, Duplicates: 2, Errors: 5}
	if c.Sources != want.Sources || c.Fetched != want.Fetched || c.NotModified != want.NotModified ||
		c.New != want.New || c.Duplicates != want.Duplicates || c.Errors != want.Errors {
		t.Fatalf("first run %+v, want %+v", c, want)
	}

	// Articles: canonical URLs without tracking, readable text without
	// boilerplate, metadata.
	page, err := st.ListArticles(ctx, store.ArticleFilter{Duplicates: true, WithText: true, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Articles) != 9 {
		t.Fatalf("%d articles stored", len(page.Articles))
	}
	byURL := map[string]source.Article{}
	dups := 0
	for _, a := range page.Articles {
		if strings.Contains(a.CanonicalURL, "utm_") || strings.Contains(a.CanonicalURL, "fbclid") {
			t.Errorf("tracking in canonical %s", a.CanonicalURL)
		}
		if strings.Contains(a.Text, "litigator_77") || strings.Contains(a.Text, "Advertisement") {
			t.Errorf("boilerplate in %s", a.CanonicalURL)
		}
		if !a.FullText || a.Text == "" || a.ContentHash != source.ContentHash(a.Text) {
			t.Errorf("article %s: full %v hash %s", a.CanonicalURL, a.FullText, a.ContentHash)
		}
		if a.DuplicateOf != nil {
			dups++
		}
		byURL[strings.TrimPrefix(a.CanonicalURL, srv.URL)] = a
	}
	if dups != 2 {
		t.Errorf("%d duplicates recorded", dups)
	}
	cartel, ok := byURL["/a/cement-cartel.html"]
	if !ok || cartel.Publisher != "The Daily Docket" || cartel.Author == "" || cartel.PublishedAt == nil {
		t.Fatalf("cartel %+v (have %v)", cartel, keys(byURL))
	}
	reprint := byURL["/gazette/cement-reprint.html"]
	if (reprint.DuplicateOf == nil) == (cartel.DuplicateOf == nil) {
		t.Errorf("reprint and original: exactly one should be the duplicate: %v %v", reprint.DuplicateOf, cartel.DuplicateOf)
	}
	if ru := byURL["/enc/cp1251/court-ru.html"]; !strings.Contains(ru.Text, "Арбитражный суд") || ru.Title != "Арбитражный суд отменил штраф антимонопольной службы" {
		t.Errorf("cp1251 article %q / %q", ru.Title, ru.Text[:min(80, len(ru.Text))])
	}

	// Sources: failures back off and show their error; the permanent
	// redirect moved its source; the good ones are OK.
	now := time.Now()
	for _, p := range []string{"/feeds/broken.xml", "/slow.xml", "/huge.xml", "/loop/a", "/429.xml"} {
		s, _ := st.GetSource(ctx, feeds[p])
		if s.State(now) != source.StatusError || s.LastError == "" || s.ErrorCount != 1 || !s.NextPollAt.After(now) || s.ClaimedUntil != nil {
			t.Errorf("%s: %+v", p, s)
		}
	}
	if s, _ := st.GetSource(ctx, feeds["/429.xml"]); s.NextPollAt.Before(now.Add(100*time.Second)) || s.LastStatus != 429 {
		t.Errorf("429 source due %s (status %d)", s.NextPollAt.Sub(now), s.LastStatus)
	}
	if s, _ := st.GetSource(ctx, feeds["/old-feed.xml"]); s.URL != srv.URLOf("/feeds/rss2.xml?edition=new") {
		t.Errorf("moved source URL %s", s.URL)
	}
	if s, _ := st.GetSource(ctx, feeds["/cond.xml"]); s.ETag != `"rev-7"` || s.NextPollAt.Before(now.Add(25*time.Minute)) {
		t.Errorf("cond source %+v", s)
	}
	if s, _ := st.GetSource(ctx, feeds["/feeds/rss2.xml"]); s.State(now) != source.StatusOK || s.Title != "The Daily Docket – Regulation" || s.FeedType != "rss 2.0" {
		t.Errorf("rss2 source %+v", s)
	}
	if s, _ := st.GetSource(ctx, pages["/enc/wrong/droit-fr.html"]); s.State(now) != source.StatusOK || s.ArticleCount != 1 {
		t.Errorf("page source %+v", s)
	}

	// Stories: the cartel decision and the appeal are one story, with the
	// reprint in it; the other events each have their own.
	stories, err := st.ListStories(ctx, store.StoryFilter{WithArticles: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(stories.Stories) != 6 {
		for _, s := range stories.Stories {
			t.Logf("story %d %q %d articles", s.ID, s.Title, len(s.Articles))
		}
		t.Fatalf("%d stories, want 6", len(stories.Stories))
	}
	var cement *source.Story
	for i, s := range stories.Stories {
		for _, a := range s.Articles {
			if strings.HasSuffix(a.CanonicalURL, "/a/cement-appeal.html") {
				cement = &stories.Stories[i]
			}
		}
	}
	if cement == nil || cement.ArticleCount != 2 || len(cement.Articles) != 3 || len(cement.Timeline) != 3 {
		t.Fatalf("cement story %+v", cement)
	}

	// Second run, every source again: nothing new, the conditional GET is
	// answered 304, errors are counted again.
	p2 := New(st, Config{Fetch: testConfig().Fetch, All: true, Lease: 3 * time.Second})
	defer p2.Close()
	c2, err := p2.Run(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if c2.New != 0 || c2.Duplicates != 0 || c2.NotModified != 1 || c2.Sources != 18 || c2.Errors != 5 || c2.Updated != 0 {
		t.Fatalf("second run %+v", c2)
	}
	if s, _ := st.GetSource(ctx, feeds["/feeds/broken.xml"]); s.ErrorCount != 2 {
		t.Errorf("error count %d after two failures", s.ErrorCount)
	}
	page2, _ := st.ListArticles(ctx, store.ArticleFilter{Duplicates: true, Limit: 100})
	if len(page2.Articles) != 9 {
		t.Fatalf("%d articles after the second run", len(page2.Articles))
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// A process that dies holding a lease: the next run waits for the lease to
// lapse, then polls the source; nothing is duplicated.
func TestIngestAfterDeadWorker(t *testing.T) {
	srv := ingesttest.New()
	srv.PageDelay = 20 * time.Millisecond
	defer srv.Close()
	st := openStore(t)
	ctx := context.Background()
	ids := addSources(t, st, srv, source.KindFeed, "/slowfeed.xml?n=30")
	id := ids["/slowfeed.xml?n=30"]

	// The first run is interrupted part-way.
	cfg := testConfig()
	cfg.PagesPerSource = 1
	p := New(st, cfg)
	runCtx, cancel := context.WithCancel(ctx)
	go func() {
		for {
			pg, _ := st.ListArticles(ctx, store.ArticleFilter{Limit: 100})
			if len(pg.Articles) >= 8 {
				cancel()
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	c1, _ := p.Run(runCtx, true)
	p.Close()
	if c1.New >= 30 || c1.New == 0 {
		t.Fatalf("interrupted run stored %d", c1.New)
	}
	// Then a dead process claims it (a kill -9 leaves its lease behind).
	now := time.Now()
	if ok, err := st.ClaimSource(ctx, id, "dead-process", now, now.Add(1500*time.Millisecond)); !ok || err != nil {
		t.Fatalf("claim %v %v", ok, err)
	}
	cfg.All = true
	p2 := New(st, cfg)
	defer p2.Close()
	start := time.Now()
	c2, err := p2.Run(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) < time.Second {
		t.Errorf("did not wait for the dead lease (%s)", time.Since(start))
	}
	if c1.New+c2.New != 30 || c2.Skipped != 0 {
		t.Fatalf("runs stored %d + %d (skipped %d), want 30", c1.New, c2.New, c2.Skipped)
	}
	s, _ := st.GetSource(ctx, id)
	if s.ClaimedUntil != nil || s.State(time.Now()) != source.StatusOK || s.ArticleCount != 30 {
		t.Fatalf("source after rerun %+v", s)
	}
	// A live holder renews its lease: a --once run leaves its source alone.
	now = time.Now()
	st.ClaimSource(ctx, id, "live-process", now, now.Add(time.Second))
	stopRenew := make(chan struct{})
	go func() {
		tk := time.NewTicker(200 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-stopRenew:
				return
			case <-tk.C:
				st.RenewClaim(ctx, id, "live-process", time.Now().Add(time.Second))
			}
		}
	}()
	c3, err := p2.Run(ctx, true)
	close(stopRenew)
	if err != nil || c3.Skipped != 1 || c3.Sources != 0 {
		t.Fatalf("run beside a live holder %+v %v", c3, err)
	}
}

func TestRunContinuous(t *testing.T) {
	srv := ingesttest.New()
	defer srv.Close()
	st := openStore(t)
	addSources(t, st, srv, source.KindFeed, "/feeds/rss2.xml")
	cfg := testConfig()
	cfg.Interval = 50 * time.Millisecond
	p := New(st, cfg)
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	c, err := p.Run(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	// Polled once: the source is not due again for its interval.
	if c.Sources != 1 || c.New != 3 {
		t.Fatalf("continuous %+v", c)
	}
}

// TestIngestInterruptedPoll: a run that stops (its deadline here) while a
// source has not answered counts no error against the source: the claim
// is released, the source is due again at once and keeps its state.
func TestIngestInterruptedPoll(t *testing.T) {
	srv := ingesttest.New()
	defer srv.Close()
	st := openStore(t)
	ctx := context.Background()
	id := addSources(t, st, srv, source.KindFeed, "/slow.xml")["/slow.xml"]
	p := New(st, testConfig())
	defer p.Close()
	runCtx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	c, _ := p.Run(runCtx, true)
	if c.FeedErrors != 0 || c.Errors != 0 {
		t.Errorf("an interrupted poll counted as failed: %+v", c)
	}
	s, err := st.GetSource(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if s.ErrorCount != 0 || s.LastError != "" || s.ClaimedUntil != nil || s.NextPollAt.After(time.Now()) {
		t.Fatalf("source after an interrupted poll: errors %d %q, claimed until %v, next poll %s", s.ErrorCount, s.LastError, s.ClaimedUntil, s.NextPollAt)
	}
	if state := s.State(time.Now()); state != source.StatusPending {
		t.Errorf("source state %q, want %q (never answered)", state, source.StatusPending)
	}
}
