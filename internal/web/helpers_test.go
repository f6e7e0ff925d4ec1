package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"legists/internal/auth"
	"legists/internal/brief"
	"legists/internal/demo"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

func TestMain(m *testing.M) {
	// Cheap hashes: the tests log in often.
	auth.DefaultParams = auth.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	os.Exit(m.Run())
}

type testSite struct {
	t   testing.TB
	srv *Server
	st  Store
	ts  *httptest.Server
}

// newSite starts a server on a fresh SQLite database with the demo content.
func newSite(t testing.TB) *testSite {
	t.Helper()
	return newSiteOn(t, storetest.OpenSQLite(t))
}

func newSiteOn(t testing.TB, st store.Store) *testSite {
	t.Helper()
	ws, ok := st.(Store)
	if !ok {
		t.Fatal("store lacks the desk")
	}
	if err := demo.Load(context.Background(), st); err != nil {
		t.Fatalf("demo.Load: %v", err)
	}
	ts := httptest.NewUnstartedServer(nil)
	ts.Start()
	t.Cleanup(ts.Close)
	srv, err := New(Options{Store: ws, BaseURL: ts.URL, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), MaxBodyBytes: 256 << 10})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv
	return &testSite{t: t, srv: srv, st: ws, ts: ts}
}

// get fetches a path with optional header pairs and returns the response
// with its body read.
func (s *testSite) get(path string, hdr ...string) (*http.Response, string) {
	s.t.Helper()
	return s.do(http.MethodGet, path, nil, hdr...)
}

func (s *testSite) do(method, path string, body io.Reader, hdr ...string) (*http.Response, string) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.ts.URL+path, body)
	if err != nil {
		s.t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	tr := &http.Transport{DisableCompression: true}
	resp, err := (&http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return resp, string(b)
}

// addUser creates a desk user.
func (s *testSite) addUser(email string, role brief.Role, pw string) *store.User {
	s.t.Helper()
	u, err := NewUser(email, "", role, pw)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := s.st.CreateUser(context.Background(), u); err != nil {
		s.t.Fatal(err)
	}
	return u
}

// browser is a cookie-keeping client for the desk.
type browser struct {
	s *testSite
	c *http.Client
}

func (s *testSite) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{s: s, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) get(path string) (*http.Response, string) {
	b.s.t.Helper()
	resp, err := b.c.Get(b.s.ts.URL + path)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	b.s.t.Helper()
	resp, err := b.c.PostForm(b.s.ts.URL+path, form)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t testing.TB, page string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no csrf field in page:\n%s", page)
	}
	return m[1]
}

// login logs the browser in and returns the session's CSRF token.
func (b *browser) login(email, pw string) string {
	b.s.t.Helper()
	_, page := b.get("/admin/login")
	resp, body := b.post("/admin/login", url.Values{"csrf": {csrfOf(b.s.t, page)}, "email": {email}, "password": {pw}, "next": {"/admin/"}})
	if resp.StatusCode != http.StatusSeeOther {
		b.s.t.Fatalf("login: %d\n%s", resp.StatusCode, body)
	}
	_, page = b.get("/admin/")
	return csrfOf(b.s.t, page)
}

func mustContain(t *testing.T, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(body, s) {
			t.Errorf("body lacks %q", s)
		}
	}
}

func mustNotContain(t *testing.T, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if strings.Contains(body, s) {
			t.Errorf("body contains %q", s)
		}
	}
}
