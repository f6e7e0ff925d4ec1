package web

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"legists/internal/brief"
	"legists/internal/seedtest"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

func TestFormerFirmNamesSQLite(t *testing.T)   { testFormerFirmNames(t, storetest.OpenSQLite(t)) }
func TestFormerFirmNamesPostgres(t *testing.T) { testFormerFirmNames(t, storetest.OpenPostgres(t)) }

// testFormerFirmNames: a brief tagged "#Allen & Overy LLP" (as the seed and
// the team's fixture are) leads to A&O Shearman's page, which lists it with
// briefs tagged under the new name; the old name's address redirects.
func testFormerFirmNames(t *testing.T, st store.Store) {
	s := newSiteOn(t, st)
	old, err := brief.Parse(bytes.NewReader(seedtest.Team(t).Read(t)))
	if err != nil {
		t.Fatal(err)
	}
	old.Status = brief.StatusPublished
	old.PublishedAt = new(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	renamed := *old
	renamed.Slug, renamed.Title, renamed.Firms = "a-newer-brief", "A newer brief", []string{"A&O Shearman"}
	for _, b := range []*brief.Brief{old, &renamed} {
		if _, err := st.SaveBrief(t.Context(), b, store.SaveOptions{Author: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	_, page := s.get("/briefs/" + old.Slug)
	mustContain(t, page,
		`<a class="firmname" href="/firms/allen-overy-llp">A&amp;O Shearman</a> <span class="formerly">(tagged as Allen &amp; Overy LLP)</span>`,
		`<a class="firmname" href="/firms/herbert-smith-freehills-llp">HSF Kramer</a>`)

	_, firm := s.get("/firms/allen-overy-llp")
	mustContain(t, firm, "<h1", "A&amp;O Shearman", "Formerly", "Allen &amp; Overy LLP; Shearman &amp; Sterling LLP",
		`href="/briefs/`+old.Slug+`"`, `href="/briefs/a-newer-brief"`)

	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, path := range []string{"/firms/a-o-shearman", "/firms/hsf-kramer", "/firms/herbert-smith-freehills"} {
		resp, err := client.Get(s.ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMovedPermanently || !strings.HasPrefix(resp.Header.Get("Location"), "/firms/") {
			t.Errorf("%s: %d to %q, want a permanent redirect to the firm's page", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	_, index := s.get("/firms/")
	mustContain(t, index, "Names as of 30 November 2026", ">A&amp;O Shearman<", ">HSF Kramer<")
	mustNotContain(t, index, ">Allen &amp; Overy LLP<")
}
