package web

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"legists/internal/auth"
	"legists/internal/brief"
	"legists/internal/clientaddr"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

// newSiteBehindProxy is newSite for a site behind a trusted reverse proxy.
func newSiteBehindProxy(t *testing.T) *testSite {
	t.Helper()
	s := newSite(t)
	srv, err := New(Options{Store: s.st, BaseURL: s.ts.URL, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		MaxBodyBytes: 256 << 10, ClientIP: clientaddr.Func(true)})
	if err != nil {
		t.Fatal(err)
	}
	s.srv = srv
	s.ts.Config.Handler = srv
	return s
}

// postFrom posts a form with extra header pairs.
func (b *browser) postWith(path string, form url.Values, hdr ...string) (*http.Response, string) {
	b.s.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.s.ts.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// tryLogin posts one login from a fresh browser and returns the status.
func (s *testSite) tryLogin(email, password string, hdr ...string) (*http.Response, string) {
	s.t.Helper()
	b := s.browser()
	_, page := b.get("/admin/login")
	return b.postWith("/admin/login", url.Values{"csrf": {csrfOf(s.t, page)}, "email": {email}, "password": {password}}, hdr...)
}

func (s *testSite) audits(action string) []store.AuditEntry {
	s.t.Helper()
	all, err := s.st.ListAudit(context.Background(), store.AuditFilter{Limit: 1000})
	if err != nil {
		s.t.Fatal(err)
	}
	var out []store.AuditEntry
	for _, e := range all {
		if e.Action == action {
			out = append(out, e)
		}
	}
	return out
}

// parallelLogins sends n bad logins at once and counts the answers by
// status.
func (s *testSite) parallelLogins(n int, email func(i int) string, hdr func(i int) []string) map[int]int {
	s.t.Helper()
	type prepared struct {
		b    *browser
		form url.Values
	}
	ps := make([]prepared, n)
	for i := range ps {
		b := s.browser()
		_, page := b.get("/admin/login")
		ps[i] = prepared{b, url.Values{"csrf": {csrfOf(s.t, page)}, "email": {email(i)}, "password": {"wrong password " + strconv.Itoa(i)}}}
	}
	var mu sync.Mutex
	counts := map[int]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, p := range ps {
		wg.Go(func() {
			<-start
			resp, _ := p.b.postWith("/admin/login", p.form, hdr(i)...)
			if resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") == "" {
				s.t.Error("429 without Retry-After")
			}
			mu.Lock()
			counts[resp.StatusCode]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	return counts
}

// The throttle counts a guess as it lets it through: of 30 parallel bad
// logins from one address, 10 are evaluated (401) and 20 refused (429).
func TestLoginThrottleParallelOneAddress(t *testing.T) {
	s := newSite(t)
	s.addUser("editor@example.org", brief.RoleEditor, pw)
	counts := s.parallelLogins(30, func(int) string { return "editor@example.org" }, func(int) []string { return nil })
	if counts[http.StatusUnauthorized] != 10 || counts[http.StatusTooManyRequests] != 20 {
		t.Errorf("30 parallel bad logins: %v, want 10 × 401 and 20 × 429", counts)
	}
	if n := len(s.audits("login.failed")); n != 10 {
		t.Errorf("%d failed logins audited, want 10", n)
	}
}

// Guesses at one account from ten addresses: ten are evaluated in all.
func TestLoginThrottlePerAccount(t *testing.T) {
	s := newSiteBehindProxy(t)
	s.addUser("victim@example.org", brief.RoleEditor, pw)
	counts := s.parallelLogins(40, func(int) string { return "victim@example.org" },
		func(i int) []string { return []string{"X-Forwarded-For", "198.51.100." + strconv.Itoa(i%10+1)} })
	if counts[http.StatusUnauthorized] != 10 || counts[http.StatusTooManyRequests] != 30 {
		t.Errorf("40 guesses at one account from 10 addresses: %v, want 10 × 401 and 30 × 429", counts)
	}
	// The account is locked, even for the right password, for now; other
	// accounts are not.
	if resp, _ := s.tryLogin("victim@example.org", pw, "X-Forwarded-For", "203.0.113.5"); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("locked account: %d, want 429", resp.StatusCode)
	}
	s.addUser("other@example.org", brief.RoleEditor, pw)
	if resp, _ := s.tryLogin("other@example.org", pw, "X-Forwarded-For", "203.0.113.5"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("another account: %d, want 303", resp.StatusCode)
	}
}

// Behind a trusted proxy, the throttle and the audit log key on the
// client's address the proxy reports, not on the proxy's: one attacker's
// bad logins do not lock every editor out.
func TestDeskThrottleHonoursTrustedProxy(t *testing.T) {
	s := newSiteBehindProxy(t)
	s.addUser("editor@example.org", brief.RoleEditor, pw)
	for i := range 12 {
		s.tryLogin("nobody"+strconv.Itoa(i)+"@example.org", "wrong password", "X-Forwarded-For", "198.51.100.66")
	}
	if resp, _ := s.tryLogin("someone@example.org", "wrong password", "X-Forwarded-For", "198.51.100.66"); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the attacker's address is not throttled: %d", resp.StatusCode)
	}
	resp, _ := s.tryLogin("editor@example.org", pw, "X-Forwarded-For", "203.0.113.7")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("an editor behind the same proxy is locked out: %d", resp.StatusCode)
	}
	logins := s.audits("login")
	if len(logins) != 1 || logins[0].Detail != "from 203.0.113.7" {
		t.Errorf("login audit %+v, want one from the forwarded address", logins)
	}
	if f := s.audits("login.failed"); len(f) == 0 || f[0].Detail != "from 198.51.100.66" {
		t.Errorf("failed-login audit %+v", f)
	}

	// Without a trusted proxy the header is the client's to forge and is
	// ignored: the peer address is throttled.
	d := newSite(t)
	for i := range 10 {
		d.tryLogin("x@example.org", "wrong password", "X-Forwarded-For", "198.51.100."+strconv.Itoa(i+1))
	}
	if resp, _ := d.tryLogin("y@example.org", "wrong password", "X-Forwarded-For", "198.51.100.99"); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("forged X-Forwarded-For escapes the throttle: %d", resp.StatusCode)
	}
}

// With every hashing slot taken, a login waits at most the queue timeout
// and answers 503 with Retry-After; nothing is counted against the user.
func TestLoginBusyHashing(t *testing.T) {
	old := auth.Hashing
	auth.Hashing = auth.NewHashLimit(1, 20*time.Millisecond)
	defer func() { auth.Hashing = old }()
	s := newSite(t)
	s.addUser("editor@example.org", brief.RoleEditor, pw)
	release, err := auth.Hashing.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	for range 12 {
		resp, page := s.tryLogin("editor@example.org", pw)
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(page, "busy") {
			t.Fatalf("login with no free hashing slot: %d %q", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	}
	release()
	if resp, _ := s.tryLogin("editor@example.org", pw); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("login once a slot is free: %d (busy answers must not count as failures)", resp.StatusCode)
	}
}

var tokenRE = regexp.MustCompile(`id="new-token">(lgt_[^<]+)<`)

func (b *browser) newToken(csrf string, days string) string {
	b.s.t.Helper()
	resp, page := b.post("/admin/tokens", url.Values{"csrf": {csrf}, "name": {"script"}, "expires_days": {days}})
	m := tokenRE.FindStringSubmatch(page)
	if resp.StatusCode != 200 || m == nil {
		b.s.t.Fatalf("new token: %d", resp.StatusCode)
	}
	return m[1]
}

func (s *testSite) apiStatus(token string) int {
	s.t.Helper()
	resp, _ := s.get("/api/v1/me", "Authorization", "Bearer "+token)
	return resp.StatusCode
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	s := newSite(t)
	s.addUser("editor@example.org", brief.RoleEditor, pw)
	b1, b2 := s.browser(), s.browser()
	csrf := b1.login("editor@example.org", pw)
	b2.login("editor@example.org", pw)
	tok := b1.newToken(csrf, "0")

	// The policy: characters, not bytes; no common passwords.
	for _, bad := range []string{"ééééé", "ééééééééééé", "qwerty123456", "QWERTY123456"} {
		resp, page := b1.post("/admin/password", url.Values{"csrf": {csrf}, "current": {pw}, "new": {bad}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "not accepted") {
			t.Errorf("new password %q: %d", bad, resp.StatusCode)
		}
	}
	// Without revoking tokens: the other session ends, the token works.
	const pw2 = "éééééééééééé" // 12 characters
	resp, page := b1.post("/admin/password", url.Values{"csrf": {csrf}, "current": {pw}, "new": {pw2}})
	if resp.StatusCode != 200 || !strings.Contains(page, "Password changed") {
		t.Fatalf("change: %d", resp.StatusCode)
	}
	if resp, _ := b2.get("/admin/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the other session still works after a password change: %d", resp.StatusCode)
	}
	if resp, _ := b1.get("/admin/"); resp.StatusCode != 200 {
		t.Errorf("the session that changed the password ended: %d", resp.StatusCode)
	}
	if st := s.apiStatus(tok); st != 200 {
		t.Errorf("token without revocation: %d", st)
	}
	// With revocation, the API tokens stop too.
	resp, _ = b1.post("/admin/password", url.Values{"csrf": {csrf}, "current": {pw2}, "new": {pw}, "revoke_tokens": {"1"}})
	if resp.StatusCode != 200 {
		t.Fatalf("change with revocation: %d", resp.StatusCode)
	}
	if st := s.apiStatus(tok); st != http.StatusUnauthorized {
		t.Errorf("revoked token: %d, want 401", st)
	}
	if a := s.audits("user.password"); len(a) != 2 || a[0].Detail != "other sessions ended, API tokens revoked" {
		t.Errorf("password audits %+v", a)
	}
}

// The current-password check of the password page is throttled like a
// login.
func TestPasswordPageThrottled(t *testing.T) {
	s := newSite(t)
	s.addUser("editor@example.org", brief.RoleEditor, pw)
	b := s.browser()
	csrf := b.login("editor@example.org", pw)
	codes := map[int]int{}
	for range 15 {
		resp, _ := b.post("/admin/password", url.Values{"csrf": {csrf}, "current": {"guess guess guess"}, "new": {"a brand new passphrase"}})
		codes[resp.StatusCode]++
	}
	if codes[http.StatusUnprocessableEntity] != 10 || codes[http.StatusTooManyRequests] != 5 {
		t.Errorf("15 wrong current passwords: %v, want 10 × 422 then 5 × 429", codes)
	}
}

func TestTokenExpiry(t *testing.T) {
	s := newSite(t)
	s.addUser("editor@example.org", brief.RoleEditor, pw)
	b := s.browser()
	csrf := b.login("editor@example.org", pw)
	week := b.newToken(csrf, "7")
	forever := b.newToken(csrf, "0")
	_, page := b.get("/admin/tokens")
	mustContain(t, page, "Expires", "never", `name="expires_days"`)
	if resp, _ := b.post("/admin/tokens", url.Values{"csrf": {csrf}, "name": {"x"}, "expires_days": {"-3"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("negative expiry: %d", resp.StatusCode)
	}
	if s.apiStatus(week) != 200 || s.apiStatus(forever) != 200 {
		t.Fatal("fresh tokens refused")
	}
	s.srv.auth.Now = func() time.Time { return time.Now().Add(8 * 24 * time.Hour) }
	if st := s.apiStatus(week); st != http.StatusUnauthorized {
		t.Errorf("expired token: %d, want 401", st)
	}
	if st := s.apiStatus(forever); st != 200 {
		t.Errorf("token without expiry: %d", st)
	}
}

// Revoking another user's token changes nothing: 404, nothing audited.
func TestRevokeOthersTokenNotAudited(t *testing.T) {
	s := newSite(t)
	s.addUser("a@example.org", brief.RoleEditor, pw)
	s.addUser("b@example.org", brief.RoleEditor, pw)
	ba, bb := s.browser(), s.browser()
	csrfA := ba.login("a@example.org", pw)
	csrfB := bb.login("b@example.org", pw)
	tokB := bb.newToken(csrfB, "0")
	toks, _ := s.st.ListAPITokens(context.Background(), mustUser(t, s, "b@example.org").ID)
	resp, _ := ba.post("/admin/tokens/"+strconv.FormatInt(toks[0].ID, 10)+"/delete", url.Values{"csrf": {csrfA}})
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("revoking another's token: %d, want 404", resp.StatusCode)
	}
	if a := s.audits("token.revoke"); len(a) != 0 {
		t.Errorf("a revocation that changed nothing was audited: %+v", a)
	}
	if s.apiStatus(tokB) != 200 {
		t.Error("the other user's token was revoked")
	}
	resp, _ = bb.post("/admin/tokens/"+strconv.FormatInt(toks[0].ID, 10)+"/delete", url.Values{"csrf": {csrfB}})
	if resp.StatusCode != 200 || len(s.audits("token.revoke")) != 1 || s.apiStatus(tokB) != http.StatusUnauthorized {
		t.Errorf("own revocation: %d, %d audits", resp.StatusCode, len(s.audits("token.revoke")))
	}
}

func mustUser(t *testing.T, s *testSite, email string) *store.User {
	t.Helper()
	u, err := s.st.GetUserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestDeskManagesUsers(t *testing.T) {
	s := newSite(t)
	s.addUser("admin@example.org", brief.RoleAdmin, pw)
	s.addUser("editor@example.org", brief.RoleEditor, pw)
	admin, ed := s.browser(), s.browser()
	acsrf := admin.login("admin@example.org", pw)
	ecsrf := ed.login("editor@example.org", pw)
	tok := ed.newToken(ecsrf, "0")
	edID := strconv.FormatInt(mustUser(t, s, "editor@example.org").ID, 10)
	adID := strconv.FormatInt(mustUser(t, s, "admin@example.org").ID, 10)

	// Only admins manage users.
	if resp, _ := ed.post("/admin/users/"+adID, url.Values{"csrf": {ecsrf}, "action": {"disable"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an editor disables an admin: %d", resp.StatusCode)
	}
	// Disable: the editor's session and token stop at once.
	resp, _ := admin.post("/admin/users/"+edID, url.Values{"csrf": {acsrf}, "action": {"disable"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", resp.StatusCode)
	}
	if resp, _ := ed.get("/admin/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a disabled user's session still works: %d", resp.StatusCode)
	}
	if st := s.apiStatus(tok); st != http.StatusUnauthorized {
		t.Errorf("a disabled user's token: %d, want 401", st)
	}
	if resp, _ := s.tryLogin("editor@example.org", pw); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a disabled user logs in: %d", resp.StatusCode)
	}
	_, page := admin.get("/admin/users?done=disable")
	mustContain(t, page, "disabled", "is disabled")
	// Enable, then change the role.
	admin.post("/admin/users/"+edID, url.Values{"csrf": {acsrf}, "action": {"enable"}})
	if st := s.apiStatus(tok); st != 200 {
		t.Errorf("an enabled user's token: %d", st)
	}
	if resp, _ := admin.post("/admin/users/"+edID, url.Values{"csrf": {acsrf}, "action": {"role"}, "role": {"emperor"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad role: %d", resp.StatusCode)
	}
	admin.post("/admin/users/"+edID, url.Values{"csrf": {acsrf}, "action": {"role"}, "role": {"author"}})
	if u := mustUser(t, s, "editor@example.org"); u.Role != brief.RoleAuthor {
		t.Errorf("role %s, want author", u.Role)
	}
	// The last admin cannot be demoted, disabled or removed.
	for _, f := range []url.Values{{"action": {"role"}, "role": {"editor"}}, {"action": {"disable"}}, {"action": {"remove"}, "confirm": {"admin@example.org"}}} {
		f.Set("csrf", acsrf)
		resp, page := admin.post("/admin/users/"+adID, f)
		if resp.StatusCode != http.StatusConflict || !strings.Contains(page, "last enabled admin") {
			t.Errorf("%v on the last admin: %d", f, resp.StatusCode)
		}
	}
	if u := mustUser(t, s, "admin@example.org"); u.Role != brief.RoleAdmin || u.Disabled {
		t.Errorf("the last admin changed: %+v", u)
	}
	// Remove needs the email typed.
	if resp, _ := admin.post("/admin/users/"+edID, url.Values{"csrf": {acsrf}, "action": {"remove"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("remove without confirmation: %d", resp.StatusCode)
	}
	if resp, _ := admin.post("/admin/users/"+edID, url.Values{"csrf": {acsrf}, "action": {"remove"}, "confirm": {"editor@example.org"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("remove: %d", resp.StatusCode)
	}
	if _, err := s.st.GetUserByEmail(context.Background(), "editor@example.org"); err == nil {
		t.Error("the user was not removed")
	}
	if resp, _ := admin.post("/admin/users/"+edID, url.Values{"csrf": {acsrf}, "action": {"disable"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a removed user: %d", resp.StatusCode)
	}
	for _, a := range []string{"user.disable", "user.enable", "user.role", "user.remove"} {
		if n := len(s.audits(a)); n != 1 {
			t.Errorf("%d %s entries, want 1", n, a)
		}
	}
}

// A desk save and its audit entry are one transaction: when the audit
// entry cannot be written, the save is rolled back too.
func TestDeskSaveAuditSameTransaction(t *testing.T) {
	dsn := storetest.SQLiteDSN(t)
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	raw, err := sql.Open("sqlite", strings.TrimPrefix(dsn, "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	s := newSiteOn(t, st)
	s.addUser("editor@example.org", brief.RoleEditor, pw)
	b := s.browser()
	csrf := b.login("editor@example.org", pw)
	if _, err := raw.Exec(`CREATE TRIGGER audit_down BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END`); err != nil {
		t.Fatal(err)
	}
	drafts := func() int {
		pg, err := s.st.ListBriefs(context.Background(), store.BriefFilter{Status: brief.StatusDraft, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		return len(pg.Briefs)
	}
	before := drafts()
	resp, _ := b.post("/admin/briefs/new", url.Values{"csrf": {csrf}, "text": {deskBrief}, "action": {"save"}})
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("save with the audit log failing: %d, want 500", resp.StatusCode)
	}
	if n := drafts(); n != before {
		t.Fatalf("the brief was saved without its audit entry: %d drafts, want %d", n, before)
	}
	if _, err := raw.Exec(`DROP TRIGGER audit_down`); err != nil {
		t.Fatal(err)
	}
	resp, _ = b.post("/admin/briefs/new", url.Values{"csrf": {csrf}, "text": {deskBrief}, "action": {"save"}})
	if resp.StatusCode != http.StatusSeeOther || len(s.audits("brief.create")) != 1 || drafts() != before+1 {
		t.Errorf("save: %d, %d audit entries", resp.StatusCode, len(s.audits("brief.create")))
	}
}
