package digest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"legists/internal/brief"
	"legists/internal/digest"
	"legists/internal/mail"
	"legists/internal/mail/mailtest"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

var ctx = context.Background()

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestEditionKeys(t *testing.T) {
	d, w := digest.EditionKeys(time.Date(2026, 11, 28, 23, 30, 0, 0, time.FixedZone("X", -3600)))
	if d != "daily:2026-11-29" || w != "weekly:2026-W48" {
		t.Errorf("%s %s", d, w)
	}
	if _, w := digest.EditionKeys(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)); w != "weekly:2026-W53" {
		t.Errorf("ISO week of 2027-01-01: %s", w)
	}
}

func TestTokens(t *testing.T) {
	tok, err := digest.NewTokens([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	tok.Now = func() time.Time { return now }
	sub := &store.Subscriber{ID: 42, Nonce: "n1"}
	s := tok.Make(sub, digest.PurposeConfirm, time.Hour)
	c, err := tok.Parse(s, digest.PurposeConfirm)
	if err != nil || c.SubscriberID != 42 {
		t.Fatalf("parse: %+v, %v", c, err)
	}
	if err := tok.Verify(c, sub, false); err != nil {
		t.Fatal(err)
	}
	if _, err := tok.Parse(s, digest.PurposeUnsubscribe); !errors.Is(err, digest.ErrTokenInvalid) {
		t.Errorf("other purpose: %v", err)
	}
	if err := tok.Verify(c, &store.Subscriber{ID: 42, Nonce: "n2"}, false); !errors.Is(err, digest.ErrTokenInvalid) {
		t.Errorf("other nonce (erased and re-created): %v", err)
	}
	other, _ := digest.NewTokens([]byte(strings.Repeat("x", 32)))
	if err := other.Verify(c, sub, false); !errors.Is(err, digest.ErrTokenInvalid) {
		t.Errorf("other secret: %v", err)
	}
	// Tampering with any byte breaks it.
	for i := range len(s) {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		if c, err := tok.Parse(string(b), digest.PurposeConfirm); err == nil {
			if tok.Verify(c, sub, false) == nil && c.SubscriberID == 42 {
				t.Errorf("tampered token %q accepted", b)
			}
		}
	}
	now = now.Add(2 * time.Hour)
	if err := tok.Verify(c, sub, false); !errors.Is(err, digest.ErrTokenExpired) {
		t.Errorf("expired: %v", err)
	}
	if err := tok.Verify(c, sub, true); err != nil {
		t.Errorf("expired but allowed: %v", err)
	}
	for _, bad := range []string{"", "!!!", "AAAA", strings.Repeat("A", 40)} {
		if _, err := tok.Parse(bad, digest.PurposeConfirm); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

// fixture is a store with the generator's directory, a few briefs and an
// event, a clock, and an SMTP sink.
type fixture struct {
	st    store.Store
	srv   *mailtest.Server
	now   time.Time
	clock func() time.Time
}

func newFixture(t *testing.T, st store.Store) *fixture {
	t.Helper()
	f := &fixture{st: st, now: time.Date(2026, 11, 28, 7, 0, 0, 0, time.UTC)}
	f.clock = func() time.Time { return f.now }
	if err := st.UpsertFirms(ctx, storetest.Firms); err != nil {
		t.Fatal(err)
	}
	if err := st.UpsertTopics(ctx, storetest.Topics); err != nil {
		t.Fatal(err)
	}
	f.srv = mailtest.Start(t, mailtest.Options{})
	return f
}

// publish saves a published brief tagged with topics and firms, published
// at f.now minus ago.
func (f *fixture) publish(t *testing.T, slug string, ago time.Duration, topics, firms []string) {
	t.Helper()
	b := storetest.GenerateBriefs(1, uint64(len(slug)))[0]
	b.Slug, b.Title = slug, "Brief "+slug
	b.Status = brief.StatusPublished
	at := f.now.Add(-ago)
	b.PublishedAt = &at
	b.Topics, b.Firms = topics, firms
	if _, err := f.st.SaveBrief(ctx, b, store.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) runner(t *testing.T, mod func(*digest.Runner)) *digest.Runner {
	t.Helper()
	cfg, _ := mail.ParseSMTPURL(f.srv.URL(""))
	cfg.Backoff = time.Millisecond
	cfg.Conns = 2
	s, err := mail.NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	r := &digest.Runner{Store: f.st, Sender: s, BaseURL: "https://legists.example", Now: f.clock, Logger: quiet}
	if mod != nil {
		mod(r)
	}
	return r
}

func run(t *testing.T, r *digest.Runner) digest.Result {
	t.Helper()
	res, err := r.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestDigestEndToEnd(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite(t))
	yesterday := f.now.Add(-24 * time.Hour)
	if _, err := f.st.ImportSubscribers(ctx, []store.Subscriber{
		{Email: "sanctions@example.org", Frequency: store.Daily, Topics: []string{"sanctions"}, ConfirmedAt: &yesterday},
		{Email: "cc@example.org", Frequency: store.Weekly, Firms: []string{"clifford-chance-llp"}, ConfirmedAt: &yesterday},
		{Email: "all@example.org", Frequency: store.Daily, ConfirmedAt: &yesterday},
		{Email: "energy@example.org", Frequency: store.Daily, Topics: []string{"energy"}, ConfirmedAt: &yesterday},
		{Email: "pending@example.org", Status: store.SubscriberPending},
	}); err != nil {
		t.Fatal(err)
	}
	f.publish(t, "sanctions-news", time.Hour, []string{"Sanctions"}, []string{"Linklaters LLP"})
	f.publish(t, "cc-news", 2*time.Hour, []string{"Competition"}, []string{"Clifford Chance"}) // an alias
	f.publish(t, "old-news", 40*24*time.Hour, []string{"Energy"}, nil)
	start := f.now.Add(5 * 24 * time.Hour)
	if _, err := f.st.SaveEvent(ctx, &store.Event{Title: "Sanctions Forum, London", StartsAt: start, EndsAt: start.Add(8 * time.Hour),
		TimeZone: "Europe/London", Place: "London", Topics: []string{"Sanctions"}}); err != nil {
		t.Fatal(err)
	}

	r := f.runner(t, nil)
	res := run(t, r)
	if res.Due != 3 || res.Sent != 3 || res.NothingNew != 1 || res.Skipped != 0 || res.Failed != 0 || res.Subscribers != 4 {
		t.Fatalf("first run: %+v", res)
	}
	if n := len(f.srv.To("energy@example.org")) + len(f.srv.To("pending@example.org")); n != 0 {
		t.Errorf("%d messages to readers with nothing due", n)
	}
	msgs := f.srv.To("sanctions@example.org")
	if len(msgs) != 1 {
		t.Fatalf("sanctions reader got %d", len(msgs))
	}
	p, err := msgs[0].Parse()
	if err != nil {
		t.Fatal(err)
	}
	if p.ContentType != "multipart/alternative" || p.Text == "" || p.HTML == "" {
		t.Fatalf("parts: %s %d %d", p.ContentType, len(p.Text), len(p.HTML))
	}
	unsub := p.Header.Get("List-Unsubscribe")
	if !strings.HasPrefix(unsub, "<https://legists.example/unsubscribe?token=") || p.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Errorf("unsubscribe headers: %q %q", unsub, p.Header.Get("List-Unsubscribe-Post"))
	}
	if !strings.Contains(p.Header.Get("Subject"), "Brief sanctions-news") && !strings.Contains(mustDecode(t, p.Header.Get("Subject")), "Brief sanctions-news") {
		t.Errorf("subject %q", p.Header.Get("Subject"))
	}
	for _, want := range []string{"Brief sanctions-news", "https://legists.example/briefs/sanctions-news", "Sanctions Forum, London",
		"https://legists.example/preferences?token=", "https://legists.example/unsubscribe?token="} {
		if !strings.Contains(p.Text, want) || !strings.Contains(p.HTML, strings.ReplaceAll(want, ", ", ", ")) {
			t.Errorf("digest lacks %q", want)
		}
	}
	if strings.Contains(p.Text, "cc-news") {
		t.Error("sanctions reader got the Clifford Chance brief")
	}
	if strings.Contains(p.HTML, "<style") || strings.Contains(p.HTML, "<script") {
		t.Error("HTML digest has a style or script element; mail clients want inline CSS")
	}
	for _, line := range strings.Split(p.Text, "\n") {
		if len([]rune(line)) > 78 && !strings.Contains(line, "http") {
			t.Errorf("text line of %d characters: %q", len([]rune(line)), line)
		}
	}
	cc := f.srv.To("cc@example.org")
	if len(cc) != 1 || !strings.Contains(string(cc[0].Data), "cc-news") {
		t.Errorf("firm follower (by alias): %d messages", len(cc))
	}
	all := f.srv.To("all@example.org")
	if len(all) != 1 {
		t.Fatal("reader of everything")
	}
	ap, _ := all[0].Parse()
	if !strings.Contains(ap.Text, "sanctions-news") || !strings.Contains(ap.Text, "cc-news") || strings.Contains(ap.Text, "old-news") {
		t.Errorf("reader of everything got:\n%s", ap.Text)
	}

	// Same edition: nothing more, even with new briefs.
	f.now = f.now.Add(time.Hour)
	f.publish(t, "more-sanctions", 0, []string{"Sanctions"}, nil)
	if res := run(t, r); res.Sent != 0 || res.Due != 0 {
		t.Fatalf("same day: %+v", res)
	}
	// Next day: the daily readers get what is new since their last
	// digest; the weekly reader waits for next week.
	f.now = f.now.Add(24 * time.Hour)
	res = run(t, r)
	if res.Sent != 2 {
		t.Fatalf("next day: %+v", res)
	}
	second := f.srv.To("sanctions@example.org")
	if len(second) != 2 || !strings.Contains(string(second[1].Data), "more-sanctions") || strings.Contains(string(second[1].Data), "Brief sanctions-news") {
		t.Errorf("second digest: %d messages", len(second))
	}
	if len(f.srv.To("cc@example.org")) != 1 {
		t.Error("weekly reader got two digests in a week")
	}
	sub, _ := f.st.GetSubscriberByEmail(ctx, "sanctions@example.org")
	dl, _ := f.st.ListDeliveries(ctx, sub.ID)
	if len(dl) != 2 || dl[0].State != store.DeliverySent || dl[0].Edition != "daily:2026-11-29" || dl[0].MessageID == "" {
		t.Errorf("ledger: %+v", dl)
	}
}

func mustDecode(t *testing.T, s string) string {
	dec := new(strings.Builder)
	for _, w := range strings.Fields(s) {
		dec.WriteString(w)
	}
	return dec.String()
}

func TestDigestBounceAndRetry(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite(t))
	yesterday := f.now.Add(-24 * time.Hour)
	if _, err := f.st.ImportSubscribers(ctx, []store.Subscriber{
		{Email: "gone@example.org", Frequency: store.Daily, ConfirmedAt: &yesterday},
		{Email: "busy@example.org", Frequency: store.Daily, ConfirmedAt: &yesterday},
		{Email: "fine@example.org", Frequency: store.Daily, ConfirmedAt: &yesterday},
	}); err != nil {
		t.Fatal(err)
	}
	f.publish(t, "news", time.Hour, []string{"Sanctions"}, nil)
	f.srv.Fail("gone@example.org", 550, -1)
	f.srv.Fail("busy@example.org", 451, 3)
	r := f.runner(t, func(r *digest.Runner) {
		s, _ := mail.ParseSMTPURL(f.srv.URL("retries=1&backoff=1ms"))
		sender, _ := mail.NewSMTP(s)
		t.Cleanup(func() { sender.Close() })
		r.Sender = sender
	})
	res := run(t, r)
	if res.Due != 3 || res.Sent != 1 || res.Bounced != 1 || res.Failed != 1 {
		t.Fatalf("first run: %+v", res)
	}
	gone, _ := f.st.GetSubscriberByEmail(ctx, "gone@example.org")
	if gone.Status != store.SubscriberBounced || !strings.Contains(gone.BounceReason, "550") {
		t.Errorf("bounced reader: %+v", gone)
	}
	// The next run retries the temporary failure (the server now says
	// 451 once more, then accepts) and sends nothing to the bounced
	// address.
	res = run(t, r)
	if res.Due != 1 || res.Sent != 1 || res.Bounced != 0 {
		t.Fatalf("second run: %+v", res)
	}
	if n := len(f.srv.To("busy@example.org")); n != 1 {
		t.Errorf("busy reader: %d messages", n)
	}
	if n := len(f.srv.To("gone@example.org")); n != 0 {
		t.Errorf("bounced reader: %d messages", n)
	}
	busy, _ := f.st.GetSubscriberByEmail(ctx, "busy@example.org")
	dl, _ := f.st.ListDeliveries(ctx, busy.ID)
	if len(dl) != 1 || dl[0].State != store.DeliverySent || dl[0].Attempts != 2 {
		t.Errorf("ledger: %+v", dl)
	}
}

// TestDigestSendWithinLease: a send that cannot reach the message data
// before the end of its claim (here the server holds MAIL longer than the
// lease allows) ends unsent and leaves the digest to the next run, which
// sends it once.
func TestDigestSendWithinLease(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite(t))
	yesterday := f.now.Add(-24 * time.Hour)
	if _, err := f.st.ImportSubscribers(ctx, []store.Subscriber{{Email: "slow@example.org", Frequency: store.Daily, ConfirmedAt: &yesterday}}); err != nil {
		t.Fatal(err)
	}
	f.publish(t, "news", time.Hour, []string{"Sanctions"}, nil)
	f.srv.SetDelay(900 * time.Millisecond)
	r := f.runner(t, func(r *digest.Runner) { r.Lease = 600 * time.Millisecond })
	if res := run(t, r); res.Due != 1 || res.Sent != 0 || res.Skipped != 1 || res.Failed != 0 {
		t.Fatalf("first run: %+v", res)
	}
	if n := f.srv.Count(); n != 0 {
		t.Fatalf("%d messages reached the server after the lease", n)
	}
	sub, _ := f.st.GetSubscriberByEmail(ctx, "slow@example.org")
	dl, _ := f.st.ListDeliveries(ctx, sub.ID)
	if len(dl) != 1 || dl[0].State != store.DeliveryPending {
		t.Fatalf("ledger after the first run: %+v", dl)
	}
	f.srv.SetDelay(0)
	if res := run(t, r); res.Sent != 1 {
		t.Fatalf("second run: %+v", res)
	}
	if n := len(f.srv.To("slow@example.org")); n != 1 {
		t.Errorf("%d messages", n)
	}
}

func TestConcurrentSendersSQLite(t *testing.T) {
	testConcurrentSenders(t, storetest.OpenSQLite(t))
}

func TestConcurrentSendersPostgres(t *testing.T) {
	testConcurrentSenders(t, storetest.OpenPostgres(t))
}

// testConcurrentSenders runs two senders at once over 200 subscribers:
// every subscriber gets exactly one digest.
func testConcurrentSenders(t *testing.T, st store.Store) {
	f := newFixture(t, st)
	var subs []store.Subscriber
	yesterday := f.now.Add(-24 * time.Hour)
	for i := range 200 {
		freq := store.Daily
		if i%3 == 0 {
			freq = store.Weekly
		}
		subs = append(subs, store.Subscriber{Email: fmt.Sprintf("reader%03d@example.org", i), Frequency: freq, ConfirmedAt: &yesterday})
	}
	if _, err := st.ImportSubscribers(ctx, subs); err != nil {
		t.Fatal(err)
	}
	f.publish(t, "news", time.Hour, []string{"Sanctions"}, nil)
	f.srv.SetDelay(time.Millisecond)
	var wg sync.WaitGroup
	results := make([]digest.Result, 2)
	for i := range 2 {
		r := f.runner(t, func(r *digest.Runner) { r.Owner = fmt.Sprintf("sender-%d", i); r.ClaimSize = 8 })
		wg.Go(func() {
			var err error
			if results[i], err = r.Run(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	sent := results[0].Sent + results[1].Sent
	if sent != 200 {
		t.Errorf("sent %d (%+v, %+v)", sent, results[0], results[1])
	}
	if results[0].Sent == 0 || results[1].Sent == 0 {
		t.Logf("one sender did everything: %+v, %+v", results[0], results[1])
	}
	counts := map[string]int{}
	for _, m := range f.srv.Messages() {
		for _, to := range m.To {
			counts[to]++
		}
	}
	for _, s := range subs {
		if counts[s.Email] != 1 {
			t.Errorf("%s got %d digests", s.Email, counts[s.Email])
		}
	}
	// And a third run sends nothing.
	if res := run(t, f.runner(t, nil)); res.Sent != 0 {
		t.Errorf("third run: %+v", res)
	}
}

func TestPreview(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite(t))
	f.publish(t, "old", 90*24*time.Hour, []string{"Sanctions"}, nil)
	html, text, err := digest.PreviewWith(ctx, f.st, nil, digest.PreviewOptions{Now: f.now})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html, "Brief old") || !strings.Contains(text, "Brief old") || !strings.Contains(html, `href="/briefs/old"`) {
		t.Errorf("preview:\n%s", text)
	}
	html, _, err = digest.Preview(ctx, f.st, nil)
	if err != nil || !strings.Contains(html, "<!DOCTYPE html>") {
		t.Errorf("Preview: %v", err)
	}
}

func TestPreviewHandler(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite(t))
	f.publish(t, "recent", time.Hour, []string{"Sanctions"}, nil)
	yesterday := time.Now().Add(-24 * time.Hour)
	if _, err := f.st.ImportSubscribers(ctx, []store.Subscriber{{Email: "ann@example.org", ConfirmedAt: &yesterday}}); err != nil {
		t.Fatal(err)
	}
	h := digest.PreviewHandler(f.st, "https://legists.example")
	for _, tc := range []struct {
		query, want string
		status      int
	}{
		{"", "<!DOCTYPE html>", 200},
		{"?format=text", "LEGISTS", 200},
		{"?email=ann@example.org", "ann@example.org", 200},
		{"?email=zed@example.org", "", 404},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/admin/digest/preview"+tc.query, nil))
		if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.want) {
			t.Errorf("%s: %d\n%.300s", tc.query, rec.Code, rec.Body.String())
		}
		if rec.Code == 200 && strings.Contains(rec.Body.String(), "token=") {
			t.Errorf("%s: a preview carries a signed link", tc.query)
		}
	}
}
