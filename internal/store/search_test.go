package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"legists/internal/brief"
)

// TestSearchRankWindow checks the order of a search with more matches than
// rankWindow: the rankWindow most recent matches first, by relevance (a
// title match above a body match) then recency, then the older ones by
// recency; every page agrees with the whole list; the total is exact; each
// hit, in the window or not, has its rank and a highlighted snippet.
func TestSearchRankWindow(t *testing.T) {
	defer func(n int) { rankWindow = n }(rankWindow)
	rankWindow = 4
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s *db) {
		// Day d: in the title of the even days, in the body of the
		// odd ones; Slaughter and May (as long a name) on days divisible by 3.
		for d := 1; d <= 9; d++ {
			title, body := fmt.Sprintf("Report %d", d), "Ministers discussed sanctions and other things."
			if d%2 == 0 {
				title, body = fmt.Sprintf("Sanctions report %d", d), "Ministers discussed other things."
			}
			firm := "Clifford Chance LLP"
			if d%3 == 0 {
				firm = "Slaughter and May"
			}
			at := time.Date(2024, 3, d, 10, 0, 0, 0, time.UTC)
			b := &brief.Brief{
				Slug: fmt.Sprintf("day-%d", d), Title: title, Status: brief.StatusPublished, PublishedAt: &at,
				Sections: []brief.Section{{Heading: brief.HeadingHappened, Paragraphs: []brief.Paragraph{{Text: body}}}},
				Firms:    []string{firm},
			}
			if _, err := s.SaveBrief(ctx, b, SaveOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		// A draft and a brief without the word stay out.
		draft := &brief.Brief{Slug: "draft", Title: "Sanctions draft", Status: brief.StatusDraft,
			Sections: []brief.Section{{Heading: brief.HeadingHappened, Paragraphs: []brief.Paragraph{{Text: "Sanctions."}}}}}
		other := &brief.Brief{Slug: "other", Title: "Tariffs", Status: brief.StatusPublished, PublishedAt: ptr(time.Date(2024, 3, 20, 0, 0, 0, 0, time.UTC)),
			Sections: []brief.Section{{Heading: brief.HeadingHappened, Paragraphs: []brief.Paragraph{{Text: "Steel."}}}}}
		for _, b := range []*brief.Brief{draft, other} {
			if _, err := s.SaveBrief(ctx, b, SaveOptions{}); err != nil {
				t.Fatal(err)
			}
		}

		search := func(q SearchQuery) SearchResult {
			t.Helper()
			res, err := s.SearchBriefs(ctx, q)
			if err != nil {
				t.Fatalf("%+v: %v", q, err)
			}
			for _, h := range res.Hits {
				// The snippet is of the body, where odd days have
				// the word.
				body := strings.Contains(strings.ToLower(h.Brief.Sections[0].Paragraphs[0].Text), "sanctions")
				if h.Rank <= 0 || body != strings.Contains(strings.ToLower(h.Snippet), HighlightStart+"sanction") {
					t.Errorf("%+v: hit %s: rank %v, snippet %q", q, h.Brief.Slug, h.Rank, h.Snippet)
				}
			}
			return res
		}
		slugs := func(res SearchResult) []string {
			var out []string
			for _, h := range res.Hits {
				out = append(out, h.Brief.Slug)
			}
			return out
		}

		// The window is days 9 to 6: titles (8, 6) first, newest
		// first, then bodies (9, 7); then days 5 to 1 by recency.
		want := []string{"day-8", "day-6", "day-9", "day-7", "day-5", "day-4", "day-3", "day-2", "day-1"}
		res := search(SearchQuery{Q: "sanctions"})
		if got := slugs(res); !slices.Equal(got, want) || res.Total != 9 {
			t.Fatalf("got %v (total %d), want %v", got, res.Total, want)
		}
		if res.Hits[0].Rank <= res.Hits[2].Rank {
			t.Errorf("title rank %v not above body rank %v", res.Hits[0].Rank, res.Hits[2].Rank)
		}
		// Pages of every size and offset agree with the whole list.
		for limit := 1; limit <= 4; limit++ {
			for offset := 0; offset <= 10; offset++ {
				res := search(SearchQuery{Q: "sanctions", Limit: limit, Offset: offset})
				w := want[min(offset, len(want)):min(offset+limit, len(want))]
				if got := slugs(res); !slices.Equal(got, w) || res.Total != 9 {
					t.Errorf("limit %d offset %d: %v (total %d), want %v", limit, offset, got, res.Total, w)
				}
			}
		}
		// At most rankWindow matches: all ranked.
		rankWindow = 9
		all := []string{"day-8", "day-6", "day-4", "day-2", "day-9", "day-7", "day-5", "day-3", "day-1"}
		if got := slugs(search(SearchQuery{Q: "sanctions"})); !slices.Equal(got, all) {
			t.Errorf("window of 9: %v, want %v", got, all)
		}
		rankWindow = 4
		// Filters apply before the window: Clifford Chance has days
		// 1, 2, 4, 5, 7, 8; the window is 8, 7, 5, 4.
		res = search(SearchQuery{Q: "sanctions", Firm: "clifford-chance-llp"})
		if got, w := slugs(res), []string{"day-8", "day-4", "day-7", "day-5", "day-2", "day-1"}; !slices.Equal(got, w) || res.Total != 6 {
			t.Errorf("firm: %v (total %d), want %v", got, res.Total, w)
		}
		res = search(SearchQuery{Q: "sanctions", Since: time.Date(2024, 3, 3, 0, 0, 0, 0, time.UTC), Until: time.Date(2024, 3, 9, 0, 0, 0, 0, time.UTC)})
		if got, w := slugs(res), []string{"day-8", "day-6", "day-7", "day-5", "day-4", "day-3"}; !slices.Equal(got, w) || res.Total != 6 {
			t.Errorf("dates: %v (total %d), want %v", got, res.Total, w)
		}
		if res := search(SearchQuery{Q: "sanctions", Status: brief.StatusDraft}); !slices.Equal(slugs(res), []string{"draft"}) || res.Total != 1 {
			t.Errorf("drafts: %v (total %d)", slugs(res), res.Total)
		}
		if res := search(SearchQuery{Q: "sanctions", Offset: 9}); len(res.Hits) != 0 || res.Total != 9 {
			t.Errorf("past the end: %v (total %d)", slugs(res), res.Total)
		}
	})
}

func ptr[T any](v T) *T { return &v }
