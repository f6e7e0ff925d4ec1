package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"legists/internal/brief"
	"legists/internal/digest"
	"legists/internal/mail/mailtest"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

// digestCLI runs the command in process and returns stdout, stderr and
// the exit code.
func digestCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return out.String(), errb.String(), code
}

func publishBrief(t *testing.T, st store.Store, slug string, topics []string) {
	t.Helper()
	b := storetest.GenerateBriefs(1, 7)[0]
	b.Slug, b.Title, b.Status = slug, "Brief "+slug, brief.StatusPublished
	now := time.Now().UTC()
	b.PublishedAt = &now
	b.Topics = topics
	if _, err := st.SaveBrief(context.Background(), b, store.SaveOptions{Author: "test"}); err != nil {
		t.Fatal(err)
	}
}

var confirmRE = regexp.MustCompile(`https?://\S+/subscribe/confirm\?token=\S+`)

func sendJSON(t *testing.T, args ...string) digest.Result {
	t.Helper()
	out, errs, code := digestCLI(t, append([]string{"digest", "send", "--json", "--quiet", "--base-url", "https://legists.example.org"}, args...)...)
	var res digest.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != 0 {
		t.Fatalf("digest send: exit %d, %v\n%s\n%s", code, err, out, errs)
	}
	return res
}

func confirmVia(t *testing.T, client *http.Client, srv *mailtest.Server, addr string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	var msgs []mailtest.Message
	for len(msgs) == 0 && time.Now().Before(deadline) {
		msgs = srv.To(addr)
		time.Sleep(10 * time.Millisecond)
	}
	if len(msgs) != 1 {
		t.Fatalf("%s: %d confirmation mails", addr, len(msgs))
	}
	p, err := msgs[0].Parse()
	if err != nil {
		t.Fatal(err)
	}
	link := confirmRE.FindString(p.Text)
	if link == "" {
		t.Fatalf("no confirmation link in:\n%s", p.Text)
	}
	resp, err := client.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("confirm: %d", resp.StatusCode)
	}
}

// TestNewsletterWalk walks the whole way over a real SMTP conversation on
// loopback: subscribe, confirmation mail, confirm, a matching brief,
// `digest send`, the digest with the one-click headers, one-click
// unsubscribe, and no further mail.
func TestNewsletterWalk(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "walk.db")
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.UpsertTopics(ctx, storetest.Topics); err != nil {
		t.Fatal(err)
	}
	if err := st.UpsertFirms(ctx, storetest.Firms); err != nil {
		t.Fatal(err)
	}
	smtpSrv := mailtest.Start(t, mailtest.Options{})
	t.Setenv("LEGISTS_SMTP", smtpSrv.URL(""))
	t.Setenv("LEGISTS_OUTBOX", filepath.Join(dir, "outbox"))

	// The site: the newsletter routes as serve mounts them.
	mux := http.NewServeMux()
	web := httptest.NewServer(mux)
	defer web.Close()
	env := &serveEnv{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), BaseURL: web.URL, SMTP: smtpSrv.URL("")}
	addNewsletterRoutes(mux, env)
	client := web.Client()

	// 1. Subscribe from the Stay Tuned form.
	resp, err := client.PostForm(web.URL+"/subscribe", url.Values{"email": {"ann@example.org"}, "topics": {"sanctions"}, "frequency": {"daily"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("subscribe: %d", resp.StatusCode)
	}
	// 2-3. The confirmation mail arrives over SMTP; follow its link.
	confirmVia(t, client, smtpSrv, "ann@example.org")

	// 4. A matching brief is published; digest send sends it.
	publishBrief(t, st, "sanctions-walk", []string{"Sanctions"})
	publishBrief(t, st, "energy-walk", []string{"Energy"})
	res := sendJSON(t, "--db", db, "--base-url", web.URL)
	if res.Due != 1 || res.Sent != 1 || res.Failed != 0 || res.Bounced != 0 || res.Skipped != 0 {
		t.Fatalf("first send: %+v", res)
	}
	digests := smtpSrv.To("ann@example.org")
	if len(digests) != 2 { // confirmation + digest
		t.Fatalf("%d messages to ann", len(digests))
	}
	p, err := digests[1].Parse()
	if err != nil {
		t.Fatal(err)
	}
	if p.ContentType != "multipart/alternative" || !strings.Contains(p.Text, "Brief sanctions-walk") ||
		!strings.Contains(p.HTML, "Brief sanctions-walk") || strings.Contains(p.Text, "energy-walk") {
		t.Fatalf("digest: %s\n%s", p.ContentType, p.Text)
	}
	if got := p.Header.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post: %q", got)
	}
	lu := p.Header.Get("List-Unsubscribe")
	if !strings.HasPrefix(lu, "<"+web.URL+"/unsubscribe?token=") || !strings.HasSuffix(lu, ">") {
		t.Fatalf("List-Unsubscribe: %q", lu)
	}
	if !strings.Contains(p.Text, web.URL+"/unsubscribe?token=") || !strings.Contains(p.HTML, web.URL+"/unsubscribe?token=") {
		t.Error("no visible unsubscribe link")
	}

	// 5. One-click unsubscribe, as a mail client does it (RFC 8058).
	req, _ := http.NewRequest("POST", strings.Trim(lu, "<>"), strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("one-click unsubscribe: %d", resp.StatusCode)
	}

	// 6. Another matching brief: a reader who joins now gets it, Ann gets
	// nothing more.
	resp, err = client.PostForm(web.URL+"/subscribe", url.Values{"email": {"bob@example.org"}, "topics": {"sanctions"}, "frequency": {"daily"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	confirmVia(t, client, smtpSrv, "bob@example.org")
	publishBrief(t, st, "sanctions-walk-2", []string{"Sanctions"})
	res = sendJSON(t, "--db", db, "--base-url", web.URL)
	if res.Sent != 1 || len(smtpSrv.To("bob@example.org")) != 2 {
		t.Fatalf("second send: %+v, bob has %d", res, len(smtpSrv.To("bob@example.org")))
	}
	if n := len(smtpSrv.To("ann@example.org")); n != 2 {
		t.Fatalf("ann got %d messages after unsubscribing", n-2)
	}
	if out, _, code := digestCLI(t, "digest", "preview", "--db", db, "--text"); code != 0 || !strings.Contains(out, "sanctions-walk") {
		t.Errorf("preview: %d\n%s", code, out)
	}
}

// TestDigestSendSIGKILL kills `legists digest send` with SIGKILL in the
// middle of a run against a slow SMTP server, runs it again after the
// lease, and checks that every subscriber got exactly one digest.
func TestDigestSendSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL")
	}
	ctx := context.Background()
	dir := t.TempDir()
	bin := filepath.Join(dir, "legists")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	db := "sqlite:" + filepath.Join(dir, "kill.db")
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const n = 60
	var subs []store.Subscriber
	yesterday := time.Now().Add(-24 * time.Hour)
	for i := range n {
		subs = append(subs, store.Subscriber{Email: fmt.Sprintf("reader%02d@example.org", i), Frequency: store.Daily, ConfirmedAt: &yesterday})
	}
	if _, err := st.ImportSubscribers(ctx, subs); err != nil {
		t.Fatal(err)
	}
	publishBrief(t, st, "kill-news", []string{"Sanctions"})

	sink := mailtest.Start(t, mailtest.Options{Delay: 150 * time.Millisecond})
	env := append(os.Environ(), "LEGISTS_DB="+db, "LEGISTS_SMTP="+sink.URL("conns=2"), "LEGISTS_BASE_URL=https://legists.example")
	first := exec.Command(bin, "digest", "send", "--lease", "3s", "--quiet")
	first.Env = env
	var firstErr bytes.Buffer
	first.Stderr = &firstErr
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill when some digests went out and every connection is waiting on
	// the server (so no message is between the server's acceptance and
	// the ledger).
	deadline := time.Now().Add(30 * time.Second)
	for !(sink.Count() >= 10 && sink.Active() > 0 && sink.InDelay() == sink.Active()) {
		if time.Now().After(deadline) {
			first.Process.Kill()
			t.Fatalf("no kill point: %d sent\n%s", sink.Count(), firstErr.String())
		}
		time.Sleep(time.Millisecond)
	}
	if err := first.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	first.Wait()
	before := sink.Count()
	if before >= n {
		t.Fatalf("the first run finished before it was killed (%d sent)", before)
	}
	t.Logf("killed after %d of %d digests", before, n)
	// The killed run left claims behind; a rerun within the lease skips
	// them, after it takes them over.
	sink.SetDelay(0)
	time.Sleep(3100 * time.Millisecond)
	second := exec.Command(bin, "digest", "send", "--json", "--lease", "3s", "--quiet")
	second.Env = env
	var out, errb bytes.Buffer
	second.Stdout, second.Stderr = &out, &errb
	if err := second.Run(); err != nil {
		t.Fatalf("second run: %v\n%s", err, errb.String())
	}
	var res digest.Result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("second run JSON %q: %v", out.String(), err)
	}
	if res.Sent != n-before || res.Due != n-before || res.Failed != 0 || res.Skipped != 0 {
		t.Fatalf("second run %+v after %d sent before the kill", res, before)
	}
	counts := map[string]int{}
	for _, m := range sink.Messages() {
		for _, to := range m.To {
			counts[to]++
		}
	}
	for _, s := range subs {
		if counts[s.Email] != 1 {
			t.Errorf("%s got %d digests", s.Email, counts[s.Email])
		}
	}
	// A third run has nothing to do.
	third := exec.Command(bin, "digest", "send", "--json", "--quiet")
	third.Env = env
	out.Reset()
	third.Stdout = &out
	if err := third.Run(); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || res.Sent != 0 || res.Due != 0 {
		t.Fatalf("third run: %+v, %v", res, err)
	}
}

func TestDigestSendOutbox(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "o.db")
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	publishBrief(t, st, "outbox-news", nil)
	t.Setenv("LEGISTS_SMTP", "")
	t.Setenv("LEGISTS_BASE_URL", "")
	outbox := filepath.Join(dir, "outbox")

	// With no confirmed reader there is nothing to link from: the run
	// reports an empty result and succeeds, base URL or not.
	out, errs, code := digestCLI(t, "digest", "send", "--db", db, "--outbox", outbox, "--quiet", "--json")
	if code != exitOK || !strings.Contains(out, `"sent": 0`) {
		t.Fatalf("send with no readers and no base URL: exit %d, %s %s", code, out, errs)
	}

	yesterday := time.Now().Add(-24 * time.Hour)
	if _, err := st.ImportSubscribers(ctx, []store.Subscriber{{Email: "a@example.org", ConfirmedAt: &yesterday}}); err != nil {
		t.Fatal(err)
	}

	// Without a base URL, nothing is sent: the links would point nowhere.
	_, errs, code = digestCLI(t, "digest", "send", "--db", db, "--outbox", outbox, "--quiet")
	if code != exitUsage || !strings.Contains(errs, "no base URL") || !strings.Contains(errs, "--base-url") {
		t.Fatalf("send without a base URL: exit %d, %s", code, errs)
	}
	if files, _ := filepath.Glob(filepath.Join(outbox, "*.eml")); len(files) != 0 {
		t.Fatalf("mail sent without a base URL: %v", files)
	}

	// serve records the address it serves; digest send then uses it.
	sctx, stop := context.WithCancel(ctx)
	var sout, serr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- serve(sctx, []string{"--addr", "127.0.0.1:0", "--db", db, "--no-jobs", "--base-url", "https://news.legists.example/"}, &sout, &serr)
	}()
	for deadline := time.Now().Add(60 * time.Second); !strings.Contains(sout.String(), "running at") && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	if c := <-done; c != 0 {
		t.Fatalf("serve: exit %d: %s", c, serr.String())
	}
	out, errs, code = digestCLI(t, "digest", "send", "--db", db, "--outbox", outbox, "--quiet")
	if code != 0 || !strings.Contains(out, "1 sent") {
		t.Fatalf("send: %d\n%s\n%s", code, out, errs)
	}
	files, _ := filepath.Glob(filepath.Join(outbox, "*.eml"))
	if len(files) != 1 {
		t.Fatalf("outbox: %v", files)
	}
	data, _ := os.ReadFile(files[0])
	if !strings.Contains(string(data), "List-Unsubscribe-Post: List-Unsubscribe=One-Click") {
		t.Errorf("outbox message:\n%s", data)
	}
	if !strings.Contains(string(data), "https://news.legists.example/briefs/outbox-news") || strings.Contains(string(data), "127.0.0.1") {
		t.Errorf("the digest's links do not use the address serve recorded:\n%s", data)
	}
	if _, _, code := digestCLI(t, "digest", "send", "--db", db, "--smtp", "http://nope"); code != exitUsage {
		t.Errorf("bad SMTP URL: exit %d", code)
	}
	if _, _, code := digestCLI(t, "digest", "bogus"); code != exitUsage {
		t.Errorf("unknown subcommand: exit %d", code)
	}
}

func TestEventsCLI(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "ev.db")
	out, errs, code := digestCLI(t, "events", "add", "--db", db, "--title", "Sanctions Forum", "--start", "2099-12-03 09:00",
		"--end", "2099-12-03 17:30", "--tz", "Europe/London", "--place", "London", "--topic", "Sanctions,United Kingdom", "--json")
	if code != 0 {
		t.Fatalf("add: %d %s", code, errs)
	}
	var e store.Event
	if err := json.Unmarshal([]byte(out), &e); err != nil || e.Slug != "2099-12-03-sanctions-forum" ||
		!e.StartsAt.Equal(time.Date(2099, 12, 3, 9, 0, 0, 0, time.UTC)) || len(e.Topics) != 2 {
		t.Fatalf("added: %+v, %v", e, err)
	}
	if _, _, code := digestCLI(t, "events", "add", "--db", db, "--title", "Deadline", "--start", "2099-12-10", "--url", "https://x.example"); code != 0 {
		t.Fatal("add a whole-day event")
	}
	out, _, code = digestCLI(t, "events", "list", "--db", db, "--json")
	var l struct{ Events []store.Event }
	if code != 0 || json.Unmarshal([]byte(out), &l) != nil || len(l.Events) != 2 || l.Events[1].EndsAt.Sub(l.Events[1].StartsAt) != 24*time.Hour-time.Minute {
		t.Fatalf("list: %d %s", code, out)
	}
	if out, _, code := digestCLI(t, "events", "list", "--db", db); code != 0 || !strings.Contains(out, "Sanctions Forum") {
		t.Errorf("list: %s", out)
	}
	if _, _, code := digestCLI(t, "events", "remove", "--db", db, e.Slug); code != 0 {
		t.Error("remove")
	}
	if _, _, code := digestCLI(t, "events", "remove", "--db", db, e.Slug); code != exitFindings {
		t.Error("remove twice")
	}
	if _, _, code := digestCLI(t, "events", "add", "--db", db, "--title", "x", "--start", "tomorrow"); code != exitUsage {
		t.Error("bad time accepted")
	}
	if _, _, code := digestCLI(t, "events", "add", "--db", db, "--title", "x", "--start", "2099-01-01", "--tz", "Mars/Base"); code != exitUsage {
		t.Error("bad zone accepted")
	}
}
