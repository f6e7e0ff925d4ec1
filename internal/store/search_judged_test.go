package store_test

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"testing"

	"legists/internal/demo"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

type judged struct {
	Queries []struct {
		Q          string   `json:"q"`
		Relevant   []string `json:"relevant"`
		OtherSense []string `json:"other_sense"`
	} `json:"queries"`
	Corrections []struct {
		Q       string `json:"q"`
		Suggest string `json:"suggest"`
	} `json:"corrections"`
}

func TestJudgedSearchSQLite(t *testing.T)   { testJudgedSearch(t, storetest.OpenSQLite(t)) }
func TestJudgedSearchPostgres(t *testing.T) { testJudgedSearch(t, storetest.OpenPostgres(t)) }

// testJudgedSearch runs the judged query set of testdata/search-judged.json
// over the demo: every relevant brief ranks above every brief that matches
// the query's words in another sense, the first hit is relevant, and a
// misspelt query that finds nothing offers the judged correction.
func testJudgedSearch(t *testing.T, s store.Store) {
	ctx := context.Background()
	if err := demo.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("testdata/search-judged.json")
	if err != nil {
		t.Fatal(err)
	}
	var j judged
	if err := json.Unmarshal(raw, &j); err != nil {
		t.Fatal(err)
	}
	var sumP3 float64
	for _, q := range j.Queries {
		res, err := s.SearchBriefs(ctx, store.SearchQuery{Q: q.Q, Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		var order []string
		for _, h := range res.Hits {
			order = append(order, h.Brief.Slug)
		}
		pos := func(slug string) int {
			if i := slices.Index(order, slug); i >= 0 {
				return i
			}
			return len(order) + 1
		}
		hits3 := 0
		for _, slug := range order[:min(3, len(order))] {
			if slices.Contains(q.Relevant, slug) {
				hits3++
			}
		}
		p3 := float64(hits3) / float64(min(3, len(q.Relevant)))
		sumP3 += p3
		t.Logf("%-20q precision@3 %.2f: %v", q.Q, p3, order)
		if len(order) == 0 || !slices.Contains(q.Relevant, order[0]) {
			t.Errorf("%q: first hit %v is not one of %v", q.Q, order, q.Relevant)
		}
		for _, rel := range q.Relevant {
			for _, other := range q.OtherSense {
				if pos(rel) > pos(other) {
					t.Errorf("%q: %s (another sense of the word) ranks above %s", q.Q, other, rel)
				}
			}
		}
	}
	t.Logf("mean precision@3 over %d judged queries: %.2f", len(j.Queries), sumP3/float64(len(j.Queries)))
	for _, c := range j.Corrections {
		res, err := s.SearchBriefs(ctx, store.SearchQuery{Q: c.Q})
		if err != nil {
			t.Fatal(err)
		}
		if res.Suggestion != c.Suggest {
			t.Errorf("%q: suggestion %q, want %q (%d hits)", c.Q, res.Suggestion, c.Suggest, res.Total)
		}
		if c.Suggest != "" {
			fixed, err := s.SearchBriefs(ctx, store.SearchQuery{Q: res.Suggestion})
			if err != nil || fixed.Total == 0 {
				t.Errorf("the suggestion %q finds nothing", res.Suggestion)
			}
		}
	}
}
