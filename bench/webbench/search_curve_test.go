package webbench

// BenchmarkSearchCurve: how search grows with the archive, on SQLite and
// PostgreSQL (skipped without LEGISTS_TEST_POSTGRES), at each size of
// LEGISTS_BENCH_SEARCH_SIZES (default 10000,100000,1000000):
//
//	go test -run '^$' -bench SearchCurve -benchtime 1x -timeout 300m ./bench/webbench/
//
// Each point opens the kept database of that size (the same ones as
// BenchmarkSearchSQLite and BenchmarkSearchPostgres; loaded on first use,
// resumably, with progress on stderr) and serves the site from it on
// loopback with the page cache off, so that every search runs. Readers
// (LEGISTS_BENCH_SEARCH_READERS, default 4) then each alternate a search
// page (/search?q=…, the next query of the benchmark mix) with the
// trivial endpoint /healthz of the same server, so both meet the same
// load in the same run. It reports, per database and size, the search
// page's p50 and p99, the trivial endpoint's p99, the search's own p99 at
// the store (no HTTP, one reader), the process's peak RSS while serving,
// and the database's size; it draws the p99s and the peak RSS against
// the size in out/search-time.svg and out/search-memory.svg. With
// LEGISTS_BENCH_SEARCH_LOAD=0 a point whose database is not loaded yet is
// skipped rather than loaded.

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"legists/bench/curves"
	"legists/internal/brief"
	"legists/internal/store"
	"legists/internal/store/storetest"
	"legists/internal/web"
)

// searchRounds is how many times each reader goes through the query mix.
const searchRounds = 6

func searchSizes(b *testing.B) []int {
	sizes, err := curves.Sizes("LEGISTS_BENCH_SEARCH_SIZES", "10000,100000,1000000")
	if err != nil {
		b.Fatal(err)
	}
	return sizes
}

func searchReaders() int {
	if n, err := strconv.Atoi(os.Getenv("LEGISTS_BENCH_SEARCH_READERS")); err == nil && n > 0 {
		return n
	}
	return 4
}

// searchPoint is what one database at one size measured.
type searchPoint struct {
	pageP50, pageP99, trivialP99, storeP99 time.Duration
	peakRSS, dbBytes                       int64
}

func BenchmarkSearchCurve(b *testing.B) {
	sizes := searchSizes(b)
	type db struct {
		name, key string
		open      func(b *testing.B, n int) store.Store
	}
	dbs := []db{{"SQLite", "sqlite", openKeptSQLite}}
	if os.Getenv(storetest.PostgresEnv) != "" {
		dbs = append(dbs, db{"PostgreSQL", "postgres", openKeptPostgres})
	}
	timeChart := curves.Chart{Title: "Search p99 against archive size (page cache off)", XLabel: "briefs", YLabel: "p99 (ms)", LogX: true, LogY: true}
	memChart := curves.Chart{Title: "Search: peak RSS of the serving process", XLabel: "briefs", YLabel: "peak RSS (MB)", LogX: true}
	for range b.N {
		timeChart.Series, memChart.Series = nil, nil
		for _, d := range dbs {
			page := curves.Series{Name: d.name + " search page"}
			trivial := curves.Series{Name: d.name + " /healthz"}
			mem := curves.Series{Name: d.name}
			for _, n := range sizes {
				st := d.open(b, n)
				if os.Getenv("LEGISTS_BENCH_SEARCH_LOAD") == "0" && !loaded(st, n) {
					b.Logf("%s, %d briefs: not loaded yet, skipped (LEGISTS_BENCH_SEARCH_LOAD=0)", d.name, n)
					st.Close()
					continue
				}
				fill(b, st, n)
				if d.key == "postgres" {
					analyzePostgres(b, n)
				}
				p := measureSearch(b, st)
				p.dbBytes = dbSize(b, st, d.key, n)
				st.Close()
				key := d.key + "-" + curves.Label(n)
				b.ReportMetric(ms(p.pageP50), key+"-p50-ms")
				b.ReportMetric(ms(p.pageP99), key+"-p99-ms")
				b.ReportMetric(ms(p.trivialP99), key+"-trivial-p99-ms")
				b.ReportMetric(ms(p.storeP99), key+"-store-p99-ms")
				b.ReportMetric(float64(p.peakRSS)/(1<<20), key+"-rss-MB")
				b.ReportMetric(float64(p.dbBytes)/(1<<20), key+"-db-MB")
				page.Points = append(page.Points, curves.Point{X: float64(n), Y: ms(p.pageP99)})
				trivial.Points = append(trivial.Points, curves.Point{X: float64(n), Y: ms(p.trivialP99)})
				mem.Points = append(mem.Points, curves.Point{X: float64(n), Y: float64(p.peakRSS) / (1 << 20)})
			}
			timeChart.Series = append(timeChart.Series, page, trivial)
			memChart.Series = append(memChart.Series, mem)
		}
	}
	b.ReportMetric(0, "ns/op")
	for name, c := range map[string]curves.Chart{"search-time.svg": timeChart, "search-memory.svg": memChart} {
		if err := curves.WriteFile(filepath.Join("..", "out", name), c); err != nil {
			b.Fatal(err)
		}
	}
}

// measureSearch serves st and measures the search page against the
// trivial endpoint under the same readers, then the store's own p99.
func measureSearch(b *testing.B, st store.Store) searchPoint {
	b.Helper()
	ts := httptest.NewServer(nil)
	defer ts.Close()
	srv, err := web.New(web.Options{Store: st, BaseURL: ts.URL, CacheTTL: -1,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	ts.Config.Handler = srv
	c := client()
	get := func(path string) (time.Duration, error) {
		t := time.Now()
		resp, err := c.Get(ts.URL + path)
		if err != nil {
			return 0, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		d := time.Since(t)
		if err != nil {
			return 0, err
		}
		if resp.StatusCode != http.StatusOK || len(body) == 0 {
			return 0, fmt.Errorf("GET %s: %d, %d bytes", path, resp.StatusCode, len(body))
		}
		return d, nil
	}
	paths := make([]string, len(queries))
	for i, q := range queries {
		paths[i] = searchPath(q)
		if _, err := get(paths[i]); err != nil { // warm up
			b.Fatal(err)
		}
	}
	readers := searchReaders()
	var (
		mu            sync.Mutex
		pages, trivia []time.Duration
		next          atomic.Int64
		firstErr      atomic.Value
		wg            sync.WaitGroup
	)
	resetPeakRSS()
	for range readers {
		wg.Go(func() {
			var mine, triv []time.Duration
			for range searchRounds * len(queries) / readers {
				d, err := get(paths[int(next.Add(1))%len(paths)])
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				mine = append(mine, d)
				if d, err = get("/healthz"); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				triv = append(triv, d)
			}
			mu.Lock()
			pages, trivia = append(pages, mine...), append(trivia, triv...)
			mu.Unlock()
		})
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		b.Fatal(err)
	}
	p := searchPoint{pageP50: pct(pages, 0.5), pageP99: pct(pages, 0.99), trivialP99: pct(trivia, 0.99), peakRSS: peakRSS()}
	// The store alone, one reader: what ranking costs without HTTP and
	// templates.
	var direct []time.Duration
	ctx := context.Background()
	for range searchRounds {
		for _, q := range queries {
			q.Status, q.Limit = brief.StatusPublished, 10
			t := time.Now()
			if _, err := st.SearchBriefs(ctx, q); err != nil {
				b.Fatal(err)
			}
			direct = append(direct, time.Since(t))
		}
	}
	p.storeP99 = pct(direct, 0.99)
	return p
}

// searchPath is q as the search page's URL.
func searchPath(q store.SearchQuery) string {
	v := url.Values{"q": {q.Q}}
	if q.Firm != "" {
		v.Set("firm", q.Firm)
	}
	if q.Topic != "" {
		v.Set("topic", q.Topic)
	}
	if !q.Since.IsZero() {
		v.Set("from", q.Since.Format(time.DateOnly))
	}
	if !q.Until.IsZero() { // the page's "to" is inclusive
		v.Set("to", q.Until.AddDate(0, 0, -1).Format(time.DateOnly))
	}
	return "/search?" + v.Encode()
}

func pct(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// resetPeakRSS starts a new peak for peakRSS (Linux: writing 5 to
// clear_refs resets VmHWM).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is the process's peak resident set (VmHWM) in bytes, 0 where
// /proc is not there.
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// dbSize is the size on disk of the kept database of n briefs: the SQLite
// file, or every relation of the PostgreSQL schema.
func dbSize(b *testing.B, st store.Store, key string, n int) int64 {
	b.Helper()
	if key == "sqlite" {
		fi, err := os.Stat(keptSQLitePath(n))
		if err != nil {
			b.Fatal(err)
		}
		return fi.Size()
	}
	admin, err := sql.Open("pgx", os.Getenv(storetest.PostgresEnv))
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	var size int64
	schema := keptSchema(n)
	if err := admin.QueryRow(`SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c
		JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = $1 AND c.relkind IN ('r', 'm')`, schema).Scan(&size); err != nil {
		b.Fatal(err)
	}
	return size
}
