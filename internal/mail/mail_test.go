package mail_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"legists/internal/mail"
	"legists/internal/mail/mailtest"
)

var ctx = context.Background()

func build(t *testing.T, to string) *mail.Message {
	t.Helper()
	m, err := mail.Build(mail.Content{
		From:            "Legists <newsletter@legists.example>",
		To:              to,
		Subject:         "Your briefing: Sanctions — “NATO” stalls",
		Text:            "Plain text with ünïcödé and a long line " + strings.Repeat("word ", 40),
		HTML:            "<p>HTML with <b>ünïcödé</b></p>",
		MessageID:       "digest.daily-2026-11-28.1@legists.example",
		ListUnsubscribe: "https://legists.example/unsubscribe?token=abc",
		ListID:          "Legists digest <digest.legists.example>",
		Bulk:            true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestBuild(t *testing.T) {
	m := build(t, "Ann <ann@example.org>")
	if m.From != "newsletter@legists.example" || m.To != "ann@example.org" || m.ID != "digest.daily-2026-11-28.1@legists.example" {
		t.Fatalf("envelope: %+v", m)
	}
	p, err := mailtest.Message{Data: m.Data}.Parse()
	if err != nil {
		t.Fatal(err)
	}
	if p.ContentType != "multipart/alternative" {
		t.Errorf("content type %s", p.ContentType)
	}
	if !strings.Contains(p.Text, "ünïcödé") || !strings.Contains(p.HTML, "<b>ünïcödé</b>") {
		t.Errorf("parts: %q / %q", p.Text, p.HTML)
	}
	h := p.Header
	if h.Get("List-Unsubscribe") != "<https://legists.example/unsubscribe?token=abc>" ||
		h.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" ||
		h.Get("List-Id") != "Legists digest <digest.legists.example>" ||
		h.Get("Message-Id") != "<digest.daily-2026-11-28.1@legists.example>" || h.Get("Precedence") != "bulk" {
		t.Errorf("headers: %v", h)
	}
	if strings.Contains(string(m.Data), "\n") && strings.Count(string(m.Data), "\r\n") != strings.Count(string(m.Data), "\n") {
		t.Error("bare LF in message")
	}
	for _, line := range strings.Split(string(m.Data), "\r\n") {
		if len(line) > 998 {
			t.Errorf("line of %d octets", len(line))
		}
	}
	if _, err := mail.Build(mail.Content{From: "x", To: "a@b.c", Text: "t"}); err == nil {
		t.Error("bad from accepted")
	}
}

func TestParseSMTPURL(t *testing.T) {
	cfg, err := mail.ParseSMTPURL("smtp://u%40x:p%3Ass@mail.example:587?tls=required&conns=8&rate=2.5&retries=5&backoff=2s&timeout=10s&helo=me")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Host != "mail.example" || cfg.Port != 587 || cfg.Username != "u@x" || cfg.Password != "p:ss" || cfg.TLS != mail.TLSRequired ||
		cfg.Conns != 8 || cfg.Rate != 2.5 || cfg.Retries != 5 || cfg.Backoff != 2*time.Second || cfg.Timeout != 10*time.Second || cfg.HELO != "me" {
		t.Errorf("%+v", cfg)
	}
	if cfg, err := mail.ParseSMTPURL("smtps://mail.example"); err != nil || cfg.TLS != mail.TLSImplicit {
		t.Errorf("smtps: %+v, %v", cfg, err)
	}
	for _, bad := range []string{"http://x", "smtp://", "smtp://h:99999", "smtp://h?tls=maybe", "smtp://h?conns=-1", "smtp://h?rate=x"} {
		if _, err := mail.ParseSMTPURL(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func newSMTP(t *testing.T, srv *mailtest.Server, mod func(*mail.SMTPConfig)) *mail.SMTP {
	t.Helper()
	cfg, err := mail.ParseSMTPURL(srv.URL(""))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Backoff = 5 * time.Millisecond
	if mod != nil {
		mod(&cfg)
	}
	s, err := mail.NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSMTPReusesConnections(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	s := newSMTP(t, srv, func(c *mail.SMTPConfig) { c.Conns = 3 })
	var wg sync.WaitGroup
	errs := make(chan error, 60)
	for i := range 60 {
		wg.Go(func() { errs <- s.Send(ctx, build(t, fmt.Sprintf("r%d@example.org", i))) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if srv.Count() != 60 {
		t.Errorf("%d messages", srv.Count())
	}
	if srv.Sessions() > 3 {
		t.Errorf("%d connections for 60 messages over a pool of 3", srv.Sessions())
	}
	msgs := srv.To("r7@example.org")
	if len(msgs) != 1 || msgs[0].From != "newsletter@legists.example" {
		t.Fatalf("r7: %+v", msgs)
	}
	if err := s.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
}

func TestSMTPStartTLSAndAuth(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{StartTLS: true, Username: "legists", Password: "s3cret"})
	s := newSMTP(t, srv, func(c *mail.SMTPConfig) {
		c.TLS = mail.TLSRequired
		c.TLSConfig = srv.ClientTLS()
	})
	if err := s.Send(ctx, build(t, "ann@example.org")); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || !msgs[0].TLS || msgs[0].Auth != "legists" {
		t.Fatalf("%+v", msgs)
	}
	// Wrong password: refused (a 5xx at AUTH is a failed connection, not a
	// bounce of the recipient).
	bad := newSMTP(t, srv, func(c *mail.SMTPConfig) {
		c.TLS = mail.TLSRequired
		c.TLSConfig = srv.ClientTLS()
		c.Password = "wrong"
		c.Retries = -1
	})
	if err := bad.Send(ctx, build(t, "ann@example.org")); err == nil || mail.IsPermanent(err) {
		t.Errorf("wrong password: %v", err)
	}
	// STARTTLS required but not offered.
	plain := mailtest.Start(t, mailtest.Options{})
	req := newSMTP(t, plain, func(c *mail.SMTPConfig) { c.TLS = mail.TLSRequired; c.Retries = -1 })
	if err := req.Send(ctx, build(t, "ann@example.org")); err == nil {
		t.Error("sent in the clear although TLS is required")
	}
}

func TestSMTPRetriesTemporaryFailures(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	s := newSMTP(t, srv, func(c *mail.SMTPConfig) { c.Conns = 1; c.Retries = 3 })
	srv.Fail("slow@example.org", 451, 2)
	start := time.Now()
	if err := s.Send(ctx, build(t, "slow@example.org")); err != nil {
		t.Fatalf("after two 451s: %v", err)
	}
	if srv.Refused() != 2 || len(srv.To("slow@example.org")) != 1 {
		t.Errorf("refused %d, delivered %d", srv.Refused(), len(srv.To("slow@example.org")))
	}
	if time.Since(start) < 10*time.Millisecond {
		t.Errorf("no backoff: %v", time.Since(start))
	}
	srv.Fail("full@example.org", 452, -1)
	err := s.Send(ctx, build(t, "full@example.org"))
	var temp *mail.TemporaryError
	if !errors.As(err, &temp) || temp.Code != 452 || temp.Attempts != 4 || mail.IsPermanent(err) || !errors.Is(err, mail.ErrNotSent) {
		t.Fatalf("persistent 452: %v", err)
	}
	if srv.Sessions() != 1 {
		t.Errorf("%d sessions: a 4xx reply must not cost the connection", srv.Sessions())
	}
}

func TestSMTPPermanentFailure(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	s := newSMTP(t, srv, func(c *mail.SMTPConfig) { c.Conns = 1 })
	srv.Fail("gone@example.org", 550, -1)
	err := s.Send(ctx, build(t, "gone@example.org"))
	var perm *mail.PermanentError
	if !errors.As(err, &perm) || perm.Code != 550 || !mail.IsPermanent(err) {
		t.Fatalf("550: %v", err)
	}
	if srv.Refused() != 1 {
		t.Errorf("a 5xx was retried: %d refusals", srv.Refused())
	}
	// The connection is still good for the next message.
	if err := s.Send(ctx, build(t, "ok@example.org")); err != nil {
		t.Fatal(err)
	}
	if srv.Sessions() != 1 || srv.Count() != 1 {
		t.Errorf("sessions %d, messages %d", srv.Sessions(), srv.Count())
	}
}

func TestSMTPRateLimit(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	s := newSMTP(t, srv, func(c *mail.SMTPConfig) { c.Conns = 2; c.Rate = 40; c.Burst = 1 })
	start := time.Now()
	for i := range 9 {
		if err := s.Send(ctx, build(t, fmt.Sprintf("r%d@example.org", i))); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d < 180*time.Millisecond {
		t.Errorf("9 messages at 40/s took %v", d)
	}
}

func TestSMTPReconnects(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	s := newSMTP(t, srv, func(c *mail.SMTPConfig) { c.Conns = 1 })
	if err := s.Send(ctx, build(t, "a@example.org")); err != nil {
		t.Fatal(err)
	}
	// Closing the server drops the kept connection; a new server on
	// another port cannot take over, so check the error is "not sent".
	srv.Close()
	err := s.Send(ctx, build(t, "b@example.org"))
	if err == nil || !errors.Is(err, mail.ErrNotSent) || mail.IsPermanent(err) {
		t.Fatalf("send to a closed server: %v", err)
	}
}

func TestSMTPCancelled(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	s := newSMTP(t, srv, nil)
	c, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Send(c, build(t, "a@example.org")); !errors.Is(err, mail.ErrNotSent) || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

// TestSMTPDeadlineBeforeData: a send whose context ends while the server
// holds MAIL sends nothing and says so; the connection stays usable.
func TestSMTPDeadlineBeforeData(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	s := newSMTP(t, srv, nil)
	srv.Hold()
	c, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.Send(c, build(t, "a@example.org")) }()
	<-c.Done()
	srv.Release()
	if err := <-done; !errors.Is(err, mail.ErrNotSent) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("send past its deadline: %v", err)
	}
	if err := s.Send(ctx, build(t, "b@example.org")); err != nil {
		t.Fatal(err)
	}
	if got := srv.Messages(); len(got) != 1 || got[0].To[0] != "b@example.org" {
		t.Fatalf("server got %+v", got)
	}
}

func TestOutbox(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	s, err := mail.New("", dir)
	if err != nil {
		t.Fatal(err)
	}
	m := build(t, "ann@example.org")
	if err := s.Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	if len(files) != 2 {
		t.Fatalf("files: %v", files)
	}
	data, _ := os.ReadFile(files[0])
	if string(data) != string(m.Data) {
		t.Error("outbox file differs from the message")
	}
	if !strings.Contains(filepath.Base(files[0]), "digest.daily-2026-11-28.1_at_legists.example") {
		t.Errorf("name %s", files[0])
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, ".tmp-*")); len(tmp) != 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
}

// counts is an Observer that counts.
type counts struct {
	mu                             sync.Mutex
	sent, retried, bounced, failed int
}

func (c *counts) observer() mail.Observer {
	inc := func(p *int) func() {
		return func() { c.mu.Lock(); *p++; c.mu.Unlock() }
	}
	return mail.Observer{Sent: inc(&c.sent), Retried: inc(&c.retried), Bounced: inc(&c.bounced), Failed: inc(&c.failed)}
}

func (c *counts) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return fmt.Sprintf("sent %d, retried %d, bounced %d, failed %d", c.sent, c.retried, c.bounced, c.failed)
}

func TestSMTPObserver(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	var c counts
	s := newSMTP(t, srv, func(cfg *mail.SMTPConfig) {
		cfg.Conns = 1
		cfg.Retries = 2
		cfg.Backoff = time.Millisecond
		cfg.Observer = c.observer()
	})
	srv.Fail("slow@example.org", 451, 1)
	srv.Fail("full@example.org", 452, -1)
	srv.Fail("gone@example.org", 550, -1)
	for _, to := range []string{"ok@example.org", "slow@example.org", "full@example.org", "gone@example.org"} {
		_ = s.Send(ctx, build(t, to))
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_ = s.Send(cancelled, build(t, "late@example.org"))
	// ok and slow sent; slow retried once, full twice then failed; gone
	// bounced; the cancelled one failed.
	if got := c.String(); got != "sent 2, retried 3, bounced 1, failed 2" {
		t.Errorf("observed %s", got)
	}

	var o counts
	box := mail.NewOutbox(filepath.Join(t.TempDir(), "outbox"))
	box.Observer = o.observer()
	_ = box.Send(ctx, build(t, "ann@example.org"))
	_ = box.Send(cancelled, build(t, "bob@example.org"))
	if got := o.String(); got != "sent 1, retried 0, bounced 0, failed 1" {
		t.Errorf("outbox observed %s", got)
	}
}
