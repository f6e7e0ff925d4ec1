package ingest

// Benchmarks of ingestion: 10,000 feed items and 2,000 article pages
// served from loopback, beside the bare parse of the same feed bytes by the
// feed library (see bench/README.md):
//
//	go test -run '^$' -bench 'Ingest|ParseOnly' -benchtime 1x ./internal/ingest/

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"legists/internal/ingest/ingesttest"
	"legists/internal/source"
	"legists/internal/store"
)

// The load: feeds × itemsPerFeed items; in each feed the first
// fullPerFeed items carry their full text, the others link to a page that
// is fetched and extracted.
const (
	benchFeeds   = 20
	itemsPerFeed = 500
	fullPerFeed  = 400
	totalItems   = benchFeeds * itemsPerFeed                 // 10,000
	totalPages   = benchFeeds * (itemsPerFeed - fullPerFeed) // 2,000
)

func benchFeedPath(k int) string {
	return fmt.Sprintf("/gen/feed/%d.xml?items=%d&full=%d", k, itemsPerFeed, fullPerFeed)
}

// peak samples the heap while a run lasts.
type benchPeak struct {
	stop chan struct{}
	done sync.WaitGroup
	max  atomic.Uint64
}

func startBenchPeak() *benchPeak {
	runtime.GC()
	p := &benchPeak{stop: make(chan struct{})}
	p.done.Add(1)
	go func() {
		defer p.done.Done()
		t := time.NewTicker(25 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > p.max.Load() {
				p.max.Store(ms.HeapAlloc)
			}
			select {
			case <-p.stop:
				return
			case <-t.C:
			}
		}
	}()
	return p
}

func (p *benchPeak) end() float64 {
	close(p.stop)
	p.done.Wait()
	return float64(p.max.Load()) / (1 << 20)
}

func benchMaxRSSMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // kilobytes on Linux
}

func benchFetchFeeds(b *testing.B, srv *ingesttest.Server) [][]byte {
	var bodies [][]byte
	for k := range benchFeeds {
		resp, err := http.Get(srv.URLOf(benchFeedPath(k)))
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		bodies = append(bodies, body)
	}
	return bodies
}

// parseAll parses every feed body with gofeed alone and returns the items.
func benchParseAll(b *testing.B, bodies [][]byte) int {
	n := 0
	p := gofeed.NewParser()
	for _, body := range bodies {
		f, err := p.Parse(bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		n += len(f.Items)
	}
	return n
}

// BenchmarkIngest ingests 10,000 items (2,000 with a page to fetch and
// extract) into a fresh SQLite database per iteration, and reports items
// per second, pages per second, the peak heap and, for comparison, the
// items per second of the bare gofeed parse of the same feed bytes.
func BenchmarkIngest(b *testing.B) {
	srv := ingesttest.New()
	defer srv.Close()
	bodies := benchFetchFeeds(b, srv)
	var feedBytes int
	for _, body := range bodies {
		feedBytes += len(body)
	}
	ctx := context.Background()
	var elapsed time.Duration
	var heapMB float64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st, err := store.Open(ctx, "sqlite:"+filepath.Join(benchDBDir(b), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		for k := range benchFeeds {
			if _, err := st.AddSource(ctx, source.Source{URL: srv.URLOf(benchFeedPath(k)), Kind: source.KindFeed}); err != nil {
				b.Fatal(err)
			}
		}
		p := New(st, Config{
			Fetch:            FetchConfig{AllowPrivate: true, PerHost: 8},
			Workers:          4,
			PagesPerSource:   4,
			FeedContentWords: 100,
		})
		pk := startBenchPeak()
		b.StartTimer()
		start := time.Now()
		c, err := p.Run(ctx, true)
		elapsed += time.Since(start)
		b.StopTimer()
		heapMB = max(heapMB, pk.end())
		p.Close()
		if err != nil {
			b.Fatal(err)
		}
		if c.Items != totalItems || c.New+c.Duplicates != totalItems || c.Errors != 0 {
			b.Fatalf("counts %+v", c)
		}
		if i == 0 {
			stories, _ := st.ListStories(ctx, store.StoryFilter{Limit: 1000})
			b.Logf("run: %+v; %d stories on the first page", c, len(stories.Stories))
		}
		st.Close()
	}
	secs := elapsed.Seconds()
	b.ReportMetric(float64(totalItems*b.N)/secs, "items/s")
	b.ReportMetric(float64(totalPages*b.N)/secs, "pages/s")
	b.ReportMetric(heapMB, "peak-heap-MB")
	b.ReportMetric(benchMaxRSSMB(), "maxrss-MB")

	// The bare parse of the same bytes, in the same run.
	const rounds = 5
	start := time.Now()
	n := 0
	for range rounds {
		n += benchParseAll(b, bodies)
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "parse-only-items/s")
	b.ReportMetric(float64(feedBytes)/(1<<20), "feed-MB")
}

// BenchmarkParseOnly is the bare gofeed parse of the benchmark's feeds.
func BenchmarkParseOnly(b *testing.B) {
	srv := ingesttest.New()
	defer srv.Close()
	bodies := benchFetchFeeds(b, srv)
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		n += benchParseAll(b, bodies)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "items/s")
}

// benchDir is where the benchmark's database lives: $LEGISTS_BENCH_DIR
// (e.g. /dev/shm to leave the disk out), else a temporary directory.
func benchDBDir(b *testing.B) string {
	if d := os.Getenv("LEGISTS_BENCH_DIR"); d != "" {
		dir, err := os.MkdirTemp(d, "legists-bench-")
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { os.RemoveAll(dir) })
		return dir
	}
	return b.TempDir()
}
