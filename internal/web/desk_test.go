package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"legists/internal/brief"
	"legists/internal/store"
)

const deskBrief = `---
byline: Desk Tester
topics:
  - Sanctions & Export Controls
firms:
  - Clifford Chance LLP
---

# Regulator fines shipping broker over sanctions breaches

## What just happened?

The regulator fined a London shipping broker £2 million for breaching sanctions. [1]

## What does this mean?

Brokers must screen vessels and counterparties before every fixture. [1]

## How will this affect the legal sector?

Sanctions teams expect more advisory work from the shipping industry. [1]

## Sources

1. [Broker fined over sanctions](https://news.example/broker-fined) — Example News
`

const pw = "correct horse battery"

func TestDeskWorkflow(t *testing.T) {
	s := newSite(t)
	s.addUser("admin@example.org", brief.RoleAdmin, pw)
	s.addUser("editor@example.org", brief.RoleEditor, pw)
	s.addUser("author@example.org", brief.RoleAuthor, pw)

	// Not logged in: redirected to the login page.
	anon := s.browser()
	resp, _ := anon.get("/admin/")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/admin/login") {
		t.Fatalf("anonymous desk: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Wrong password, then a forged login form.
	_, page := anon.get("/admin/login")
	mustContain(t, page, `<label for="email">`, `<label for="password">`, `autocomplete="current-password"`)
	resp, page = anon.post("/admin/login", url.Values{"csrf": {csrfOf(t, page)}, "email": {"author@example.org"}, "password": {"wrong password"}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "Wrong email or password") {
		t.Fatalf("wrong password: %d", resp.StatusCode)
	}
	if resp, _ := anon.post("/admin/login", url.Values{"csrf": {"forged"}, "email": {"author@example.org"}, "password": {pw}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("login CSRF: %d", resp.StatusCode)
	}

	author := s.browser()
	csrf := author.login("author@example.org", pw)

	// CSRF: a POST without the session's token is refused.
	if resp, _ := author.post("/admin/briefs/new", url.Values{"text": {deskBrief}, "action": {"save"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("missing CSRF: %d", resp.StatusCode)
	}
	// A parse error names the line and saves nothing.
	resp, page = author.post("/admin/briefs/new", url.Values{"csrf": {csrf}, "text": {"# Title only\n\nno sections"}, "action": {"save"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "line") {
		t.Fatalf("parse error: %d", resp.StatusCode)
	}
	// Preview renders the brief with its citation linked to the source list.
	resp, page = author.post("/admin/briefs/new", url.Values{"csrf": {csrf}, "text": {deskBrief}, "action": {"preview"}})
	if resp.StatusCode != 200 {
		t.Fatalf("preview: %d", resp.StatusCode)
	}
	mustContain(t, page, `id="preview"`, `href="#source-1"`, "Broker fined over sanctions", `class="firmname" href="/firms/clifford-chance-llp">Clifford Chance LLP</a>`)
	// Save: a draft, not public.
	resp, _ = author.post("/admin/briefs/new", url.Values{"csrf": {csrf}, "text": {deskBrief}, "action": {"save"}, "note": {"first draft"}})
	slug := "regulator-fines-shipping-broker-over-sanctions-breaches"
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/briefs/"+slug+"?done=created" {
		t.Fatalf("create: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := s.get("/briefs/" + slug); resp.StatusCode != 404 {
		t.Fatalf("draft is public: %d", resp.StatusCode)
	}
	// Edit: a second revision, with a diff.
	_, page = author.get("/admin/briefs/" + slug + "?done=created")
	mustContain(t, page, "Created as a draft", "Submit for review", `name="text"`)
	mustNotContain(t, page, "Publish now")
	edited := strings.Replace(deskBrief, "£2 million", "£2.5 million", 1)
	resp, _ = author.post("/admin/briefs/"+slug, url.Values{"csrf": {csrf}, "text": {edited}, "action": {"save"}, "note": {"fix the amount"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	_, page = author.get("/admin/briefs/" + slug + "/revisions")
	mustContain(t, page, "Revision 2", "fix the amount", "<del>£2</del>", "<ins>£2.5</ins>", "author@example.org")
	// An author may submit for review but not publish.
	if resp, _ := author.post("/admin/briefs/"+slug+"/status", url.Values{"csrf": {csrf}, "to": {"review"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d", resp.StatusCode)
	}
	if resp, _ := author.post("/admin/briefs/"+slug+"/status", url.Values{"csrf": {csrf}, "to": {"published"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("author published: %d", resp.StatusCode)
	}
	if resp, _ := author.get("/admin/audit"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("author reads audit: %d", resp.StatusCode)
	}

	// The editor publishes; the brief is on the home page and in the feed.
	editor := s.browser()
	ecsrf := editor.login("editor@example.org", pw)
	_, page = editor.get("/admin/?status=review")
	mustContain(t, page, `href="/admin/briefs/`+slug+`"`)
	if resp, _ := editor.post("/admin/briefs/"+slug+"/status", url.Values{"csrf": {ecsrf}, "to": {"published"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d", resp.StatusCode)
	}
	_, home := s.get("/")
	mustContain(t, home, `href="/briefs/`+slug+`"`)
	_, atom := s.get("/feed.xml")
	f, err := gofeed.NewParser().ParseString(atom)
	if err != nil || f.Items[0].Link != s.ts.URL+"/briefs/"+slug {
		t.Fatalf("feed: %v first %v", err, f.Items[0].Link)
	}
	resp, page = s.get("/briefs/" + slug)
	if resp.StatusCode != 200 {
		t.Fatalf("published page: %d", resp.StatusCode)
	}
	mustContain(t, page, "£2.5 million", `href="#source-1"`)
	// Authors may not edit a published brief.
	if resp, _ := author.post("/admin/briefs/"+slug, url.Values{"csrf": {csrf}, "text": {deskBrief}, "action": {"save"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("author edits published: %d", resp.StatusCode)
	}

	// Scheduled publishing.
	ctx := context.Background()
	resp, _ = author.post("/admin/briefs/new", url.Values{"csrf": {csrf}, "text": {strings.Replace(deskBrief, "# Regulator", "# Later regulator", 1)}, "action": {"save"}})
	later := "later-regulator-fines-shipping-broker-over-sanctions-breaches"
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second brief: %d", resp.StatusCode)
	}
	at := time.Now().UTC().Add(2 * time.Hour).Format("2006-01-02T15:04")
	if resp, body := editor.post("/admin/briefs/"+later+"/status", url.Values{"csrf": {ecsrf}, "to": {"schedule"}, "at": {at}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("schedule: %d %s", resp.StatusCode, body)
	}
	_, page = editor.get("/admin/?status=scheduled")
	mustContain(t, page, later)
	if n, err := s.srv.PublishDue(ctx, time.Now()); err != nil || n != 0 {
		t.Fatalf("early publish: %d %v", n, err)
	}
	if n, err := s.srv.PublishDue(ctx, time.Now().Add(3*time.Hour)); err != nil || n != 1 {
		t.Fatalf("due publish: %d %v", n, err)
	}
	if resp, _ := s.get("/briefs/" + later); resp.StatusCode != 200 {
		t.Fatalf("scheduled brief not public: %d", resp.StatusCode)
	}

	// The audit log says who did what.
	_, page = editor.get("/admin/audit")
	mustContain(t, page, "brief.create", "brief.save", "brief.status", "brief.schedule", "login", "editor@example.org", "author@example.org", "system")
	entries, _ := s.st.ListAudit(ctx, store.AuditFilter{Target: slug})
	if len(entries) < 4 {
		t.Errorf("audit entries for %s: %d", slug, len(entries))
	}

	// Users: admins only.
	if resp, _ := editor.get("/admin/users"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("editor manages users: %d", resp.StatusCode)
	}
	admin := s.browser()
	acsrf := admin.login("admin@example.org", pw)
	resp, page = admin.post("/admin/users", url.Values{"csrf": {acsrf}, "email": {"new@example.org"}, "name": {"New"}, "role": {"editor"}, "password": {"long enough passphrase"}})
	if resp.StatusCode != 200 || !strings.Contains(page, "Added new@example.org") {
		t.Fatalf("add user: %d", resp.StatusCode)
	}
	if u, err := s.st.GetUserByEmail(ctx, "new@example.org"); err != nil || u.Role != brief.RoleEditor || !strings.HasPrefix(u.PasswordHash, "$argon2id$") {
		t.Fatalf("new user: %+v %v", u, err)
	}

	// Logout ends the session.
	if resp, _ := editor.post("/admin/logout", url.Values{"csrf": {ecsrf}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if resp, _ := editor.get("/admin/"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after logout: %d", resp.StatusCode)
	}
}

func TestDeskTokensAndSafety(t *testing.T) {
	s := newSite(t)
	s.addUser("editor@example.org", brief.RoleEditor, pw)
	b := s.browser()
	csrf := b.login("editor@example.org", pw)
	resp, page := b.post("/admin/tokens", url.Values{"csrf": {csrf}, "name": {"script"}})
	if resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	}
	m := regexp.MustCompile(`id="new-token">(lgt_[^<]+)<`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no token shown")
	}
	resp, body := s.get("/api/v1/me", "Authorization", "Bearer "+m[1])
	if resp.StatusCode != 200 || !strings.Contains(body, "editor@example.org") {
		t.Fatalf("token: %d %s", resp.StatusCode, body)
	}
	// Desk pages are never cached and not indexed.
	resp, _ = b.get("/admin/")
	if resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("X-Robots-Tag") == "" {
		t.Errorf("desk headers: %v", resp.Header)
	}
	// The session cookie is HttpOnly and SameSite.
	_, page = s.browser().get("/admin/login")
	resp, _ = s.browser().post("/admin/login", url.Values{"csrf": {csrfOf(t, page)}, "email": {"editor@example.org"}, "password": {pw}})
	_ = resp
	lb := s.browser()
	_, page = lb.get("/admin/login")
	resp, _ = lb.post("/admin/login", url.Values{"csrf": {csrfOf(t, page)}, "email": {"editor@example.org"}, "password": {pw}})
	c := resp.Header.Get("Set-Cookie")
	if !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Lax") {
		t.Errorf("cookie: %s", c)
	}
	// Open redirects are refused.
	if got := safeNext("//evil.example/"); got != "/admin/" {
		t.Errorf("safeNext: %s", got)
	}
	if got := safeNext("https://evil.example/admin/"); got != "/admin/" {
		t.Errorf("safeNext: %s", got)
	}
	// XSS in the editor round-trips as text.
	x := strings.Replace(deskBrief, "# Regulator", "# <script>alert(1)</script> Regulator", 1)
	resp, page = b.post("/admin/briefs/new", url.Values{"csrf": {csrf}, "text": {x}, "action": {"preview"}})
	if resp.StatusCode != 200 || strings.Contains(page, "<script>alert") {
		t.Errorf("preview XSS: %d", resp.StatusCode)
	}
}

func TestDiff(t *testing.T) {
	d := diffLines("a\nb <x>\nc\n", "a\nB <x>\nc\nd\n")
	var ops []string
	for _, l := range d {
		ops = append(ops, l.Op)
	}
	if strings.Join(ops, ",") != "eq,del,add,eq,add" {
		t.Fatalf("ops %v", ops)
	}
	if string(d[1].HTML) != "<del>b</del> &lt;x&gt;" || string(d[2].HTML) != "<ins>B</ins> &lt;x&gt;" {
		t.Fatalf("word diff %q %q", d[1].HTML, d[2].HTML)
	}
}

func TestDeskChecksInline(t *testing.T) {
	s := newSite(t)
	s.srv.opts.Checker = func(_ context.Context, b *brief.Brief) ([]Finding, error) {
		return []Finding{{Kind: "number-mismatch", Severity: "error", Section: 0, Paragraph: 0, Citation: 1,
			Sentence: "The regulator fined <b>", Message: "£2 million is not in source 1", Tier: "error", Score: 0.12}}, nil
	}
	s.srv.opts.Tagger = func(_ context.Context, b *brief.Brief) ([]Suggestion, []Suggestion, error) {
		return []Suggestion{{Name: "Clifford Chance LLP", Score: 0.9, Reasons: []string{"named in source 1"}}},
			[]Suggestion{{Name: "Sanctions & Export Controls", Score: 0.8}}, nil
	}
	s.addUser("author@example.org", brief.RoleAuthor, pw)
	b := s.browser()
	csrf := b.login("author@example.org", pw)
	resp, page := b.post("/admin/briefs/new", url.Values{"csrf": {csrf}, "text": {deskBrief}, "action": {"preview"}})
	if resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	}
	// The finding is listed in the side panel, linked to its paragraph,
	// which is flagged in the preview; the suggestions show their reasons.
	mustContain(t, page, "number-mismatch", "£2 million is not in source 1", `<span class="tier">error</span>`, `<span class="score"`, ">0.12</span>", `href="#p-0-0"`, `id="p-0-0"`, `class="flagged"`,
		"Clifford Chance LLP", "named in source 1", "Sanctions &amp; Export Controls", "The regulator fined &lt;b&gt;")
	mustNotContain(t, page, "not available on this server")
}

func TestDeskRefusesCrossSitePosts(t *testing.T) {
	s := newSite(t)
	resp, _ := s.do(http.MethodPost, "/admin/login", strings.NewReader("email=a&password=b"),
		"Content-Type", "application/x-www-form-urlencoded", "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site login post: %d", resp.StatusCode)
	}
}
