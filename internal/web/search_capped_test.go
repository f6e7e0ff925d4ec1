package web

import (
	"context"
	"fmt"
	"testing"
	"time"

	"legists/internal/brief"
	"legists/internal/store"
)

// TestSearchPageCapped: with more than 1,000 matches the page says "More
// than 1,000 results" and pages through them; fewer have their count.
func TestSearchPageCapped(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	var bs []*brief.Brief
	for i := range 1001 {
		at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour)
		bs = append(bs, &brief.Brief{Slug: fmt.Sprintf("zebra-%d", i), Title: fmt.Sprintf("Zebra crossing ruling %d", i),
			Status: brief.StatusPublished, PublishedAt: &at,
			Sections: []brief.Section{{Heading: brief.HeadingHappened, Paragraphs: []brief.Paragraph{{Text: "A court ruled on a zebra crossing."}}}}})
	}
	for i := 0; i < len(bs); i += 500 {
		if _, err := s.st.SaveBriefs(ctx, bs[i:min(i+500, len(bs))], store.SaveOptions{Author: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	s.srv.Invalidate()
	_, page := s.get("/search?q=zebra")
	mustContain(t, page, "More than 1,000 results for “zebra”", "page 1 of 100", `rel="next"`)
	_, page = s.get("/search?q=zebra&page=100")
	mustContain(t, page, "page 100 of 100", "zebra-1")
	_, page = s.get("/search?q=zebra&from=2025-02-01")
	mustContain(t, page, fmt.Sprintf("%s results for", number(1001-31*24)))
}

func TestNumber(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 25: "25", 1234567: "1,234,567", -1000: "-1,000"} {
		if got := number(n); got != want {
			t.Errorf("number(%d) = %q, want %q", n, got, want)
		}
	}
}
