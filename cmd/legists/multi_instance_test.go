package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"legists/internal/brief"
	"legists/internal/ingest/ingesttest"
	"legists/internal/mail/mailtest"
	"legists/internal/source"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

// instance is one `legists serve` process of TestMultiInstance.
type instance struct {
	addr string
	cmd  *exec.Cmd
	log  *syncBuffer
	done chan struct{}
	err  error
}

func startInstance(t *testing.T, bin, addr string, env []string) *instance {
	t.Helper()
	in := &instance{addr: addr, log: &syncBuffer{}, done: make(chan struct{})}
	in.cmd = exec.Command(bin, "serve", "--addr", addr)
	in.cmd.Env = env
	in.cmd.Stdout, in.cmd.Stderr = io.Discard, in.log
	if err := in.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { in.err = in.cmd.Wait(); close(in.done) }()
	t.Cleanup(func() {
		select {
		case <-in.done:
		default:
			in.cmd.Process.Kill()
			<-in.done
		}
		if t.Failed() {
			log := in.log.String()
			t.Logf("log of the instance on %s (pid %d), last 4000 bytes:\n%s", addr, in.cmd.Process.Pid, log[max(0, len(log)-4000):])
		}
	})
	return in
}

func (in *instance) pid() int { return in.cmd.Process.Pid }

func (in *instance) alive() bool {
	select {
	case <-in.done:
		return false
	default:
		return true
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// ownerPID is the process id in a lease owner or River client name
// (host-pid-random).
func ownerPID(owner string) int {
	parts := strings.Split(owner, "-")
	if len(parts) < 3 {
		return 0
	}
	pid, _ := strconv.Atoi(parts[len(parts)-2])
	return pid
}

// TestMultiInstance runs three `legists serve` processes on one
// PostgreSQL database, kills one with SIGKILL while it is polling sources
// and sending digests, and checks that every outcome happened exactly
// once: every feed item stored once, every subscriber one digest, the
// scheduled brief published once; and that the sites serve the same
// content.
func TestMultiInstance(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL")
	}
	dsn := storetest.PostgresDSN(t) // skips without LEGISTS_TEST_POSTGRES
	ctx := context.Background()
	dir := t.TempDir()
	bin := filepath.Join(dir, "legists")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	start := time.Now()

	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()

	// Sources: feeds of generated articles whose pages are served slowly.
	const feeds, items = 12, 25
	pageDelay, feedDelay := 250*time.Millisecond, 400*time.Millisecond
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/feed/"):
			// Every poll holds its source's claim a while, however fast
			// the rest of ingest is, so that claims on sources and on
			// digests overlap for the kill below.
			select {
			case <-time.After(feedDelay):
			case <-r.Context().Done():
				return
			}
			k, _ := strconv.Atoi(strings.TrimSuffix(path.Base(r.URL.Path), ".xml"))
			w.Header().Set("Content-Type", "application/rss+xml")
			w.Write(ingesttest.GeneratedFeed("http://"+r.Host, "/page/", 1000*k, items, false))
		case strings.HasPrefix(r.URL.Path, "/page/"):
			select {
			case <-time.After(pageDelay):
			case <-r.Context().Done():
				return
			}
			id, _ := strconv.Atoi(strings.TrimSuffix(path.Base(r.URL.Path), ".html"))
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(ingesttest.GeneratedPage(id))
		default:
			http.NotFound(w, r)
		}
	}))
	defer web.Close()
	for k := range feeds {
		if _, err := st.AddSource(ctx, sourceAt(web.URL+fmt.Sprintf("/feed/%d.xml", k))); err != nil {
			t.Fatal(err)
		}
	}

	// Subscribers, a published brief (so that every digest is due) and a
	// brief scheduled to be published in a few seconds.
	const subscribers = 150
	yesterday := time.Now().Add(-24 * time.Hour)
	var subs []store.Subscriber
	for i := range subscribers {
		subs = append(subs, store.Subscriber{Email: fmt.Sprintf("reader%02d@example.org", i), Frequency: store.Daily, ConfirmedAt: &yesterday})
	}
	if _, err := st.ImportSubscribers(ctx, subs); err != nil {
		t.Fatal(err)
	}
	publishBrief(t, st, "multi-news", []string{"Sanctions"})
	const scheduled = "scheduled-multi"
	b := storetest.GenerateBriefs(1, 11)[0]
	b.Slug, b.Title, b.Status = scheduled, "Scheduled brief", brief.StatusReview
	if _, err := st.SaveBrief(ctx, b, store.SaveOptions{Author: "editor@example.org"}); err != nil {
		t.Fatal(err)
	}
	if err := st.SchedulePublish(ctx, store.ScheduledPublish{Slug: scheduled, At: time.Now().Add(3 * time.Second), By: "editor@example.org"}); err != nil {
		t.Fatal(err)
	}

	// Until the kill every message waits half a second at the server, so
	// that sending lasts long enough to overlap polling even on a loaded
	// machine (at 200 ms the digests were all sent before any instance
	// was found doing both, in one CI run); after the kill it is fast.
	sink := mailtest.Start(t, mailtest.Options{Delay: 500 * time.Millisecond})
	env := append(os.Environ(),
		"LEGISTS_DB="+dsn+"&pool_max_conns=6",
		"LEGISTS_CONFIG=",
		"LEGISTS_ALLOW_PRIVATE=1",
		"LEGISTS_SMTP="+sink.URL("conns=2"),
		"LEGISTS_OUTBOX="+filepath.Join(dir, "outbox"),
		"LEGISTS_BASE_URL=https://legists.example",
		"LEGISTS_LOG_FORMAT=json",
		"LEGISTS_JOB_INTERVAL_SCALE=0.0167", // ingest every second, publishing every second
		"LEGISTS_DIGEST_EVERY=1s",
		"LEGISTS_DIGEST_LEASE=3s",
	)
	var ins []*instance
	for range 3 {
		ins = append(ins, startInstance(t, bin, freeAddr(t), env))
	}

	// Kill an instance while it holds claims on sources and on digests
	// (once some articles are stored and some digests sent), and no
	// message is between the SMTP server's acceptance and the ledger:
	// the server holds every MAIL command, and the kill waits until every
	// open connection is held there and every accepted message is
	// recorded as sent (a worker may still be recording its last send
	// while another already waits at the server, on a connection of the
	// same pool). Prefer an instance that is not River's leader (a dead
	// leader is replaced after its term).
	victim := -1
	deadline := time.Now().Add(60 * time.Second)
	var sawPolling, sawSending, sawBoth, sawSettled int
	both := func() (map[int]bool, map[int]bool) {
		polling := claimants(t, raw, `SELECT claimed_by FROM sources WHERE claimed_until > now()`)
		sending := claimants(t, raw, `SELECT claimed_by FROM deliveries WHERE state = 'sending' AND claimed_until > now()`)
		return polling, sending
	}
	for victim < 0 {
		if time.Now().After(deadline) {
			var stored int
			raw.QueryRow(`SELECT count(*) FROM articles`).Scan(&stored)
			t.Fatalf("no instance was ever polling and sending at once with the SMTP server settled (%d digests sent, %d articles stored; seen polling %d, sending %d, both %d times, settled %d)",
				sink.Count(), stored, sawPolling, sawSending, sawBoth, sawSettled)
		}
		for _, in := range ins {
			if !in.alive() {
				t.Fatalf("instance on %s exited: %v", in.addr, in.err)
			}
		}
		polling, sending := both()
		leaders := claimants(t, raw, `SELECT leader_id FROM river_leader`)
		var stored int
		raw.QueryRow(`SELECT count(*) FROM articles`).Scan(&stored)
		if len(polling) > 0 {
			sawPolling++
		}
		if len(sending) > 0 {
			sawSending++
		}
		candidate := -1
		for i, in := range ins {
			if polling[in.pid()] && sending[in.pid()] {
				sawBoth++
				if sink.Count() >= 5 && stored >= 5 && (!leaders[in.pid()] || time.Since(start) > 25*time.Second) {
					candidate = i
					break
				}
			}
		}
		if candidate < 0 {
			time.Sleep(5 * time.Millisecond)
			continue
		}
		// Hold the server and wait, at most a second (a third of the
		// digest lease), for it to settle.
		sink.Hold()
		for settle := time.Now().Add(time.Second); time.Now().Before(settle); time.Sleep(5 * time.Millisecond) {
			var recorded int
			raw.QueryRow(`SELECT count(*) FROM deliveries WHERE state = 'sent'`).Scan(&recorded)
			if sink.InDelay() != sink.Active() || recorded != sink.Count() {
				continue
			}
			sawSettled++
			pid := ins[candidate].pid()
			if polling, sending := both(); polling[pid] && sending[pid] {
				victim = candidate
			}
			break
		}
		if victim >= 0 {
			break // killed below, while the server still holds
		}
		sink.Release()
	}
	if err := ins[victim].cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	<-ins[victim].done
	sink.SetDelay(20 * time.Millisecond)
	sink.Release()
	sentBefore := sink.Count()
	var stored int
	raw.QueryRow(`SELECT count(*) FROM articles`).Scan(&stored)
	t.Logf("killed instance %d (pid %d) at %s: %d digests sent, %d articles stored", victim, ins[victim].pid(),
		time.Since(start).Round(time.Millisecond), sentBefore, stored)
	if sentBefore >= subscribers || stored >= feeds*items {
		t.Fatalf("the work was done before the kill (%d digests, %d articles)", sentBefore, stored)
	}

	// The others finish the work: they take over the dead instance's
	// sources and digests when its leases lapse.
	deadline = time.Now().Add(45 * time.Second)
	lastLog := time.Now()
	for {
		var articles, sent int
		raw.QueryRow(`SELECT count(*) FROM articles`).Scan(&articles)
		raw.QueryRow(`SELECT count(*) FROM deliveries WHERE state = 'sent'`).Scan(&sent)
		un, err := st.UnclusteredArticles(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		pub, err := st.GetBrief(ctx, scheduled)
		if err != nil {
			t.Fatal(err)
		}
		if articles == feeds*items && sent == subscribers && len(un) == 0 && pub.Status == brief.StatusPublished {
			break
		}
		if time.Since(lastLog) > 2*time.Second {
			lastLog = time.Now()
			t.Logf("at %s: %d articles (%d+ unclustered), %d digests sent, scheduled brief %s", time.Since(start).Round(time.Millisecond),
				articles, len(un), sent, pub.Status)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the work was not finished: %d of %d articles (%d unclustered), %d of %d digests, scheduled brief %s",
				articles, feeds*items, len(un), sent, subscribers, pub.Status)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("work finished at %s", time.Since(start).Round(time.Millisecond))
	// Let later runs (and the dead instance's lapsed claims) play out.
	time.Sleep(2 * time.Second)

	// Every feed item stored exactly once.
	var articles, urls, guids int
	if err := raw.QueryRow(`SELECT count(*), count(DISTINCT canonical_url), count(DISTINCT guid) FROM articles`).Scan(&articles, &urls, &guids); err != nil {
		t.Fatal(err)
	}
	if articles != feeds*items || urls != articles || guids != articles {
		t.Errorf("%d articles, %d distinct URLs, %d distinct GUIDs; want %d of each", articles, urls, guids, feeds*items)
	}
	// No source failing, and none left claimed: the instances go on
	// polling, so a live poll may hold a claim for a moment; a claim the
	// dead instance left would stay.
	var left string
	for settle := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		left = ""
		rows, err := raw.Query(`SELECT id, coalesce(claimed_by, ''), claimed_until IS NOT NULL AND claimed_until < now(), error_count, coalesce(last_error, '')
			FROM sources WHERE claimed_until IS NOT NULL OR error_count > 0 ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id, errs int
			var by, last string
			var lapsed bool
			if err := rows.Scan(&id, &by, &lapsed, &errs, &last); err != nil {
				t.Fatal(err)
			}
			left += fmt.Sprintf(" source %d (claimed by %q, lapsed %t, %d errors, last %q);", id, by, lapsed, errs, last)
		}
		rows.Close()
		if left == "" || time.Now().After(settle) {
			break
		}
	}
	if left != "" {
		t.Errorf("sources still claimed or failing:%s", left)
	}

	// Every subscriber exactly one digest.
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
	if n := sink.Count(); n != subscribers {
		t.Errorf("%d messages for %d subscribers", n, subscribers)
	}

	// The scheduled brief published once.
	audit, err := st.ListAudit(ctx, store.AuditFilter{Target: scheduled, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	published := 0
	for _, e := range audit {
		if e.Action == "brief.status" {
			published++
		}
	}
	revs, err := st.Revisions(ctx, scheduled)
	if err != nil {
		t.Fatal(err)
	}
	scheduledRevs := 0
	for _, r := range revs {
		if r.Note == "scheduled publication" {
			scheduledRevs++
		}
	}
	if published != 1 || scheduledRevs != 1 {
		t.Errorf("the scheduled brief was published %d times (audit) in %d revisions", published, scheduledRevs)
	}

	// The killed instance comes back; the three serve the same pages.
	ins[victim] = startInstance(t, bin, ins[victim].addr, env)
	var first []byte
	for i, in := range ins {
		body := getWhenUp(t, in, "/briefs/"+scheduled)
		if i == 0 {
			first = body
			if !bytes.Contains(body, []byte("Scheduled brief")) {
				t.Errorf("brief page from %s:\n%s", in.addr, body)
			}
		} else if !bytes.Equal(body, first) {
			t.Errorf("the instance on %s serves another page than the one on %s", in.addr, ins[0].addr)
		}
	}

	// A graceful stop.
	for _, in := range ins {
		in.cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, in := range ins {
		select {
		case <-in.done:
			if in.err != nil {
				t.Errorf("instance on %s: %v", in.addr, in.err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("instance on %s did not stop", in.addr)
		}
	}
	t.Logf("done in %s", time.Since(start).Round(time.Millisecond))
}

// claimants returns the process ids found in the owner names a query
// returns.
func claimants(t *testing.T, db *sql.DB, q string) map[int]bool {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		if strings.Contains(err.Error(), "does not exist") { // river_leader before River's migration
			return nil
		}
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int]bool{}
	for rows.Next() {
		var owner string
		if err := rows.Scan(&owner); err != nil {
			t.Fatal(err)
		}
		out[ownerPID(owner)] = true
	}
	return out
}

// getWhenUp GETs a path from an instance, waiting for it to listen.
func getWhenUp(t *testing.T, in *instance, p string) []byte {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + in.addr + p)
		if err == nil {
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err == nil && resp.StatusCode == http.StatusOK {
				return body
			}
			if resp.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("GET %s from %s: %s\n%s", p, in.addr, resp.Status, body)
			}
		}
		if !in.alive() || time.Now().After(deadline) {
			t.Fatalf("GET %s from %s: %v", p, in.addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func sourceAt(u string) source.Source { return source.Source{URL: u, Kind: source.KindFeed} }
