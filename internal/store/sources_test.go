package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"legists/internal/source"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

// forEachSourcesStore runs fn on a fresh SQLite store and, when
// LEGISTS_TEST_POSTGRES names a server, on a fresh PostgreSQL schema.
func forEachSourcesStore(t *testing.T, fn func(t *testing.T, s store.Store)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, storetest.OpenSQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, storetest.OpenPostgres(t)) })
}

func srcLongText(seed string, n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%s word%d ", seed, i%37)
		if i%5 == 0 {
			b.WriteString("court ruling appeal ")
		}
	}
	return b.String()
}

func TestSourcesCRUD(t *testing.T) {
	forEachSourcesStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		a, err := s.AddSource(ctx, source.Source{URL: "https://feeds.example/law.xml", Kind: source.KindFeed, Title: "Law"})
		if err != nil {
			t.Fatal(err)
		}
		if a.ID == 0 || a.Kind != source.KindFeed || a.Title != "Law" || a.NextPollAt.IsZero() {
			t.Fatalf("%+v", a)
		}
		if _, err := s.AddSource(ctx, source.Source{URL: "https://FEEDS.example:443/law.xml"}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate add: %v", err)
		}
		if _, err := s.AddSource(ctx, source.Source{URL: "ftp://x.example/"}); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("bad URL: %v", err)
		}
		p, err := s.AddSource(ctx, source.Source{URL: "https://page.example/decision", Kind: source.KindPage})
		if err != nil {
			t.Fatal(err)
		}
		list, err := s.ListSources(ctx)
		if err != nil || len(list) != 2 || list[0].ID != a.ID || list[1].Kind != source.KindPage {
			t.Fatalf("list %+v %v", list, err)
		}
		got, err := s.GetSourceByURL(ctx, "https://feeds.example/law.xml?utm_source=x")
		if err != nil || got.ID != a.ID {
			t.Fatalf("by url %+v %v", got, err)
		}
		if err := s.RemoveSource(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.RemoveSource(ctx, p.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("remove twice: %v", err)
		}
		if _, err := s.GetSource(ctx, p.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("get removed: %v", err)
		}
	})
}

func TestSourcesClaimAndPoll(t *testing.T) {
	forEachSourcesStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		src, err := s.AddSource(ctx, source.Source{URL: "https://feeds.example/a.xml"})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		due, err := s.DueSources(ctx, now.Add(time.Second), false)
		if err != nil || len(due) != 1 {
			t.Fatalf("due %v %v", due, err)
		}
		ok, err := s.ClaimSource(ctx, src.ID, "w1", now, now.Add(time.Minute))
		if err != nil || !ok {
			t.Fatalf("claim %v %v", ok, err)
		}
		if ok, _ := s.ClaimSource(ctx, src.ID, "w2", now, now.Add(time.Minute)); ok {
			t.Fatal("second owner claimed a live lease")
		}
		// A lease that has passed is void: a killed worker's claim expires.
		if ok, _ := s.ClaimSource(ctx, src.ID, "w2", now.Add(2*time.Minute), now.Add(3*time.Minute)); !ok {
			t.Fatal("expired lease not taken over")
		}
		if ok, _ := s.RenewClaim(ctx, src.ID, "w1", now.Add(time.Hour)); ok {
			t.Fatal("old owner renewed a lost lease")
		}
		got, _ := s.GetSource(ctx, src.ID)
		if got.State(now) != source.StatusRunning {
			t.Fatalf("state %s", got.State(now))
		}
		next := now.Add(source.Backoff(1))
		if err := s.FinishPoll(ctx, src.ID, "w2", source.PollResult{At: now, Status: 503, Err: "HTTP 503", NextPollAt: next}); err != nil {
			t.Fatal(err)
		}
		got, _ = s.GetSource(ctx, src.ID)
		if got.ClaimedUntil != nil || got.ErrorCount != 1 || got.LastError != "HTTP 503" || got.State(now) != source.StatusError || !got.NextPollAt.Equal(next.UTC().Truncate(time.Microsecond)) {
			t.Fatalf("after failure %+v", got)
		}
		if due, _ := s.DueSources(ctx, now, false); len(due) != 0 {
			t.Fatalf("backing-off source due: %+v", due)
		}
		if due, _ := s.DueSources(ctx, now, true); len(due) != 1 {
			t.Fatal("all=true skips a source")
		}
		s.ClaimSource(ctx, src.ID, "w3", now, now.Add(time.Minute))
		err = s.FinishPoll(ctx, src.ID, "w3", source.PollResult{At: now, Status: 200, OK: true, ETag: `"v1"`,
			LastModified: "Mon, 02 Mar 2026 09:00:00 GMT", Title: "Feed A", FeedType: "rss 2.0",
			NewURL: "https://feeds.example/moved.xml", NextPollAt: now.Add(15 * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		got, _ = s.GetSource(ctx, src.ID)
		if got.ErrorCount != 0 || got.LastError != "" || got.ETag != `"v1"` || got.Title != "Feed A" || got.URL != "https://feeds.example/moved.xml" || got.State(now) != source.StatusOK {
			t.Fatalf("after success %+v", got)
		}
		// A 304 keeps the validators.
		s.ClaimSource(ctx, src.ID, "w3", now, now.Add(time.Minute))
		s.FinishPoll(ctx, src.ID, "w3", source.PollResult{At: now, Status: 304, OK: true, KeepValidators: true, NextPollAt: now})
		got, _ = s.GetSource(ctx, src.ID)
		if got.ETag != `"v1"` {
			t.Fatalf("304 lost the etag: %+v", got)
		}
	})
}

func TestSaveArticleDedupe(t *testing.T) {
	forEachSourcesStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		src, _ := s.AddSource(ctx, source.Source{URL: "https://wire.example/feed"})
		other, _ := s.AddSource(ctx, source.Source{URL: "https://paper.example/feed"})
		pub := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		text := srcLongText("cartel", 120)
		a := &source.Article{SourceID: src.ID, GUID: "wire-1", URL: "https://wire.example/a1?utm_source=rss",
			CanonicalURL: "https://wire.example/a1", Title: "Cartel fined", Text: text, HTML: "<p>x</p>", FullText: true, PublishedAt: &pub}
		r, err := s.SaveArticle(ctx, a)
		if err != nil || r.Outcome != source.SavedNew || r.ID == 0 {
			t.Fatalf("first save %+v %v", r, err)
		}
		// Same GUID, nothing changed.
		if r2, err := s.SaveArticle(ctx, a); err != nil || r2.Outcome != source.SavedUnchanged || r2.ID != r.ID {
			t.Fatalf("resave %+v %v", r2, err)
		}
		// Same canonical URL from another item: updates.
		b := *a
		b.GUID, b.Title = "wire-1-bis", "Cartel fined 41m"
		if r3, err := s.SaveArticle(ctx, &b); err != nil || r3.Outcome != source.SavedUpdated || r3.ID != r.ID {
			t.Fatalf("update %+v %v", r3, err)
		}
		// The same page listed by another source does not overwrite it.
		x := b
		x.SourceID, x.GUID, x.Title = other.ID, "other-1", "Another headline"
		if r, err := s.SaveArticle(ctx, &x); err != nil || r.Outcome != source.SavedUnchanged {
			t.Fatalf("cross-source %+v %v", r, err)
		}
		// A reprint under another URL with a changed word.
		c := &source.Article{SourceID: other.ID, GUID: "p-9", URL: "https://paper.example/reprint",
			CanonicalURL: "https://paper.example/reprint", Title: "Cement makers fined",
			Text: strings.Replace(text, "word3 ", "word4 ", 1), PublishedAt: &pub}
		r4, err := s.SaveArticle(ctx, c)
		if err != nil || r4.Outcome != source.SavedDuplicate || r4.DuplicateOf != r.ID {
			t.Fatalf("reprint %+v %v", r4, err)
		}
		// A reprint of the reprint points at the first copy.
		d := *c
		d.GUID, d.URL, d.CanonicalURL = "p-10", "https://third.example/x", "https://third.example/x"
		r5, err := s.SaveArticle(ctx, &d)
		if err != nil || r5.Outcome != source.SavedDuplicate || r5.DuplicateOf != r.ID {
			t.Fatalf("reprint 2 %+v %v", r5, err)
		}
		// A different text is new.
		e := &source.Article{SourceID: other.ID, GUID: "p-11", URL: "https://paper.example/other", Title: "Other",
			Text: srcLongText("merger", 120)}
		r6, err := s.SaveArticle(ctx, e)
		if err != nil || r6.Outcome != source.SavedNew {
			t.Fatalf("other %+v %v", r6, err)
		}
		// Short texts are never near-duplicates of each other.
		for i, u := range []string{"https://s.example/1", "https://s.example/2"} {
			f := &source.Article{SourceID: other.ID, GUID: u, URL: u, Title: "Brief", Text: "Short teaser."}
			if r, err := s.SaveArticle(ctx, f); err != nil || (i == 1 && r.Outcome != source.SavedNew) {
				t.Fatalf("short %d %+v %v", i, r, err)
			}
		}

		// A feed's items looked up at once: by GUID within the source
		// first, else by the link's canonical form; nil when unknown; no
		// text loaded.
		keys := []store.ArticleKey{{GUID: "wire-1"}, {Link: "https://wire.example/a1?utm_medium=x#top"},
			{GUID: "nope", Link: "https://nope.example/"}, {GUID: "p-9", Link: "https://third.example/x"},
			{}, {Link: "not a link"}, {GUID: "p-11", Link: "https://paper.example/other"},
			{GUID: "unknown", Link: "https://paper.example/reprint"}, {GUID: "wire-1", Link: "https://paper.example/other"}}
		for _, tc := range []struct {
			source int64
			want   []int64 // one per key, 0 for none
		}{
			{src.ID, []int64{r.ID, r.ID, 0, r5.ID, 0, 0, r6.ID, r4.ID, r.ID}},
			{other.ID, []int64{0, r.ID, 0, r4.ID, 0, 0, r6.ID, r4.ID, r6.ID}},
		} {
			got, err := s.FindArticles(ctx, tc.source, keys)
			if err != nil || len(got) != len(keys) {
				t.Fatalf("find articles: %d %v", len(got), err)
			}
			for i, k := range keys {
				switch {
				case tc.want[i] == 0 && got[i] != nil:
					t.Errorf("source %d, %+v: found article %d, want none", tc.source, k, got[i].ID)
				case tc.want[i] != 0 && (got[i] == nil || got[i].ID != tc.want[i] || got[i].Text != ""):
					t.Errorf("source %d, %+v: found %+v, want article %d without its text", tc.source, k, got[i], tc.want[i])
				}
			}
		}
		full, err := s.GetArticle(ctx, r.ID)
		if err != nil || full.Text != text || full.HTML != "<p>x</p>" || !full.FullText || full.ContentHash != source.ContentHash(text) || full.Title != "Cartel fined 41m" {
			t.Fatalf("get %+v %v", full, err)
		}
		page, err := s.ListArticles(ctx, store.ArticleFilter{})
		if err != nil || len(page.Articles) != 4 {
			t.Fatalf("list without duplicates: %d %v", len(page.Articles), err)
		}
		page, _ = s.ListArticles(ctx, store.ArticleFilter{Duplicates: true, Limit: 2})
		seen := map[int64]bool{}
		for n := 0; ; n++ {
			for _, a := range page.Articles {
				if seen[a.ID] {
					t.Fatalf("article %d twice", a.ID)
				}
				seen[a.ID] = true
			}
			if page.Next == "" || n > 5 {
				break
			}
			page, err = s.ListArticles(ctx, store.ArticleFilter{Duplicates: true, Limit: 2, Cursor: page.Next})
			if err != nil {
				t.Fatal(err)
			}
		}
		if len(seen) != 6 {
			t.Fatalf("paged through %d articles, want 6", len(seen))
		}
		if _, err := s.ListArticles(ctx, store.ArticleFilter{Cursor: "!!"}); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("bad cursor: %v", err)
		}
		if p, _ := s.ListArticles(ctx, store.ArticleFilter{Q: "41M"}); len(p.Articles) != 1 {
			t.Fatalf("q: %d", len(p.Articles))
		}
		// Removing a source keeps its articles.
		if err := s.RemoveSource(ctx, src.ID); err != nil {
			t.Fatal(err)
		}
		if a, err := s.GetArticle(ctx, r.ID); err != nil || a.SourceID != 0 {
			t.Fatalf("article after source removal %+v %v", a, err)
		}
	})
}

func TestStories(t *testing.T) {
	forEachSourcesStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		src, _ := s.AddSource(ctx, source.Source{URL: "https://wire.example/feed"})
		t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		save := func(guid, title, text string, at time.Time) source.SaveResult {
			t.Helper()
			r, err := s.SaveArticle(ctx, &source.Article{SourceID: src.ID, GUID: guid, URL: "https://wire.example/" + guid,
				Title: title, Text: text, PublishedAt: &at})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		a := save("a", "Cement cartel fined", srcLongText("cement", 80), t0)
		b := save("b", "Cement makers appeal", srcLongText("appeal", 80), t0.Add(time.Hour))
		dup := save("c", "Cement cartel fined (reprint)", srcLongText("cement", 80)+" extra", t0.Add(2*time.Hour))
		if dup.Outcome != source.SavedDuplicate {
			t.Fatalf("dup %+v", dup)
		}
		un, err := s.UnclusteredArticles(ctx, 10)
		if err != nil || len(un) != 2 || un[0].ID != a.ID || un[0].Text == "" {
			t.Fatalf("unclustered %+v %v", un, err)
		}
		v := source.TermVector("Cement cartel fined", un[0].Text)
		sid, err := s.AssignStory(ctx, a.ID, 0, v)
		if err != nil || sid == 0 {
			t.Fatal(sid, err)
		}
		// Assigning again (a rerun after a crash) changes nothing.
		if again, err := s.AssignStory(ctx, a.ID, 0, v); err != nil || again != sid {
			t.Fatalf("reassign %d %v", again, err)
		}
		if _, err := s.AssignStory(ctx, b.ID, sid, source.TermVector("Cement makers appeal", "")); err != nil {
			t.Fatal(err)
		}
		cands, err := s.StoryCandidates(ctx, t0.Add(-time.Hour), t0.Add(time.Hour))
		if err != nil || len(cands) != 1 || cands[0].ID != sid || len(cands[0].Centroid) == 0 {
			t.Fatalf("candidates %+v %v", cands, err)
		}
		if c, _ := s.StoryCandidates(ctx, t0.Add(48*time.Hour), t0.Add(50*time.Hour)); len(c) != 0 {
			t.Fatalf("stale candidate %+v", c)
		}
		st, err := s.GetStory(ctx, sid)
		if err != nil {
			t.Fatal(err)
		}
		if st.Title != "Cement cartel fined" || st.ArticleCount != 2 || len(st.Articles) != 3 || len(st.Timeline) != 3 ||
			!st.FirstSeen.Equal(t0) || !st.LastSeen.Equal(t0.Add(time.Hour)) || len(st.Terms) == 0 {
			t.Fatalf("story %+v", st)
		}
		if !st.Timeline[2].Duplicate || st.Timeline[0].ArticleID != a.ID {
			t.Fatalf("timeline %+v", st.Timeline)
		}
		if un, _ := s.UnclusteredArticles(ctx, 10); len(un) != 0 {
			t.Fatalf("still unclustered %+v", un)
		}
		page, err := s.ListStories(ctx, store.StoryFilter{WithArticles: true})
		if err != nil || len(page.Stories) != 1 || len(page.Stories[0].Articles) != 3 {
			t.Fatalf("list stories %+v %v", page, err)
		}
		arts, _ := s.ListArticles(ctx, store.ArticleFilter{StoryID: sid, WithText: true})
		if len(arts.Articles) != 2 || arts.Articles[0].Text == "" {
			t.Fatalf("story articles %+v", arts)
		}
		if _, err := s.GetStory(ctx, 999); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing story: %v", err)
		}
	})
}
