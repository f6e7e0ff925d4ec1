package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"legists/internal/api"
	"legists/internal/brief"
)

// Source links are http(s) only at every entry point of the site: the
// desk's editor, the API and the desk's sources page refuse javascript:
// and data: with a message that says so (the CLI's import and `sources
// add` share brief.Validate and source.ParseURL).
func TestSourceURLsWebOnly(t *testing.T) {
	s := newSite(t)
	s.addUser("editor@example.org", brief.RoleEditor, pw)
	b := s.browser()
	csrf := b.login("editor@example.org", pw)
	tok := b.newToken(csrf, "0")
	for _, bad := range []string{"javascript:document.location=1", "data:text/html;base64,PHNjcmlwdD4="} {
		text := strings.Replace(deskBrief, "https://news.example/broker-fined", bad, 1)
		resp, page := b.post("/admin/briefs/new", url.Values{"csrf": {csrf}, "text": {text}, "action": {"save"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "only http:// and https:// links") {
			t.Errorf("desk save with source %q: %d", bad, resp.StatusCode)
		}

		parsed, err := brief.ParseMarkdown(strings.NewReader(deskBrief))
		if err != nil {
			t.Fatal(err)
		}
		parsed.Slug = "api-bad-link"
		parsed.Sources[0].URL = bad
		body, _ := json.Marshal(api.FromBrief(parsed, ""))
		req, _ := http.NewRequest(http.MethodPost, s.ts.URL+"/api/v1/briefs", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		r2, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var p api.Problem
		_ = json.NewDecoder(r2.Body).Decode(&p)
		r2.Body.Close()
		if r2.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(p.Detail+strings.Join(p.Errors, " "), "only http:// and https:// links") {
			t.Errorf("API create with source %q: %d %+v", bad, r2.StatusCode, p)
		}
	}
	s.addUser("admin@example.org", brief.RoleAdmin, pw)
	ab := s.browser()
	acsrf := ab.login("admin@example.org", pw)
	for _, bad := range []string{"javascript:alert(1)", "data:text/plain,x"} {
		resp, page := ab.post("/admin/sources", url.Values{"csrf": {acsrf}, "url": {bad}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "http") {
			t.Errorf("desk sources add %q: %d", bad, resp.StatusCode)
		}
	}
}
