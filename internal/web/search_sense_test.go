package web

import (
	"regexp"
	"testing"

	"legists/internal/store"
	"legists/internal/store/storetest"
)

func TestSearchSenseSQLite(t *testing.T)   { testSearchSense(t, storetest.OpenSQLite(t)) }
func TestSearchSensePostgres(t *testing.T) { testSearchSense(t, storetest.OpenPostgres(t)) }

var hitRE = regexp.MustCompile(`<h3><a href="/briefs/([^"]+)">`)

// testSearchSense searches as a reader: "sanctions" lists the sanctions
// news first, the court that sanctioned a restructuring plan after; a
// misspelling finds nothing but offers the right word, which works.
func testSearchSense(t *testing.T, st store.Store) {
	s := newSiteOn(t, st)
	_, page := s.get("/search?q=sanctions")
	var order []string
	for _, m := range hitRE.FindAllStringSubmatch(page, -1) {
		order = append(order, m[1])
	}
	if len(order) < 3 || order[len(order)-1] != "high-court-sanctions-pellow-care-plan" {
		t.Errorf("results for sanctions: %v; want the court sanctioning a plan after the sanctions news", order)
	}
	_, page = s.get("/search?q=santcions&topic=sanctions-export-controls")
	mustContain(t, page, "No results for “santcions”",
		`<p class="didyoumean">Did you mean <a href="/search?q=sanctions&amp;topic=sanctions-export-controls">sanctions</a>?</p>`)
	_, page = s.get("/search?q=sanctions&topic=sanctions-export-controls")
	if len(hitRE.FindAllString(page, -1)) == 0 {
		t.Error("the suggested search finds nothing")
	}
}
