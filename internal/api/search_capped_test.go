package api_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"legists/internal/api"
	"legists/internal/brief"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

// TestSearchTotalCapped: with more than 1,000 matches, the API says total
// 1000 and total_capped (in the OpenAPI document), and the cursor walks to
// the 1,000th hit and stops.
func TestSearchTotalCapped(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t))
	ctx := context.Background()
	var bs []*brief.Brief
	for i := range 1001 {
		at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour)
		bs = append(bs, &brief.Brief{Slug: fmt.Sprintf("zebra-%d", i), Title: fmt.Sprintf("Zebra crossing ruling %d", i),
			Status: brief.StatusPublished, PublishedAt: &at,
			Sections: []brief.Section{
				{Heading: brief.HeadingHappened, Paragraphs: []brief.Paragraph{{Text: "A court ruled on a zebra crossing."}}},
				{Heading: brief.HeadingMeaning, Paragraphs: []brief.Paragraph{{Text: "Drivers must stop."}}},
				{Heading: brief.HeadingLegal, Paragraphs: []brief.Paragraph{{Text: "Claims will follow."}}},
			}})
	}
	for i := 0; i < len(bs); i += 500 {
		if _, err := e.st.SaveBriefs(ctx, bs[i:min(i+500, len(bs))], store.SaveOptions{Author: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	e.srv.Invalidate()
	get := func(path string) api.SearchResult {
		t.Helper()
		code, body, _ := e.call("GET", "/search", path, "", "", "")
		var sr api.SearchResult
		if err := json.Unmarshal(body, &sr); err != nil || code != 200 {
			t.Fatalf("%s: %d %s", path, code, body)
		}
		return sr
	}
	sr := get("/search?q=zebra&limit=100")
	if sr.Total != 1000 || !sr.TotalCapped || len(sr.Hits) != 100 || sr.Next == "" {
		t.Fatalf("total %d, capped %v, %d hits, next %q", sr.Total, sr.TotalCapped, len(sr.Hits), sr.Next)
	}
	// The newest matches: the oldest, zebra-0, is not among them.
	cursor := base64.RawURLEncoding.EncodeToString([]byte("o:950"))
	sr = get("/search?q=zebra&limit=100&cursor=" + cursor)
	if sr.Total != 1000 || !sr.TotalCapped || len(sr.Hits) != 50 || sr.Next != "" {
		t.Errorf("last page: total %d, capped %v, %d hits, next %q", sr.Total, sr.TotalCapped, len(sr.Hits), sr.Next)
	}
	for _, h := range sr.Hits {
		if h.Brief.Slug == "zebra-0" {
			t.Error("the oldest match is among the first 1,000")
		}
	}
	// Narrowed below the cap: exact, and no total_capped in the JSON.
	code, body, _ := e.call("GET", "/search", "/search?q=zebra&since=2025-02-01", "", "", "")
	var raw map[string]any
	if err := json.Unmarshal(body, &raw); err != nil || code != 200 {
		t.Fatalf("since: %d %s", code, body)
	}
	if _, ok := raw["total_capped"]; ok || raw["total"] != float64(1001-31*24) {
		t.Errorf("since: total %v, total_capped %v", raw["total"], raw["total_capped"])
	}
}
