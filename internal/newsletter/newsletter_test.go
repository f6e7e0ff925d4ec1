package newsletter_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"legists/internal/clientaddr"
	"legists/internal/digest"
	"legists/internal/mail"
	"legists/internal/mail/mailtest"
	"legists/internal/newsletter"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

var ctx = context.Background()

type env struct {
	st  store.Store
	srv *mailtest.Server
	h   *newsletter.Handler
	web *httptest.Server
	now time.Time
}

func setup(t *testing.T, mod func(*newsletter.Deps)) *env {
	t.Helper()
	e := &env{st: storetest.OpenSQLite(t), now: time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)}
	if err := e.st.UpsertFirms(ctx, storetest.Firms); err != nil {
		t.Fatal(err)
	}
	if err := e.st.UpsertTopics(ctx, storetest.Topics); err != nil {
		t.Fatal(err)
	}
	e.srv = mailtest.Start(t, mailtest.Options{})
	cfg, _ := mail.ParseSMTPURL(e.srv.URL(""))
	sender, err := mail.NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sender.Close() })
	mux := http.NewServeMux()
	e.web = httptest.NewServer(mux)
	t.Cleanup(e.web.Close)
	d := newsletter.Deps{Store: e.st, Mailer: sender, BaseURL: e.web.URL, SyncMail: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return e.now }}
	if mod != nil {
		mod(&d)
	}
	e.h = newsletter.New(d)
	e.h.Register(mux)
	return e
}

type reply struct {
	status int
	header http.Header
	body   string
}

func (e *env) do(t *testing.T, method, path string, form url.Values, hdr map[string]string) reply {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	target := path
	if !strings.HasPrefix(path, "http") {
		target = e.web.URL + path
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, string(b)}
}

func subscribe(t *testing.T, e *env, email string, extra url.Values) reply {
	t.Helper()
	f := url.Values{"email": {email}, "topics": {"sanctions", "no-such-topic"}, "firms": {"clifford-chance-llp"}, "frequency": {"daily"}}
	for k, v := range extra {
		f[k] = v
	}
	return e.do(t, "POST", "/subscribe", f, nil)
}

var linkRE = regexp.MustCompile(`https?://[^\s"<>]+`)

// linkIn finds the link to path in the text part of m.
func linkIn(t *testing.T, m mailtest.Message, path string) string {
	t.Helper()
	p, err := m.Parse()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range linkRE.FindAllString(p.Text, -1) {
		if strings.Contains(l, path+"?token=") {
			return l
		}
	}
	t.Fatalf("no %s link in:\n%s", path, p.Text)
	return ""
}

func TestSubscribeConfirmManage(t *testing.T) {
	e := setup(t, nil)
	r := subscribe(t, e, "Ann@Example.org", nil)
	if r.status != http.StatusOK || !strings.Contains(r.body, "Check your inbox") || !strings.Contains(r.body, `<main class="page"`) {
		t.Fatalf("subscribe: %d\n%s", r.status, r.body)
	}
	msgs, err := e.srv.WaitFor(1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := msgs[0].Parse()
	if subj := p.Header.Get("Subject"); subj != "Confirm your Legists subscription" {
		t.Errorf("subject %q", subj)
	}
	sub, err := e.st.GetSubscriberByEmail(ctx, "ann@example.org")
	if err != nil || sub.Status != store.SubscriberPending || sub.Frequency != store.Daily ||
		len(sub.Topics) != 1 || sub.Topics[0] != "sanctions" || len(sub.Firms) != 1 {
		t.Fatalf("stored: %+v, %v", sub, err)
	}
	confirm := linkIn(t, msgs[0], "/subscribe/confirm")
	r = e.do(t, "GET", confirm, nil, nil)
	if r.status != http.StatusOK || !strings.Contains(r.body, "You are subscribed") {
		t.Fatalf("confirm: %d\n%s", r.status, r.body)
	}
	if r.header.Get("Referrer-Policy") != "no-referrer" || r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("headers of a token page: %v", r.header)
	}
	sub, _ = e.st.GetSubscriberByEmail(ctx, "ann@example.org")
	if sub.Status != store.SubscriberConfirmed || sub.ConfirmIP != "127.0.0.1" {
		t.Fatalf("after confirm: %+v", sub)
	}
	// Confirming twice is fine.
	if r := e.do(t, "GET", confirm, nil, nil); r.status != http.StatusOK {
		t.Errorf("confirm twice: %d", r.status)
	}
	prefsPath := regexp.MustCompile(`href="(https?://[^"]*/preferences\?token=[^"]+)"`).FindStringSubmatch(r.body)
	if prefsPath == nil {
		t.Fatalf("no preferences link on the confirmation page:\n%s", r.body)
	}
	prefs := strings.ReplaceAll(prefsPath[1], "&amp;", "&")
	r = e.do(t, "GET", prefs, nil, nil)
	if r.status != http.StatusOK || !strings.Contains(r.body, `value="sanctions" checked`) || !strings.Contains(r.body, `value="daily" checked`) {
		t.Fatalf("preferences page: %d\n%s", r.status, r.body)
	}
	token, _ := url.Parse(prefs)
	tok := token.Query().Get("token")
	r = e.do(t, "POST", "/preferences", url.Values{"token": {tok}, "frequency": {"weekly"}, "topics": {"energy", "united-kingdom"}}, nil)
	if r.status != http.StatusOK || !strings.Contains(r.body, "saved") {
		t.Fatalf("save preferences: %d\n%s", r.status, r.body)
	}
	sub, _ = e.st.GetSubscriberByEmail(ctx, "ann@example.org")
	if sub.Frequency != store.Weekly || strings.Join(sub.Topics, ",") != "energy,united-kingdom" || len(sub.Firms) != 0 {
		t.Errorf("after save: %+v", sub)
	}
	// Export.
	r = e.do(t, "GET", "/preferences/export?token="+url.QueryEscape(tok), nil, nil)
	var exp newsletter.Export
	if r.status != http.StatusOK || json.Unmarshal([]byte(r.body), &exp) != nil || exp.Subscriber.Email != "Ann@Example.org" ||
		len(exp.Topics) != 2 || exp.Topics[0] != "Energy" || strings.Contains(r.body, sub.Nonce) {
		t.Fatalf("export: %d\n%s", r.status, r.body)
	}
	if !strings.Contains(r.header.Get("Content-Disposition"), "attachment") {
		t.Errorf("export disposition %q", r.header.Get("Content-Disposition"))
	}
	// The manage token is not an unsubscribe or confirm token.
	if r := e.do(t, "GET", "/subscribe/confirm?token="+url.QueryEscape(tok), nil, nil); r.status != http.StatusBadRequest {
		t.Errorf("manage token used to confirm: %d", r.status)
	}
	// Unsubscribe: GET shows a form and changes nothing; POST one-click
	// unsubscribes.
	links := digest.Links{Base: e.web.URL, Tokens: mustTokens(t, e.st)}
	unsub := links.Unsubscribe(sub)
	r = e.do(t, "GET", unsub, nil, nil)
	if r.status != http.StatusOK || !strings.Contains(r.body, `method="post"`) {
		t.Fatalf("unsubscribe page: %d\n%s", r.status, r.body)
	}
	if s, _ := e.st.GetSubscriber(ctx, sub.ID); s.Status != store.SubscriberConfirmed {
		t.Fatal("GET unsubscribed")
	}
	r = e.do(t, "POST", unsub, url.Values{"List-Unsubscribe": {"One-Click"}}, nil)
	if r.status != http.StatusOK {
		t.Fatalf("one-click: %d\n%s", r.status, r.body)
	}
	if s, _ := e.st.GetSubscriber(ctx, sub.ID); s.Status != store.SubscriberUnsubscribed {
		t.Fatalf("after one-click: %s", s.Status)
	}
	// Again: still 200.
	if r := e.do(t, "POST", unsub, url.Values{"List-Unsubscribe": {"One-Click"}}, nil); r.status != http.StatusOK {
		t.Errorf("one-click twice: %d", r.status)
	}
	// The old confirmation link does not undo it.
	if r := e.do(t, "GET", confirm, nil, nil); r.status != http.StatusConflict {
		t.Errorf("old confirm after unsubscribe: %d", r.status)
	}
	// Resume from the preferences page.
	r = e.do(t, "POST", "/preferences", url.Values{"token": {tok}, "action": {"resume"}}, nil)
	if s, _ := e.st.GetSubscriber(ctx, sub.ID); r.status != http.StatusOK || s.Status != store.SubscriberConfirmed {
		t.Errorf("resume: %d %s", r.status, s.Status)
	}
	// Erase.
	r = e.do(t, "POST", "/preferences/erase", url.Values{"token": {tok}}, nil)
	if r.status != http.StatusOK || !strings.Contains(r.body, "erased") {
		t.Fatalf("erase: %d\n%s", r.status, r.body)
	}
	if _, err := e.st.GetSubscriber(ctx, sub.ID); err == nil {
		t.Fatal("subscriber still there after erasure")
	}
	if r := e.do(t, "GET", prefs, nil, nil); r.status != http.StatusBadRequest {
		t.Errorf("preferences after erasure: %d", r.status)
	}
	if r := e.do(t, "POST", unsub, url.Values{"List-Unsubscribe": {"One-Click"}}, nil); r.status != http.StatusOK {
		t.Errorf("one-click after erasure: %d", r.status)
	}
}

func mustTokens(t *testing.T, st store.Store) *digest.Tokens {
	t.Helper()
	tok, err := digest.LoadTokens(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestConfirmLinkExpires(t *testing.T) {
	e := setup(t, nil)
	subscribe(t, e, "late@example.org", nil)
	msgs, _ := e.srv.WaitFor(1, 5*time.Second)
	confirm := linkIn(t, msgs[0], "/subscribe/confirm")
	tok := mustTokens(t, e.st)
	sub, _ := e.st.GetSubscriberByEmail(ctx, "late@example.org")
	// Make a token that expired an hour ago.
	tok.Now = func() time.Time { return time.Now().Add(-digest.ConfirmTTL - time.Hour) }
	old := digest.Links{Base: e.web.URL, Tokens: tok}.Confirm(sub)
	if r := e.do(t, "GET", old, nil, nil); r.status != http.StatusGone || !strings.Contains(r.body, "expired") {
		t.Errorf("expired link: %d", r.status)
	}
	if r := e.do(t, "GET", confirm+"x", nil, nil); r.status != http.StatusBadRequest {
		t.Errorf("damaged link: %d", r.status)
	}
	if r := e.do(t, "GET", "/subscribe/confirm", nil, nil); r.status != http.StatusBadRequest {
		t.Errorf("no token: %d", r.status)
	}
}

// TestNoEnumeration: the answer to a sign-up is the same, status, headers
// and body, for an unknown, a pending and a confirmed address.
func TestNoEnumeration(t *testing.T) {
	e := setup(t, nil)
	yesterday := e.now.Add(-24 * time.Hour)
	if _, err := e.st.ImportSubscribers(ctx, []store.Subscriber{{Email: "known@example.org", ConfirmedAt: &yesterday}}); err != nil {
		t.Fatal(err)
	}
	subscribe(t, e, "pending@example.org", nil)
	var replies []reply
	for _, addr := range []string{"known@example.org", "unknown@example.org", "pending@example.org", "KNOWN@example.org"} {
		replies = append(replies, subscribe(t, e, addr, nil))
	}
	for i, r := range replies[1:] {
		if r.status != replies[0].status || r.body != replies[0].body || r.header.Get("Content-Type") != replies[0].header.Get("Content-Type") ||
			len(r.header) != len(replies[0].header) {
			t.Errorf("reply %d differs: %d vs %d\n%s\n---\n%s", i+1, r.status, replies[0].status, r.body, replies[0].body)
		}
	}
	// The known, confirmed reader gets a note with a link to preferences,
	// not a confirmation; its preferences are unchanged.
	if _, err := e.srv.WaitFor(5, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	known := e.srv.To("known@example.org")
	if len(known) != 2 {
		t.Fatalf("known got %d", len(known))
	}
	p, _ := known[0].Parse()
	if !strings.Contains(p.Header.Get("Subject"), "already subscribed") || !strings.Contains(p.Text, "/preferences?token=") {
		t.Errorf("note to a known reader: %s\n%s", p.Header.Get("Subject"), p.Text)
	}
	sub, _ := e.st.GetSubscriberByEmail(ctx, "known@example.org")
	if sub.Frequency != store.Weekly || len(sub.Topics) != 0 {
		t.Errorf("a sign-up changed a confirmed reader's preferences: %+v", sub)
	}
	// JSON clients get the same too.
	a := e.do(t, "POST", "/subscribe", url.Values{"email": {"known@example.org"}}, map[string]string{"Accept": "application/json"})
	b := e.do(t, "POST", "/subscribe", url.Values{"email": {"nobody@example.org"}}, map[string]string{"Accept": "application/json"})
	if a.status != b.status || a.body != b.body {
		t.Errorf("JSON replies differ: %s / %s", a.body, b.body)
	}
}

func TestHoneypotAndValidation(t *testing.T) {
	e := setup(t, nil)
	ok := subscribe(t, e, "real@example.org", nil)
	bot := subscribe(t, e, "bot@example.org", url.Values{"website": {"http://spam.example"}})
	if bot.status != ok.status || bot.body != ok.body {
		t.Errorf("honeypot reply differs: %d", bot.status)
	}
	if _, err := e.st.GetSubscriberByEmail(ctx, "bot@example.org"); err == nil {
		t.Error("honeypot sign-up stored")
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(e.srv.To("bot@example.org")); n != 0 {
		t.Errorf("honeypot sign-up got %d mails", n)
	}
	for _, bad := range []url.Values{
		{"email": {"not-an-address"}},
		{"email": {"Ann <ann@example.org>"}},
		{"email": {""}},
		{"email": {"ann@example.org"}, "frequency": {"hourly"}},
	} {
		r := e.do(t, "POST", "/subscribe", bad, nil)
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, `name="email"`) {
			t.Errorf("%v: %d", bad, r.status)
		}
	}
	if r := e.do(t, "GET", "/subscribe", nil, nil); r.status != http.StatusOK || !strings.Contains(r.body, `name="website"`) {
		t.Errorf("subscribe form: %d", r.status)
	}
}

func TestRateLimits(t *testing.T) {
	var ip string
	e := setup(t, func(d *newsletter.Deps) {
		d.IPLimit = newsletter.Limit{Every: time.Hour, Burst: 3}
		d.AddressLimit = newsletter.Limit{Every: time.Hour, Burst: 2}
		d.ClientIP = func(*http.Request) string { return ip }
	})
	// Per client address.
	ip = "198.51.100.1"
	for i := range 3 {
		if r := subscribe(t, e, "a"+string(rune('a'+i))+"@example.org", nil); r.status != http.StatusOK {
			t.Fatalf("sign-up %d: %d", i, r.status)
		}
	}
	r := subscribe(t, e, "ad@example.org", nil)
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Errorf("4th sign-up from one address: %d", r.status)
	}
	// Per e-mail address, from many client addresses: the answer stays the
	// same but the mail stops (no list-bombing).
	for i := range 5 {
		ip = "203.0.113." + string(rune('1'+i))
		if r := subscribe(t, e, "victim@example.org", nil); r.status != http.StatusOK {
			t.Fatalf("victim sign-up %d: %d", i, r.status)
		}
	}
	if n := len(e.srv.To("victim@example.org")); n != 2 {
		t.Errorf("victim got %d confirmation mails, want 2", n)
	}
	// Time heals.
	e.now = e.now.Add(2 * time.Hour)
	ip = "198.51.100.1"
	if r := subscribe(t, e, "ae@example.org", nil); r.status != http.StatusOK {
		t.Errorf("after an hour: %d", r.status)
	}
}

func TestEvents(t *testing.T) {
	e := setup(t, nil)
	start := e.now.Add(5 * 24 * time.Hour)
	long := "A one-day forum; panels, networking, and Q&A \\ with a backslash.\nSecond line with ünïcödé and a long tail " + strings.Repeat("éé ", 40)
	for _, ev := range []store.Event{
		{Title: "Sanctions Forum, London", StartsAt: start, EndsAt: start.Add(8 * time.Hour), TimeZone: "Europe/London",
			Place: "Northbank Centre; London", Topics: []string{"Sanctions", "United Kingdom"}, Description: long},
		{Title: "Webinar", StartsAt: start.Add(48 * time.Hour), EndsAt: start.Add(49 * time.Hour), TimeZone: "Asia/Singapore",
			OnlineURL: "https://events.example/webinar?id=1&x=2"},
		{Title: "Long past", StartsAt: e.now.Add(-90 * 24 * time.Hour), EndsAt: e.now.Add(-89 * 24 * time.Hour)},
	} {
		if _, err := e.st.SaveEvent(ctx, &ev); err != nil {
			t.Fatal(err)
		}
	}
	r := e.do(t, "GET", "/events", nil, nil)
	if r.status != http.StatusOK || !strings.Contains(r.body, "Sanctions Forum, London") || !strings.Contains(r.body, "Webinar") ||
		strings.Contains(r.body, "Long past") || !strings.Contains(r.body, "December 2026") || !strings.Contains(r.body, `<main class="page"`) {
		t.Fatalf("events page: %d\n%s", r.status, r.body)
	}
	r = e.do(t, "GET", "/events.ics", nil, nil)
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("ics: %d %s", r.status, r.header.Get("Content-Type"))
	}
	// RFC 5545 framing: CRLF everywhere, no line over 75 octets.
	if strings.Contains(strings.ReplaceAll(r.body, "\r\n", ""), "\n") || !strings.HasSuffix(r.body, "\r\n") {
		t.Error("bare LF or no final CRLF")
	}
	for _, line := range strings.Split(strings.TrimSuffix(r.body, "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line of %d octets: %q", len(line), line)
		}
	}
	// A real parser reads it back.
	cal, err := ical.NewDecoder(bytes.NewReader([]byte(r.body))).Decode()
	if err != nil {
		t.Fatalf("go-ical: %v\n%s", err, r.body)
	}
	if v, _ := cal.Props.Text(ical.PropVersion); v != "2.0" {
		t.Errorf("version %q", v)
	}
	evs := cal.Events()
	if len(evs) != 2 {
		t.Fatalf("%d events", len(evs))
	}
	first := evs[0]
	if s, _ := first.Props.Text(ical.PropSummary); s != "Sanctions Forum, London" {
		t.Errorf("summary %q", s)
	}
	if d, _ := first.Props.Text(ical.PropDescription); !strings.HasPrefix(d, strings.TrimSpace(long)) {
		t.Errorf("description round trip:\n%q\n%q", d, long)
	}
	if l, _ := first.Props.Text(ical.PropLocation); l != "Northbank Centre; London" {
		t.Errorf("location %q", l)
	}
	if st, err := first.DateTimeStart(time.UTC); err != nil || !st.Equal(start) {
		t.Errorf("start %v, %v", st, err)
	}
	if en, err := first.DateTimeEnd(time.UTC); err != nil || !en.Equal(start.Add(8*time.Hour)) {
		t.Errorf("end %v, %v", en, err)
	}
	if uid, _ := first.Props.Text(ical.PropUID); !strings.HasSuffix(uid, "@127.0.0.1") || uid == "" {
		t.Errorf("uid %q", uid)
	}
	if first.Props.Get(ical.PropDateTimeStamp) == nil {
		t.Error("no DTSTAMP")
	}
	if cats := first.Props.Get(ical.PropCategories); cats == nil || !strings.Contains(cats.Value, "United Kingdom") {
		t.Errorf("categories %v", cats)
	}
	if u := evs[1].Props.Get(ical.PropURL); u == nil || u.Value != "https://events.example/webinar?id=1&x=2" {
		t.Errorf("url %v", u)
	}
}

func TestClientAddresses(t *testing.T) {
	e := setup(t, func(d *newsletter.Deps) {
		d.IPLimit = newsletter.Limit{Every: time.Hour, Burst: 1}
		d.ClientIP = clientaddr.Forwarded
	})
	post := func(xff, email string) int {
		return e.do(t, "POST", "/subscribe", url.Values{"email": {email}}, map[string]string{"X-Forwarded-For": xff}).status
	}
	if s := post("192.0.2.9, 2001:db8:1:2::1", "a@example.org"); s != http.StatusOK {
		t.Fatalf("first: %d", s)
	}
	// The same /64: the same bucket.
	if s := post("192.0.2.10, 2001:db8:1:2::ffff", "b@example.org"); s != http.StatusTooManyRequests {
		t.Errorf("same /64: %d", s)
	}
	// Another /64, and IPv4: their own buckets; a forged first entry does
	// not matter.
	if s := post("2001:db8:1:3::1", "c@example.org"); s != http.StatusOK {
		t.Errorf("other /64: %d", s)
	}
	if s := post("2001:db8:1:2::1, 198.51.100.7", "d@example.org"); s != http.StatusOK {
		t.Errorf("IPv4 behind a forged entry: %d", s)
	}
}

func TestWrap(t *testing.T) {
	e := setup(t, func(d *newsletter.Deps) {
		d.Wrap = func(w http.ResponseWriter, r *http.Request, status int, title string, main template.HTML) {
			w.WriteHeader(status)
			io.WriteString(w, "<!-- site layout: "+title+" -->"+string(main))
		}
	})
	r := e.do(t, "GET", "/events", nil, nil)
	if r.status != http.StatusOK || !strings.HasPrefix(r.body, "<!-- site layout: Upcoming events -->") ||
		!strings.Contains(r.body, `<div class="page newsletter-page">`) || strings.Contains(r.body, "<main") || strings.Contains(r.body, "<!doctype") {
		t.Errorf("wrapped page: %d\n%s", r.status, r.body)
	}
	// The calendar subscription is a real webcal: link, not html/template's
	// #ZgotmplZ.
	if !regexp.MustCompile(`href="webcal://127\.0\.0\.1:\d+/events\.ics"`).MatchString(r.body) || strings.Contains(r.body, "ZgotmplZ") {
		t.Errorf("no webcal: link on /events:\n%s", r.body)
	}
	if r := e.do(t, "GET", "/subscribe/confirm?token=x", nil, nil); r.status != http.StatusBadRequest || !strings.Contains(r.body, "site layout") {
		t.Errorf("wrapped error page: %d", r.status)
	}
}
