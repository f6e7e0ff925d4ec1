package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"legists/internal/brief"
	"legists/internal/store/storetest"
)

// inputSite is a site with a logged-in admin and an editor's API token, to
// throw malformed slugs and cursors at every route that reads them.
type inputSite struct {
	s     *testSite
	b     *browser
	csrf  string
	token string
}

func newInputSite(t testing.TB, postgres bool) *inputSite {
	t.Helper()
	var s *testSite
	if postgres {
		s = newSiteOn(t, storetest.OpenPostgres(t))
	} else {
		s = newSite(t)
	}
	s.addUser("admin@example.org", brief.RoleAdmin, pw)
	b := s.browser()
	csrf := b.login("admin@example.org", pw)
	return &inputSite{s: s, b: b, csrf: csrf, token: b.newToken(csrf, "0")}
}

// Routes that take a slug ({s}) or a cursor ({c}) from the request.
var slugRoutes = []string{
	"GET /briefs/{s}", "GET /briefs/{s}/sources/1", "GET /firms/{s}", "GET /firms/{s}/feed.xml", "GET /firms/{s}/feed.json",
	"GET /topics/{s}", "GET /topics/{s}/feed.xml", "GET /topics/{s}/feed.json",
	"GET /admin/briefs/{s}", "GET /admin/briefs/{s}/revisions", "GET /admin/events/{s}",
	"POST /admin/briefs/{s}/status", "POST /admin/briefs/{s}/delete", "POST /admin/events/{s}/delete",
	"GET /api/v1/briefs/{s}", "GET /api/v1/briefs/{s}/revisions", "GET /api/v1/firms/{s}", "GET /api/v1/topics/{s}",
	"DELETE /api/v1/briefs/{s}", "GET /api/v1/{s}",
	"GET /search?q={s}", "GET /search?firm={s}", "GET /search?topic={s}", "GET /api/v1/search?q={s}", "GET /api/v1/briefs?firm={s}",
}

var cursorRoutes = []string{
	"GET /?cursor={c}", "GET /search?firm=x&cursor={c}", "GET /search?topic=sanctions&cursor={c}",
	"GET /admin/?status=draft&cursor={c}", "GET /admin/?status=published&cursor={c}", "GET /admin/stories?cursor={c}",
	"GET /api/v1/briefs?cursor={c}", "GET /api/v1/articles?cursor={c}", "GET /api/v1/stories?cursor={c}",
}

// check sends one request and fails on a 5xx, or a 4xx without a clear
// body (a problem+json document on the API, an HTML page elsewhere). It
// returns the status.
func (is *inputSite) check(t *testing.T, route, slug, cursor string) int {
	method, target, _ := strings.Cut(route, " ")
	path, query, _ := strings.Cut(target, "?")
	path = strings.ReplaceAll(path, "{s}", url.PathEscape(slug))
	query = strings.ReplaceAll(strings.ReplaceAll(query, "{s}", url.QueryEscape(slug)), "{c}", url.QueryEscape(cursor))
	u := is.s.ts.URL + path
	if query != "" {
		u += "?" + query
	}
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(url.Values{"csrf": {is.csrf}, "to": {"review"}, "confirm": {slug}}.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		return 0 // not a request a client can send
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if strings.HasPrefix(path, "/api/") {
		req.Header.Set("Authorization", "Bearer "+is.token)
	}
	resp, err := is.b.c.Do(req)
	if err != nil {
		t.Fatalf("%s %q: %v", route, u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 500 {
		t.Fatalf("%s with slug %q cursor %q: %d\n%s", route, slug, cursor, resp.StatusCode, b)
	}
	if resp.StatusCode >= 400 && resp.StatusCode != http.StatusMethodNotAllowed {
		if strings.HasPrefix(path, "/api/") {
			var p struct {
				Status int    `json:"status"`
				Detail string `json:"detail"`
			}
			if err := json.Unmarshal(b, &p); err != nil || p.Status != resp.StatusCode || p.Detail == "" {
				t.Fatalf("%s with slug %q: %d with a bad problem body (%v):\n%s", route, slug, resp.StatusCode, err, b)
			}
		} else if !strings.Contains(string(b), "<h1") {
			t.Fatalf("%s with slug %q cursor %q: %d without a page:\n%s", route, slug, cursor, resp.StatusCode, b)
		}
	}
	return resp.StatusCode
}

var malformedInputs = []string{"x", "\x00", "a\x00b", "\xff\xfe", "caf\xe9", "\x01", "\u0085", "%00", "-1", "!!!!", "eyJ0IjoxfQ", "eyJ0IjoiMjAyNiIsImkiOjF9"}

// TestMalformedInputs: NUL, invalid UTF-8 and control characters in slugs,
// and malformed cursors, get a 4xx with a clear body on every route, on
// SQLite and on PostgreSQL (which refuses such text and answered 500).
func TestMalformedInputs(t *testing.T) {
	for name, postgres := range map[string]bool{"sqlite": false, "postgres": true} {
		t.Run(name, func(t *testing.T) {
			is := newInputSite(t, postgres)
			for _, in := range malformedInputs {
				for _, r := range slugRoutes {
					is.check(t, r, in, "")
				}
				for _, r := range cursorRoutes {
					if st := is.check(t, r, "", in); st < 400 {
						t.Errorf("%s with cursor %q: %d, want a 4xx", r, in, st)
					}
				}
			}
			for _, in := range []string{"\x00", "a\x00b", "\xff\xfe", "caf\xe9", "\x01"} {
				for _, r := range slugRoutes {
					if st := is.check(t, r, in, ""); st != http.StatusBadRequest {
						t.Errorf("%s with slug %q: %d, want 400", r, in, st)
					}
				}
			}
		})
	}
}

// FuzzHTTPInputs throws fuzzed slugs and cursors at the real router, on
// SQLite (and PostgreSQL when LEGISTS_TEST_POSTGRES is set): no 5xx, and
// every 4xx says what is wrong. Run: go test -run '^$' -fuzz FuzzHTTPInputs -fuzztime 60s ./internal/web/
func FuzzHTTPInputs(f *testing.F) {
	for _, in := range malformedInputs {
		f.Add(in, in)
	}
	f.Add("eu-sanctions", "")
	sites := []*inputSite{newInputSite(f, false)}
	if os.Getenv(storetest.PostgresEnv) != "" {
		sites = append(sites, newInputSite(f, true))
	}
	routes := append(append([]string(nil), slugRoutes...), cursorRoutes...)
	f.Fuzz(func(t *testing.T, slug, cursor string) {
		for _, is := range sites {
			for _, r := range routes {
				is.check(t, r, slug, cursor)
			}
		}
	})
}
