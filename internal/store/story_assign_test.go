package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"legists/internal/source"
	"legists/internal/store"
)

// TestAssignStories writes many assignments in one call: two new stories
// (keys -1 and -2), joins to one of them and to a stored story, an article
// listed twice, one already in a story, and a copy that follows its
// original; a call naming a missing story or article changes nothing.
func TestAssignStories(t *testing.T) {
	forEachSourcesStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		src, _ := s.AddSource(ctx, source.Source{URL: "https://wire.example/feed"})
		t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		save := func(guid, title, text string, at time.Time) int64 {
			t.Helper()
			r, err := s.SaveArticle(ctx, &source.Article{SourceID: src.ID, GUID: guid, URL: "https://wire.example/" + guid,
				Title: title, Text: text, PublishedAt: &at})
			if err != nil {
				t.Fatal(err)
			}
			if r.Outcome == source.SavedDuplicate {
				return -r.ID
			}
			return r.ID
		}
		old := save("old", "Port strike begins", srcLongText("strike", 80), t0)
		oldStory, err := s.AssignStory(ctx, old, 0, source.TermVector("Port strike begins", ""))
		if err != nil {
			t.Fatal(err)
		}
		a := save("a", "Cement cartel fined", srcLongText("cement", 80), t0.Add(time.Hour))
		b := save("b", "Cement makers appeal", srcLongText("appeal", 80), t0.Add(3*time.Hour))
		copyOfA := -save("a2", "Cement cartel fined (reprint)", srcLongText("cement", 80)+" extra", t0.Add(4*time.Hour))
		c := save("c", "Strike spreads to second port", srcLongText("spreads", 80), t0.Add(2*time.Hour))
		d := save("d", "Tax court rules", srcLongText("taxes", 80), t0.Add(5*time.Hour))
		if copyOfA <= 0 {
			t.Fatalf("the reprint was not saved as a copy: %d", copyOfA)
		}
		vec := func(title string) source.Vector { return source.TermVector(title, "") }

		// A missing story or article: an error, and nothing written.
		if _, err := s.AssignStories(ctx, []store.StoryAssignment{{ArticleID: a, StoryID: -1, Vector: vec("x")},
			{ArticleID: c, StoryID: oldStory + 1000, Vector: vec("x")}}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing story: %v", err)
		}
		if _, err := s.AssignStories(ctx, []store.StoryAssignment{{ArticleID: a, StoryID: -1, Vector: vec("x")},
			{ArticleID: 999999, StoryID: -1, Vector: vec("x")}}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing article: %v", err)
		}
		if un, _ := s.UnclusteredArticles(ctx, 10); len(un) != 4 {
			t.Fatalf("a failed call left %d articles unclustered, want 4", len(un))
		}

		ids, err := s.AssignStories(ctx, []store.StoryAssignment{
			{ArticleID: a, StoryID: -1, Vector: vec("Cement cartel fined")},
			{ArticleID: c, StoryID: oldStory, Vector: vec("Strike spreads to second port")},
			{ArticleID: d, StoryID: -2, Vector: vec("Tax court rules")},
			{ArticleID: b, StoryID: -1, Vector: vec("Cement makers appeal")},
			{ArticleID: b, StoryID: -2, Vector: vec("Cement makers appeal")}, // listed again: the first listing counts
			{ArticleID: old, StoryID: -2, Vector: vec("Port strike begins")}, // already in a story: stays
		})
		if err != nil {
			t.Fatal(err)
		}
		cement, tax := ids[0], ids[2]
		want := []int64{cement, oldStory, tax, cement, cement, oldStory}
		if cement <= 0 || tax <= 0 || cement == tax || cement == oldStory || tax == oldStory {
			t.Fatalf("story ids %v (stored story %d)", ids, oldStory)
		}
		for i := range want {
			if ids[i] != want[i] {
				t.Fatalf("story ids %v, want %v", ids, want)
			}
		}
		check := func(id int64, title string, count, articles int, first, last time.Time) {
			t.Helper()
			st, err := s.GetStory(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if st.Title != title || st.ArticleCount != count || len(st.Articles) != articles ||
				!st.FirstSeen.Equal(first) || !st.LastSeen.Equal(last) || len(st.Terms) == 0 {
				t.Fatalf("story %d: %q, %d counted, %d articles, %s to %s; want %q, %d, %d, %s to %s", id, st.Title,
					st.ArticleCount, len(st.Articles), st.FirstSeen, st.LastSeen, title, count, articles, first, last)
			}
		}
		check(cement, "Cement cartel fined", 2, 3, t0.Add(time.Hour), t0.Add(3*time.Hour)) // the copy follows a
		check(oldStory, "Port strike begins", 2, 2, t0, t0.Add(2*time.Hour))
		check(tax, "Tax court rules", 1, 1, t0.Add(5*time.Hour), t0.Add(5*time.Hour))
		if un, _ := s.UnclusteredArticles(ctx, 10); len(un) != 0 {
			t.Fatalf("still unclustered %+v", un)
		}
		cands, err := s.StoryCandidates(ctx, t0, t0.Add(6*time.Hour))
		if err != nil || len(cands) != 3 {
			t.Fatalf("candidates %+v %v", cands, err)
		}
		for _, c := range cands {
			if c.ID == cement && (c.Centroid["cement"] == 0 || c.Centroid["appeal"] == 0) {
				t.Fatalf("the cement story's centroid lacks a member's terms: %v", c.Centroid)
			}
		}
	})
}
