// Package loadtest holds TestLoad, a load test of two `legists serve`
// instances on one PostgreSQL database (issue 7). It is skipped unless
// LEGISTS_LOADTEST=1 and LEGISTS_TEST_POSTGRES are set; see README.md.
package loadtest

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"

	"legists/internal/brief"
	"legists/internal/ingest/ingesttest"
	"legists/internal/mail/mailtest"
	"legists/internal/source"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

const (
	feeds        = 6   // sources on the loopback fixture server
	feedItems    = 20  // items per feed
	subscribers  = 300 // confirmed daily subscribers
	reqTimeout   = 10 * time.Second
	readyTimeout = 90 * time.Second
)

// The static floor: a file of the same binary, about the size of a page.
const (
	floorGroup = "static"
	floorPath  = "/static/site.css"
)

// Route groups of the real mix, in the order of the summary table.
var groups = []string{"home", "brief", "firm", "search", "feed", "api"}

var searchTerms = []string{"merger", "sanctions", "court", "antitrust", "data protection", "arbitration", "tax"}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// instance is one `legists serve` process.
type instance struct {
	addr string
	cmd  *exec.Cmd
	log  *syncBuffer
	done chan struct{}
	err  error
}

func startInstance(t *testing.T, bin, addr string, env []string, extra ...string) *instance {
	t.Helper()
	in := &instance{addr: addr, log: &syncBuffer{}, done: make(chan struct{})}
	in.cmd = exec.Command(bin, append([]string{"serve", "--addr", addr}, extra...)...)
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

func (in *instance) alive() bool {
	select {
	case <-in.done:
		return false
	default:
		return true
	}
}

// waitReady polls /readyz until it answers 200.
func (in *instance) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(readyTimeout)
	for {
		resp, err := http.Get("http://" + in.addr + "/readyz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if !in.alive() {
			t.Fatalf("instance on %s exited: %v", in.addr, in.err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("instance on %s not ready after %s: %v", in.addr, readyTimeout, err)
		}
		time.Sleep(100 * time.Millisecond)
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

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}

func envDuration(t *testing.T, name string, def time.Duration) time.Duration {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		t.Fatalf("%s=%q: want a positive duration such as 60s", name, v)
	}
	return d
}

// target is one request a reader may issue.
type target struct {
	group string
	path  string
}

// sample is the outcome of one request.
type sample struct {
	group   string
	status  int // 0 on a transport error
	latency time.Duration
	err     error
}

// TestLoad runs two instances on PostgreSQL under concurrent readers while
// ingest and a digest run, and reports latency per route group. It fails
// on any 5xx reply or transport error, or if no article was ingested or no
// digest delivered during the run.
func TestLoad(t *testing.T) {
	if os.Getenv("LEGISTS_LOADTEST") != "1" {
		t.Skip("set LEGISTS_LOADTEST=1 to run the load test")
	}
	dsn := storetest.PostgresDSN(t) // skips without LEGISTS_TEST_POSTGRES
	duration := envDuration(t, "LEGISTS_LOADTEST_DURATION", 60*time.Second)
	readers := envInt(t, "LEGISTS_LOADTEST_READERS", 200)
	ctx := context.Background()

	dir := t.TempDir()
	// LEGISTS_LOADTEST_BIN runs a binary built elsewhere (another commit,
	// for a before/after comparison in the same harness).
	bin := os.Getenv("LEGISTS_LOADTEST_BIN")
	if bin == "" {
		bin = filepath.Join(dir, "legists")
		build := exec.Command("go", "build", "-o", bin, "legists/cmd/legists")
		build.Stderr = os.Stderr
		if err := build.Run(); err != nil {
			t.Fatalf("go build: %v", err)
		}
	}

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

	web := ingesttest.New()
	defer web.Close()
	sink := mailtest.Start(t, mailtest.Options{})
	env := append(os.Environ(),
		"LEGISTS_DB="+dsn+"&pool_max_conns=12",
		"LEGISTS_CONFIG=",
		"LEGISTS_ALLOW_PRIVATE=1",
		"LEGISTS_SMTP="+sink.URL("conns=2"),
		"LEGISTS_OUTBOX="+filepath.Join(dir, "outbox"),
		"LEGISTS_BASE_URL=https://legists.example",
		"LEGISTS_LOG_FORMAT=json",
		"LEGISTS_LOG_LEVEL=warn",
		"LEGISTS_JOB_INTERVAL_SCALE=0.05", // ingest and publishing every few seconds
		"LEGISTS_DIGEST_EVERY=2s",
	)

	// The first instance loads the demo content; the second starts once
	// the first is ready.
	ins := []*instance{startInstance(t, bin, freeAddr(t), env, "--demo")}
	ins[0].waitReady(t)
	ins = append(ins, startInstance(t, bin, freeAddr(t), env))
	ins[1].waitReady(t)

	client := &http.Client{
		Timeout: reqTimeout,
		Transport: &http.Transport{
			MaxIdleConns:        2 * readers,
			MaxIdleConnsPerHost: readers,
			IdleConnTimeout:     90 * time.Second,
		},
	}
	defer client.CloseIdleConnections()

	// What the readers ask for.
	slugs := briefSlugs(t, client, ins[0].addr)
	firms, err := st.ListFirms(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var targets []target
	targets = append(targets, target{"home", "/"})
	for _, s := range slugs {
		targets = append(targets, target{"brief", "/briefs/" + url.PathEscape(s)})
	}
	for _, f := range firms {
		targets = append(targets, target{"firm", "/firms/" + url.PathEscape(f.Slug)})
	}
	for _, q := range searchTerms {
		targets = append(targets, target{"search", "/search?q=" + url.QueryEscape(q)})
	}
	targets = append(targets, target{"feed", "/feed.xml"}, target{"api", "/api/v1/briefs"})
	byGroup := map[string][]target{}
	for _, tg := range targets {
		byGroup[tg.group] = append(byGroup[tg.group], tg)
	}
	for _, g := range groups {
		if len(byGroup[g]) == 0 {
			t.Fatalf("no %s pages to request (demo content: %d briefs, %d firms)", g, len(slugs), len(firms))
		}
	}
	t.Logf("%d briefs, %d firms, %d search terms; %d readers for %s on %s and %s",
		len(slugs), len(firms), len(searchTerms), readers, duration, ins[0].addr, ins[1].addr)

	var articlesBefore int
	if err := raw.QueryRow(`SELECT count(*) FROM articles`).Scan(&articlesBefore); err != nil {
		t.Fatal(err)
	}
	sentBefore := sink.Count()
	var articles, sent int

	// The readers: in each round the same readers first ask for a static
	// file of the same binary (the floor), then the real mix, for equal
	// slices of time, so that both see the same machine (other work on
	// it included).
	rounds := envInt(t, "LEGISTS_LOADTEST_ROUNDS", 2)
	slice := duration / time.Duration(rounds)
	floorTarget := func(*rand.Rand) (string, string) { return floorGroup, floorPath }
	mixTarget := func(rng *rand.Rand) (string, string) {
		g := groups[rng.IntN(len(groups))]
		return g, byGroup[g][rng.IntN(len(byGroup[g]))].path
	}
	heard := countChanges(t, ctx, dsn)
	var floor, mix []sample
	var floorTime, mixTime time.Duration
	start := time.Now()
	for round := range rounds {
		f, fd := readFor(client, ins, readers, slice, uint64(2*round), floorTarget, nil)
		floor, floorTime = append(floor, f...), floorTime+fd
		setup := func() {}
		if round == 0 {
			// Meanwhile, in the first slice of the mix: sources to
			// ingest, subscribers, and a freshly published brief so that
			// a digest is due.
			setup = func() { startBackgroundWork(t, ctx, st, web) }
		}
		m, d := readFor(client, ins, readers, slice, uint64(2*round+1), mixTarget, setup)
		mix, mixTime = append(mix, m...), mixTime+d
		raw.QueryRow(`SELECT count(*) FROM articles`).Scan(&articles)
		t.Logf("round %d of %d done at %s: static floor %.0f req/s, real mix %.0f req/s; %d articles ingested, %d digests delivered so far",
			round+1, rounds, time.Since(start).Round(time.Second), float64(len(f))/fd.Seconds(), float64(len(m))/d.Seconds(),
			articles-articlesBefore, sink.Count()-sentBefore)
		for _, in := range ins {
			if !in.alive() {
				t.Fatalf("instance on %s exited: %v", in.addr, in.err)
			}
		}
	}
	if err := raw.QueryRow(`SELECT count(*) FROM articles`).Scan(&articles); err != nil {
		t.Fatal(err)
	}
	sent = sink.Count()
	var sentLedger int
	raw.QueryRow(`SELECT count(*) FROM deliveries WHERE state = 'sent'`).Scan(&sentLedger)

	// The summary.
	summary, line := summarize(floor, floorTime, mix, mixTime)
	fmt.Print(summary)
	// A line in `go test -bench` form, for bench/run's report.
	fmt.Printf("pkg: legists/bench/loadtest\n%s\n", line)
	t.Logf("%d readers on 2 instances, %d rounds of %s static floor then %s real mix:\n%s", readers, rounds, slice, slice, summary)
	t.Logf("during the run: %d articles ingested, %d digests delivered (%d in the ledger); change notifications (each drops cached pages): %s",
		articles-articlesBefore, sent-sentBefore, sentLedger, heard())
	all := append(floor, mix...)

	// The assertions.
	var fives, transport int
	statuses := map[int]int{}
	var firstErr error
	var first5xx string
	for _, s := range all {
		statuses[s.status]++
		switch {
		case s.err != nil:
			transport++
			if firstErr == nil {
				firstErr = fmt.Errorf("%s: %w", s.group, s.err)
			}
		case s.status >= 500:
			fives++
			if first5xx == "" {
				first5xx = fmt.Sprintf("%s: %d", s.group, s.status)
			}
		}
	}
	t.Logf("statuses: %v", statuses)
	if len(all) == 0 {
		t.Fatal("no request was made")
	}
	if fives > 0 {
		t.Errorf("%d replies with 5xx (first %s)", fives, first5xx)
	}
	if transport > 0 {
		t.Errorf("%d transport errors (first %v)", transport, firstErr)
	}
	if articles <= articlesBefore {
		t.Errorf("no article was ingested during the run")
	}
	if sent <= sentBefore {
		t.Errorf("no digest was delivered during the run")
	}
	for _, in := range ins {
		if !in.alive() {
			t.Errorf("instance on %s exited: %v", in.addr, in.err)
		}
	}

	// A graceful stop.
	for _, in := range ins {
		in.cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, in := range ins {
		select {
		case <-in.done:
		case <-time.After(30 * time.Second):
			t.Errorf("instance on %s did not stop", in.addr)
		}
	}
}

// readFor runs readers goroutines for d, each asking one instance at
// random for the path target picks, one request after the other; meanwhile
// it calls also (on this goroutine). It returns the samples and the time
// the readers took.
func readFor(client *http.Client, ins []*instance, readers int, d time.Duration, seed uint64,
	target func(*rand.Rand) (group, path string), also func()) ([]sample, time.Duration) {
	start := time.Now()
	end := start.Add(d)
	results := make([][]sample, readers)
	var wg sync.WaitGroup
	for w := range readers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), seed))
			var out []sample
			for time.Now().Before(end) {
				g, p := target(rng)
				in := ins[rng.IntN(len(ins))]
				out = append(out, get(client, "http://"+in.addr+p, g))
			}
			results[w] = out
		})
	}
	if also != nil {
		also()
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []sample
	for _, r := range results {
		all = append(all, r...)
	}
	return all, elapsed
}

// countChanges listens to the change feed the instances follow and
// returns a function that reports how many notifications of each table
// it heard.
func countChanges(t *testing.T, ctx context.Context, dsn string) func() string {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	var schema string
	if err := conn.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+store.ChangeChannel); err != nil {
		t.Fatal(err)
	}
	lctx, cancel := context.WithCancel(ctx)
	var mu sync.Mutex
	counts := map[string]int{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			n, err := conn.WaitForNotification(lctx)
			if err != nil {
				return
			}
			sch, table, _ := strings.Cut(n.Payload, ".")
			if sch != schema {
				continue // another test's
			}
			mu.Lock()
			counts[table]++
			mu.Unlock()
		}
	}()
	t.Cleanup(func() { cancel(); <-done; conn.Close(context.Background()) })
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		var parts []string
		for k, v := range counts {
			parts = append(parts, fmt.Sprintf("%s %d", k, v))
		}
		slices.Sort(parts)
		return strings.Join(parts, ", ")
	}
}

// startBackgroundWork adds what makes the instances' jobs work during the
// run: feed sources to ingest, confirmed subscribers, and a freshly
// published brief so that a digest is due.
func startBackgroundWork(t *testing.T, ctx context.Context, st store.Store, web *ingesttest.Server) {
	for k := range feeds {
		u := web.URLOf(fmt.Sprintf("/gen/feed/%d.xml?items=%d", k, feedItems))
		if _, err := st.AddSource(ctx, source.Source{URL: u, Kind: source.KindFeed}); err != nil {
			t.Error(err)
		}
	}
	yesterday := time.Now().Add(-24 * time.Hour)
	var subs []store.Subscriber
	for i := range subscribers {
		subs = append(subs, store.Subscriber{Email: fmt.Sprintf("loadreader%03d@example.org", i), Frequency: store.Daily, ConfirmedAt: &yesterday})
	}
	if _, err := st.ImportSubscribers(ctx, subs); err != nil {
		t.Error(err)
	}
	b := storetest.GenerateBriefs(1, 77)[0]
	now := time.Now().UTC()
	b.Slug, b.Title, b.Status, b.PublishedAt = "load-test-news", "Load test news", brief.StatusPublished, &now
	if _, err := st.SaveBrief(ctx, b, store.SaveOptions{Author: "loadtest"}); err != nil {
		t.Error(err)
	}
}

// get issues one GET and records its status and latency.
func get(client *http.Client, u, group string) sample {
	t0 := time.Now()
	resp, err := client.Get(u)
	if err != nil {
		return sample{group: group, latency: time.Since(t0), err: err}
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	s := sample{group: group, status: resp.StatusCode, latency: time.Since(t0)}
	if err != nil && !errors.Is(err, io.EOF) {
		s.err = err
	}
	return s
}

// briefSlugs returns the slugs of the published briefs the API lists.
func briefSlugs(t *testing.T, client *http.Client, addr string) []string {
	t.Helper()
	resp, err := client.Get("http://" + addr + "/api/v1/briefs?limit=100")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/briefs: %s", resp.Status)
	}
	var list struct {
		Briefs []struct {
			Slug string `json:"slug"`
		} `json:"briefs"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	var slugs []string
	for _, b := range list.Briefs {
		slugs = append(slugs, b.Slug)
	}
	return slugs
}

// summarize makes a table of requests, rate and latency percentiles per
// route group, the static floor first, then the real mix overall and the
// ratios of the mix to the floor; and the same figures as one line in
// `go test -bench` form (BenchmarkLoad) for bench/report.
func summarize(floor []sample, floorTime time.Duration, mix []sample, mixTime time.Duration) (string, string) {
	lat := map[string][]time.Duration{}
	errs := map[string]int{}
	add := func(s sample, all string) {
		lat[s.group] = append(lat[s.group], s.latency)
		lat[all] = append(lat[all], s.latency)
		if s.err != nil || s.status >= 500 {
			errs[s.group]++
			errs[all]++
		}
	}
	for _, s := range floor {
		add(s, floorGroup+" (all)")
	}
	for _, s := range mix {
		add(s, "mix (all)")
	}
	var buf bytes.Buffer
	w := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "group\trequests\treq/s\tp50\tp90\tp99\tmax\terrors\t")
	row := func(g string, elapsed time.Duration) {
		d := lat[g]
		slices.Sort(d)
		fmt.Fprintf(w, "%s\t%d\t%.1f\t%s\t%s\t%s\t%s\t%d\t\n", g, len(d), float64(len(d))/elapsed.Seconds(),
			fmtDur(pct(d, 0.50)), fmtDur(pct(d, 0.90)), fmtDur(pct(d, 0.99)), fmtDur(pct(d, 1)), errs[g])
	}
	row(floorGroup, floorTime)
	for _, g := range groups {
		row(g, mixTime)
	}
	row("mix (all)", mixTime)
	w.Flush()
	floorRate := float64(len(floor)) / floorTime.Seconds()
	mixRate := float64(len(mix)) / mixTime.Seconds()
	fp99, mp99 := pct(lat[floorGroup], 0.99), pct(lat["mix (all)"], 0.99)
	fmt.Fprintf(&buf, "\nthroughput: real mix %.0f req/s, static floor %.0f req/s, ratio %.3f (goal >= 0.5)\n", mixRate, floorRate, mixRate/floorRate)
	fmt.Fprintf(&buf, "p99: real mix %s, static floor %s, ratio %.2f (goal <= 10)\n", fmtDur(mp99), fmtDur(fp99), float64(mp99)/float64(max(fp99, 1)))
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	line := fmt.Sprintf("BenchmarkLoad\t1\t%.1f mix-req/s\t%.1f floor-req/s\t%.2f mix-p50-ms\t%.2f floor-p50-ms\t%.2f mix-p99-ms\t%.2f floor-p99-ms",
		mixRate, floorRate, ms(pct(lat["mix (all)"], 0.5)), ms(pct(lat[floorGroup], 0.5)), ms(mp99), ms(fp99))
	return buf.String(), line
}

// pct is the q-quantile of sorted durations (nearest rank); 0 for none.
func pct(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted)) + 0.5)
	i = min(max(i-1, 0), len(sorted)-1)
	return sorted[i]
}

func fmtDur(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	default:
		return strings.TrimSuffix(fmt.Sprintf("%.2fs", d.Seconds()), "0")
	}
}
