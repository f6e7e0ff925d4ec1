package ingestscale

// The benchmark (see bench/README.md):
//
//	go test -run '^$' -bench IngestScale -benchtime 1x -timeout 90m ./bench/ingestscale/
//
// LEGISTS_BENCH_INGEST_ITEMS changes the number of items (default
// 100,000; 10,000 for a quick run); LEGISTS_TEST_POSTGRES names the
// PostgreSQL server (the PostgreSQL run is skipped without it);
// LEGISTS_BENCH_LEGISTS_BIN a legists binary to measure instead of this
// tree's (an older build, to compare).

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"codeberg.org/readeck/go-readability/v2"
	"github.com/jackc/pgx/v5"
	"github.com/mmcdole/gofeed"

	"legists/bench/curves"
	"legists/internal/ingest/ingesttest"
	"legists/internal/store/storetest"
)

// itemsPerFeed is the size of each generated feed; none carries its full
// text, so every item's page is fetched and extracted.
const itemsPerFeed = 250

// Concurrency, the same for every run: feeds at once, pages of one feed at
// once, requests to the (single, loopback) host at once.
const (
	workers        = 4
	pagesPerSource = 4
	perHost        = 16
)

func benchItems() int {
	if n, err := strconv.Atoi(os.Getenv("LEGISTS_BENCH_INGEST_ITEMS")); err == nil && n >= itemsPerFeed {
		return n / itemsPerFeed * itemsPerFeed
	}
	return 100000
}

func feedURLs(srv *ingesttest.Server, items int) []string {
	var out []string
	for k := range items / itemsPerFeed {
		out = append(out, srv.URLOf(fmt.Sprintf("/gen/feed/%d.xml?items=%d&full=0", k, itemsPerFeed)))
	}
	return out
}

// BenchmarkIngestScale runs, one after the other on the same feeds: the
// bare pipeline, legists ingest into SQLite, and into PostgreSQL; it reports each one's items/s, its throughput
// over the first and the last tenth of the items and their ratio, its
// peak RSS, and the ratios to the bare pipeline, and draws
// bench/out/ingest-scale.svg.
func BenchmarkIngestScale(b *testing.B) {
	if b.N > 1 {
		b.Skip("one run is the measurement: use -benchtime 1x")
	}
	items := benchItems()
	srv := ingesttest.New()
	defer srv.Close()
	feeds := feedURLs(srv, items)
	dir := b.TempDir()
	bin := os.Getenv("LEGISTS_BENCH_LEGISTS_BIN") // another build, to compare
	if bin == "" {
		bin = filepath.Join(dir, "legists")
		build := exec.Command("go", "build", "-o", bin, "legists/cmd/legists")
		if out, err := build.CombinedOutput(); err != nil {
			b.Fatalf("build: %v\n%s", err, out)
		}
	}
	ctx := context.Background()
	var runs []*Run

	// The bare pipeline: this test binary, re-run in TestBarePipeline.
	bare := exec.Command(os.Args[0], "-test.run", "^TestBarePipeline$", "-test.v")
	bare.Env = append(os.Environ(), "LEGISTS_BENCH_BARE_FEEDS="+srv.URLOf(fmt.Sprintf("/gen/feed/?feeds=%d&items=%d", len(feeds), itemsPerFeed)))
	pages := func(base int) func() int { return func() int { return srv.GeneratedPages() - base } }
	if runWanted("bare") {
		r, err := Measure(ctx, Spec{Name: "bare pipeline", Cmd: bare, Want: items, Count: pages(srv.GeneratedPages()),
			Start: regexp.MustCompile(`^bare: start`), Progress: regexp.MustCompile(`^bare: items=(\d+)`)})
		if err != nil {
			b.Fatal(err)
		}
		runs = append(runs, r)
		logRun(b, r)
	}

	var dbs []struct{ name, dsn string }
	if runWanted("sqlite") {
		dbs = append(dbs, struct{ name, dsn string }{"legists, SQLite", "sqlite:" + filepath.Join(dir, "scale.db")})
	}
	if os.Getenv("LEGISTS_TEST_POSTGRES") != "" && runWanted("postgres") {
		dbs = append(dbs, struct{ name, dsn string }{"legists, PostgreSQL", storetest.PostgresDSN(b)})
	}
	for _, db := range dbs {
		if err := addSources(bin, db.dsn, feeds); err != nil {
			b.Fatal(err)
		}
		// The feeds carry a line of each item, so every page is fetched
		// (--fetch-pages auto, the default).
		cmd := exec.Command(bin, "ingest", "--once", "--db", db.dsn, "--allow-private",
			"--workers", strconv.Itoa(workers), "--per-host", strconv.Itoa(perHost))
		cmd.Env = append(os.Environ(), "GOMAXPROCS="+strconv.Itoa(maxProcs()))
		r, err := Measure(ctx, Spec{Name: db.name, Cmd: cmd, Want: items, Count: pages(srv.GeneratedPages()), Server: postmasterPID(b, db.dsn),
			Start: regexp.MustCompile(`msg="ingest: polling"`), Progress: regexp.MustCompile(`msg="ingest: progress".* new=(\d+) duplicates=(\d+)`)})
		if err != nil {
			b.Fatal(err)
		}
		runs = append(runs, r)
		logRun(b, r) // now, in case a later run fails
	}

	if mf := minifluxBin(); mf != "" && os.Getenv("LEGISTS_TEST_POSTGRES") != "" && runWanted("miniflux") {
		r := measureMiniflux(b, mf, os.Getenv("LEGISTS_TEST_POSTGRES"), feeds, items, pages(srv.GeneratedPages()))
		runs = append(runs, r)
		logRun(b, r)
	} else {
		b.Log("Miniflux not measured: run bench/fetch-miniflux first (and set LEGISTS_TEST_POSTGRES)")
	}

	// Figures: b.ReportMetric units are "<run>-<figure>".
	var bareRate, mfRate float64
	for _, r := range runs {
		switch runKey(r.Name) {
		case "bare":
			bareRate = r.ItemsPerSecond()
		case "miniflux":
			mfRate = r.ItemsPerSecond()
		}
	}
	for _, r := range runs {
		key := runKey(r.Name)
		first, last := r.Window(0, 0.1), r.Window(0.9, 1)
		b.ReportMetric(r.ItemsPerSecond(), key+"-items/s")
		b.ReportMetric(first, key+"-first10-items/s")
		b.ReportMetric(last, key+"-last10-items/s")
		b.ReportMetric(last/first, key+"-last/first")
		b.ReportMetric(r.PeakRSSMB, key+"-peak-rss-MB")
		b.ReportMetric(float64(r.CPUPerItem().Microseconds())/1000, key+"-cpu-ms/item")
		if key != "bare" && bareRate > 0 {
			b.ReportMetric(r.ItemsPerSecond()/bareRate, key+"/bare")
		}
		if mfRate > 0 && (key == "sqlite" || key == "postgres") {
			b.ReportMetric(r.ItemsPerSecond()/mfRate, key+"/miniflux")
		}
	}
	b.ReportMetric(float64(items), "items")
	if err := os.MkdirAll(outDir(), 0o755); err != nil {
		b.Fatal(err)
	}
	var svg bytes.Buffer
	title := fmt.Sprintf("Ingest of %d feed items from loopback, every page fetched, %s", items, time.Now().UTC().Format("2006-01-02"))
	if err := WriteSVG(&svg, title, runs); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outDir(), "ingest-scale.svg"), svg.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	deciles := filepath.Join(outDir(), "ingest-deciles.svg")
	if err := curves.WriteFile(deciles, DecileChart(fmt.Sprintf("Ingest of %d items, every page fetched: items/s per tenth, %s",
		items, time.Now().UTC().Format("2006-01-02")), runs)); err != nil {
		b.Fatal(err)
	}
	for _, r := range runs {
		b.Logf("%-22s items/s per tenth: %s", r.Name, decileLine(r))
	}
	b.Logf("curves: %s, %s", filepath.Join(outDir(), "ingest-scale.svg"), deciles)
}

// runWanted reports whether LEGISTS_BENCH_INGEST_RUNS (a comma-separated
// list of bare, sqlite, postgres, miniflux; default all) names run.
func runWanted(run string) bool {
	list := os.Getenv("LEGISTS_BENCH_INGEST_RUNS")
	return list == "" || slices.Contains(strings.Split(list, ","), run)
}

func logRun(b *testing.B, r *Run) {
	first, last := r.Window(0, 0.1), r.Window(0.9, 1)
	b.Logf("%-22s %7.1f items/s, first 10%% %7.1f, last 10%% %7.1f (last/first %.2f), peak RSS %.0f MB, %d items in %s, CPU %.2f ms an item (process %s, database server %s)",
		r.Name, r.ItemsPerSecond(), first, last, last/first, r.PeakRSSMB, r.Total, r.Took.Round(time.Second),
		float64(r.CPUPerItem().Microseconds())/1000, r.CPU.Round(100*time.Millisecond), r.ServerCPU.Round(100*time.Millisecond))
}

// postmasterPID is the pid of the PostgreSQL server that dsn reaches when
// it runs on this machine (the parent of its backend), else 0: the run's
// server CPU is then not counted.
func postmasterPID(b *testing.B, dsn string) int {
	if !strings.HasPrefix(dsn, "postgres") {
		return 0
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Logf("database server CPU not counted: %v", err)
		return 0
	}
	defer conn.Close(ctx)
	var backend int
	if err := conn.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&backend); err != nil {
		return 0
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", backend))
	if err != nil {
		return 0 // not on this machine
	}
	f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	ppid, _ := strconv.Atoi(f[1])
	return ppid
}

// outDir is bench/out of the module.
func outDir() string { return filepath.Join("..", "out") }

func maxProcs() int {
	if n, err := strconv.Atoi(os.Getenv("GOMAXPROCS")); err == nil && n > 0 {
		return n
	}
	return runtime.GOMAXPROCS(0)
}

// runKey names a run in metric units: "sqlite", "postgres" or "bare".
func runKey(name string) string {
	switch name {
	case "legists, SQLite":
		return "sqlite"
	case "legists, PostgreSQL":
		return "postgres"
	case "Miniflux, PostgreSQL":
		return "miniflux"
	}
	return "bare"
}

// addSources subscribes the database to the feeds (kind given: no fetch).
func addSources(bin, dsn string, feeds []string) error {
	for _, f := range feeds {
		cmd := exec.Command(bin, "sources", "add", f, "--kind", "feed", "--db", dsn)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("sources add %s: %v\n%s", f, err, out)
		}
	}
	return nil
}

// TestBarePipeline is the bare pipeline, run by BenchmarkIngestScale in a
// process of its own (skipped otherwise): the same feeds with the same
// concurrency, every page fetched with net/http, feeds parsed with gofeed,
// pages extracted with go-readability, nothing stored. It prints its
// progress after each feed.
func TestBarePipeline(t *testing.T) {
	spec := os.Getenv("LEGISTS_BENCH_BARE_FEEDS")
	if spec == "" {
		t.Skip("run by BenchmarkIngestScale")
	}
	u, err := url.Parse(spec)
	if err != nil {
		t.Fatal(err)
	}
	nFeeds, _ := strconv.Atoi(u.Query().Get("feeds"))
	per, _ := strconv.Atoi(u.Query().Get("items"))
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: perHost, MaxConnsPerHost: perHost}, Timeout: 20 * time.Second}
	get := func(raw string) ([]byte, error) {
		resp, err := client.Get(raw)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("%s: %s", raw, resp.Status)
		}
		return io.ReadAll(resp.Body)
	}
	fmt.Println("bare: start")
	var (
		mu    sync.Mutex
		items int
		words int
		fails int
	)
	work := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			parser := gofeed.NewParser()
			for k := range work {
				feedURL := fmt.Sprintf("%s://%s/gen/feed/%d.xml?items=%d&full=0", u.Scheme, u.Host, k, per)
				body, err := get(feedURL)
				if err != nil {
					t.Error(err)
					continue
				}
				feed, err := parser.Parse(bytes.NewReader(body))
				if err != nil {
					t.Error(err)
					continue
				}
				sem := make(chan struct{}, pagesPerSource)
				var pw sync.WaitGroup
				for _, it := range feed.Items {
					sem <- struct{}{}
					pw.Add(1)
					go func(link string) {
						defer func() { <-sem; pw.Done() }()
						page, err := get(link)
						if err == nil {
							pu, _ := url.Parse(link)
							var art readability.Article
							art, err = readability.FromReader(bytes.NewReader(page), pu)
							if err == nil {
								var text bytes.Buffer
								err = art.RenderText(&text)
								mu.Lock()
								words += bytes.Count(text.Bytes(), []byte(" "))
								mu.Unlock()
							}
						}
						if err != nil {
							mu.Lock()
							fails++
							mu.Unlock()
						}
					}(it.Link)
				}
				pw.Wait()
				mu.Lock()
				items += len(feed.Items)
				fmt.Printf("bare: items=%d\n", items)
				mu.Unlock()
			}
		}()
	}
	for k := range nFeeds {
		work <- k
	}
	close(work)
	wg.Wait()
	if fails > 0 || words == 0 {
		t.Fatalf("%d pages failed, %d words extracted", fails, words)
	}
}

func TestWindowAndSVG(t *testing.T) {
	r := &Run{Name: "steady", Total: 1000, Took: 10 * time.Second}
	for i := 0; i <= 10; i++ {
		r.Samples = append(r.Samples, Sample{At: time.Duration(i) * time.Second, Items: 100 * i, RSSMB: 50})
	}
	if got := r.Window(0, 0.1); got < 99.9 || got > 100.1 {
		t.Errorf("first tenth %.2f items/s, want 100", got)
	}
	slow := &Run{Name: "slowing", Total: 1000, Took: 19 * time.Second,
		Samples: []Sample{{0, 0, 40}, {time.Second, 500, 60}, {19 * time.Second, 1000, 90}}}
	if f, l := slow.Window(0, 0.1), slow.Window(0.9, 1); f < 499 || f > 501 || l < 27 || l > 28.5 {
		t.Errorf("slowing run: first %.1f last %.1f", f, l)
	}
	var svg bytes.Buffer
	if err := WriteSVG(&svg, "test <curve>", []*Run{r, slow}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<svg", "test &lt;curve&gt;", "steady", "slowing", "items/s", "resident memory", "<polyline"} {
		if !bytes.Contains(svg.Bytes(), []byte(want)) {
			t.Errorf("SVG lacks %q", want)
		}
	}
}
