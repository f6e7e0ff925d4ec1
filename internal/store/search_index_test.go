package store

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"legists/internal/brief"
)

// saveDays saves the briefs of TestSearchRankWindow: day d of March 2024
// for d from 1 to n, "sanctions" in the title of the even days and in the
// body of the odd ones, Slaughter and May on days divisible by 3 and
// Clifford Chance on the others.
func saveDays(t *testing.T, s *db, n int) {
	t.Helper()
	ctx := context.Background()
	for d := 1; d <= n; d++ {
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
}

func hitSlugs(res SearchResult) []string {
	out := []string{}
	for _, h := range res.Hits {
		out = append(out, h.Brief.Slug)
	}
	return out
}

// TestSearchTotalCapped checks the count's cap on both databases: with
// more than countCap matches, Total is countCap, TotalCapped is set and the
// hits are the first countCap matches in order (the window by relevance,
// then by recency), every page agreeing; with countCap matches or fewer
// (the words alone, or narrowed by a filter), Total is exact.
func TestSearchTotalCapped(t *testing.T) {
	defer func(w, c int) { rankWindow, countCap = w, c }(rankWindow, countCap)
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s *db) {
		saveDays(t, s, 9)
		search := func(q SearchQuery) SearchResult {
			t.Helper()
			res, err := s.SearchBriefs(ctx, q)
			if err != nil {
				t.Fatalf("%+v: %v", q, err)
			}
			for _, h := range res.Hits {
				if h.Rank <= 0 || !strings.Contains(strings.ToLower(h.Snippet+h.Brief.Title), "sanction") {
					t.Errorf("%+v: hit %s: rank %v, snippet %q", q, h.Brief.Slug, h.Rank, h.Snippet)
				}
			}
			return res
		}

		rankWindow, countCap = 4, 6
		// The window is days 9 to 6 (titles 8, 6, then bodies 9, 7),
		// then days 5 and 4 by recency: six hits of nine matches.
		want := []string{"day-8", "day-6", "day-9", "day-7", "day-5", "day-4"}
		res := search(SearchQuery{Q: "sanctions"})
		if got := hitSlugs(res); !slices.Equal(got, want) || res.Total != 6 || !res.TotalCapped {
			t.Fatalf("got %v (total %d, capped %v), want %v, 6, capped", got, res.Total, res.TotalCapped, want)
		}
		for limit := 1; limit <= 4; limit++ {
			for offset := 0; offset <= 8; offset++ {
				res := search(SearchQuery{Q: "sanctions", Limit: limit, Offset: offset})
				w := want[min(offset, len(want)):min(offset+limit, len(want))]
				if got := hitSlugs(res); !slices.Equal(got, w) || res.Total != 6 || !res.TotalCapped {
					t.Errorf("limit %d offset %d: %v (total %d, capped %v), want %v", limit, offset, got, res.Total, res.TotalCapped, w)
				}
			}
		}
		// Clifford Chance has six of the matches (1, 2, 4, 5, 7, 8):
		// exact.
		res = search(SearchQuery{Q: "sanctions", Firm: "clifford-chance-llp"})
		if got, w := hitSlugs(res), []string{"day-8", "day-4", "day-7", "day-5", "day-2", "day-1"}; !slices.Equal(got, w) || res.Total != 6 || res.TotalCapped {
			t.Errorf("firm: %v (total %d, capped %v), want %v", got, res.Total, res.TotalCapped, w)
		}
		// No match: no cap.
		if res := search(SearchQuery{Q: "report -ministers"}); res.Total != 0 || res.TotalCapped {
			t.Errorf("no match: total %d, capped %v", res.Total, res.TotalCapped)
		}
		// As many matches as the cap: exact.
		countCap = 9
		if res := search(SearchQuery{Q: "sanctions"}); res.Total != 9 || res.TotalCapped || len(res.Hits) != 9 {
			t.Errorf("nine matches, cap 9: total %d, capped %v, %d hits", res.Total, res.TotalCapped, len(res.Hits))
		}
		// As in production, the window is the cap: the hits are the
		// newest matches, by relevance.
		rankWindow, countCap = 4, 4
		res = search(SearchQuery{Q: "sanctions"})
		if got, w := hitSlugs(res), []string{"day-8", "day-6", "day-9", "day-7"}; !slices.Equal(got, w) || res.Total != 4 || !res.TotalCapped {
			t.Errorf("window = cap: %v (total %d, capped %v), want %v", got, res.Total, res.TotalCapped, w)
		}
		if res := search(SearchQuery{Q: "sanctions", Offset: 4}); len(res.Hits) != 0 || res.Total != 4 || !res.TotalCapped {
			t.Errorf("window = cap, past the cap: %v (total %d, capped %v)", hitSlugs(res), res.Total, res.TotalCapped)
		}
	})
}

// TestSearchIndexFollowsBriefs checks that briefs' triggers keep the index
// in step: a draft is found among drafts only, once published (its status
// and date change) among published briefs only, a new title is found and
// the old one is not, and a deleted brief is gone. In SQLite the rowid of
// each brief is searchRowid of its sort_at plus its id.
func TestSearchIndexFollowsBriefs(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s *db) {
		saveDays(t, s, 3)
		find := func(q string, st brief.Status) []string {
			t.Helper()
			res, err := s.SearchBriefs(ctx, SearchQuery{Q: q, Status: st})
			if err != nil {
				t.Fatal(err)
			}
			return hitSlugs(res)
		}
		b := &brief.Brief{Slug: "moving", Title: "Quarantine rules", Status: brief.StatusDraft,
			Sections: []brief.Section{{Heading: brief.HeadingHappened, Paragraphs: []brief.Paragraph{{Text: "Port health."}}}}}
		if _, err := s.SaveBrief(ctx, b, SaveOptions{}); err != nil {
			t.Fatal(err)
		}
		if d, p := find("quarantine", brief.StatusDraft), find("quarantine", brief.StatusPublished); !slices.Equal(d, []string{"moving"}) || len(p) != 0 {
			t.Fatalf("draft: drafts %v, published %v", d, p)
		}
		at := time.Date(2024, 3, 2, 12, 0, 0, 0, time.UTC)
		b.Status, b.PublishedAt = brief.StatusPublished, &at
		if _, err := s.SaveBrief(ctx, b, SaveOptions{}); err != nil {
			t.Fatal(err)
		}
		if d, p := find("quarantine", brief.StatusDraft), find("quarantine", brief.StatusPublished); len(d) != 0 || !slices.Equal(p, []string{"moving"}) {
			t.Fatalf("published: drafts %v, published %v", d, p)
		}
		// Its date places it between days 2 and 3 among the matches of
		// a word of every brief.
		b.Title = "Sanctions at the port"
		if _, err := s.SaveBrief(ctx, b, SaveOptions{}); err != nil {
			t.Fatal(err)
		}
		if got := find("quarantine", ""); len(got) != 0 {
			t.Errorf("old title still found: %v", got)
		}
		res, err := s.SearchBriefs(ctx, SearchQuery{Q: "sanctions", Since: time.Date(2024, 3, 2, 11, 0, 0, 0, time.UTC), Until: at.Add(time.Second)})
		if err != nil || !slices.Equal(hitSlugs(res), []string{"moving"}) {
			t.Errorf("by date: %v, %v", hitSlugs(res), err)
		}
		if s.d.name == dialectSQLite {
			rows, err := s.r.QueryContext(ctx, `SELECT b.id, b.sort_at, bs.rowid FROM briefs b JOIN brief_search bs ON bs.rowid & 4294967295 = b.id`)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for rows.Next() {
				var (
					id, rowid int64
					at        dbTime
				)
				if err := rows.Scan(&id, &at, &rowid); err != nil {
					t.Fatal(err)
				}
				if n++; rowid != searchRowid(at.Time)+id || idOfRowid(rowid) != id {
					t.Errorf("brief %d at %s: rowid %d, want %d", id, at.Time, rowid, searchRowid(at.Time)+id)
				}
			}
			rows.Close()
			if n != 4 {
				t.Errorf("%d briefs in the index, want 4", n)
			}
		}
		if err := s.DeleteBrief(ctx, "moving"); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM brief_search`).Scan(&n); err != nil || n != 3 {
			t.Errorf("after the delete, %d rows in brief_search (%v), want 3", n, err)
		}
		if got := find("port", ""); len(got) != 0 {
			t.Errorf("deleted brief found: %v", got)
		}
	})
}

func TestSearchRowid(t *testing.T) {
	base := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	if a, b := searchRowid(base)+7, searchRowid(base.Add(time.Second))+1; a >= b {
		t.Errorf("a later second does not sort after: %d, %d", a, b)
	}
	if searchRowid(base.Add(999*time.Millisecond)) != searchRowid(base) {
		t.Error("the rowid of a time is not that of its second")
	}
	if searchRowidAfter(base) != searchRowid(base) || searchRowidAfter(base.Add(time.Millisecond)) != searchRowid(base.Add(time.Second)) {
		t.Error("searchRowidAfter")
	}
	// Outside 1965 to 2101, dates are held at the ends, in order.
	old, far := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)
	if searchRowid(old) != -1<<63 || searchRowid(far)+rowidIDMask != 1<<63-1 || searchRowid(old) >= searchRowid(base) {
		t.Errorf("ends: %d, %d", searchRowid(old), searchRowid(far))
	}
	if idOfRowid(searchRowid(old)+42) != 42 || idOfRowid(searchRowid(base)+rowidIDMask) != rowidIDMask {
		t.Error("idOfRowid")
	}
}

// TestRankingReadsOnlyTheIndex checks the plan of the ranking statement,
// with a firm, a topic and a date filter and a topic boost: it reads
// brief_search (and the firm and topic lists), never briefs.
func TestRankingReadsOnlyTheIndex(t *testing.T) {
	ctx := context.Background()
	briefsRE := regexp.MustCompile(`\bbriefs\b`)
	eachStore(t, func(t *testing.T, s *db) {
		saveDays(t, s, 3)
		ms := s.indexMatches("sanctions report", brief.StatusPublished, []string{"slaughter-and-may"}, "sanctions",
			time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
		query, args := s.rankQuery("sanctions report", ms, []string{"sanctions"}, 10, 0)
		explain := `EXPLAIN QUERY PLAN `
		if s.d.name == dialectPostgres {
			explain = `EXPLAIN `
		}
		rows, err := s.r.QueryContext(ctx, s.d.rebind(explain+query), args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		var plan []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, fmt.Sprint(vals[len(vals)-1]))
		}
		text := strings.Join(plan, "\n")
		if !strings.Contains(text, "brief_search") || briefsRE.MatchString(text) {
			t.Errorf("plan:\n%s", text)
		}
	})
}

// TestSearchMigration migrates down to 00011 and up again over briefs
// saved in between: down restores the former index (briefs_fts or
// search_tsv), which finds them; up fills brief_search from briefs, and
// the search orders them as a search of briefs saved since.
func TestSearchMigration(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s *db) {
		p, err := goose.NewProvider(s.d.goose, s.w, s.d.migrations, goose.WithDisableGlobalRegistry(true), goose.WithAllowOutofOrder(true))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.DownTo(ctx, 11); err != nil {
			t.Fatal(err)
		}
		saveDays(t, s, 9)
		old := `SELECT count(*) FROM briefs_fts WHERE briefs_fts MATCH 'sanctions'`
		if s.d.name == dialectPostgres {
			old = `SELECT count(*) FROM briefs WHERE search_tsv @@ websearch_to_tsquery('english', 'sanctions')`
		}
		var n int
		if err := s.w.QueryRowContext(ctx, old).Scan(&n); err != nil || n != 9 {
			t.Fatalf("former index: %d matches, %v", n, err)
		}
		if _, err := p.UpTo(ctx, 12); err != nil {
			t.Fatal(err)
		}
		res, err := s.SearchBriefs(ctx, SearchQuery{Q: "sanctions"})
		want := []string{"day-8", "day-6", "day-4", "day-2", "day-9", "day-7", "day-5", "day-3", "day-1"}
		if err != nil || !slices.Equal(hitSlugs(res), want) || res.Total != 9 {
			t.Errorf("after up: %v (total %d), %v; want %v", hitSlugs(res), res.Total, err, want)
		}
	})
}
