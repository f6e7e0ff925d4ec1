package ingest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"legists/internal/source"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

// TestClusterConcurrent clusters 60 reports of three new events, saved
// and clustered by 12 goroutines at once (the assignments are written in
// shared transactions): each event is one story holding its 20 reports,
// and no article is left out.
func TestClusterConcurrent(t *testing.T) { testClusterConcurrent(t, openStore(t)) }

func TestClusterConcurrentPostgres(t *testing.T) {
	testClusterConcurrent(t, storetest.OpenPostgres(t))
}

func testClusterConcurrent(t *testing.T, st store.Store) {
	ctx := context.Background()
	t0 := time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)
	cfg := testConfig()
	cfg.Now = func() time.Time { return t0.Add(6 * time.Hour) }
	p := New(st, cfg)
	src, err := st.AddSource(ctx, source.Source{URL: "https://wire.example/feed"})
	if err != nil {
		t.Fatal(err)
	}
	events := []struct{ title, words string }{
		{"Cement cartel fined by competition authority", "cement cartel fine competition authority price fixing producers"},
		{"Shipping insurer sued over sanctions cover", "shipping insurer sanctions cover tanker lawsuit underwriters"},
		{"Pharma patent revoked by appeal board", "pharmaceutical patent revoked appeal board inventive step molecule"},
	}
	const perEvent = 20
	var wg sync.WaitGroup
	errs := make(chan error, len(events)*perEvent)
	jobs := make(chan int)
	for range 12 {
		wg.Go(func() {
			for n := range jobs {
				e := events[n%len(events)]
				at := t0.Add(time.Duration(n) * time.Minute)
				text := fmt.Sprintf("Report %d. %s. %s %s %s.", n, e.title, e.words, e.words, e.words)
				a := &source.Article{SourceID: src.ID, GUID: fmt.Sprint(n), URL: fmt.Sprintf("https://wire.example/%d", n),
					Title: e.title, Text: text, PublishedAt: &at}
				r, err := st.SaveArticle(ctx, a)
				if err != nil {
					errs <- err
					continue
				}
				if r.Outcome != source.SavedNew {
					errs <- fmt.Errorf("report %d saved as %v", n, r.Outcome)
					continue
				}
				a.ID = r.ID
				if err := p.cluster(ctx, a); err != nil {
					errs <- err
				}
			}
		})
	}
	for n := range len(events) * perEvent {
		jobs <- n
	}
	close(jobs)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	page, err := st.ListStories(ctx, store.StoryFilter{Limit: 100, WithArticles: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Stories) != len(events) {
		for _, s := range page.Stories {
			t.Logf("story %d %q: %d articles", s.ID, s.Title, s.ArticleCount)
		}
		t.Fatalf("%d stories, want %d", len(page.Stories), len(events))
	}
	for _, s := range page.Stories {
		if s.ArticleCount != perEvent || len(s.Articles) != perEvent {
			t.Errorf("story %q counts %d articles and lists %d, want %d", s.Title, s.ArticleCount, len(s.Articles), perEvent)
		}
		for _, a := range s.Articles {
			if a.Title != s.Title {
				t.Errorf("story %q holds %q", s.Title, a.Title)
			}
		}
	}
	if un, err := st.UnclusteredArticles(ctx, 100); err != nil || len(un) != 0 {
		t.Fatalf("%d articles unclustered (%v)", len(un), err)
	}
}
