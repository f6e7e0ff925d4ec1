package webbench

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"legists/internal/demo"
	"legists/internal/store/storetest"
	"legists/internal/web"
)

// concurrency is the number of client connections of every HTTP benchmark.
const concurrency = 16

// pageServer starts the site on the demo content and returns its URL and
// the path of the newest brief.
func pageServer(b *testing.B, ttl time.Duration) (*httptest.Server, string) {
	b.Helper()
	st := storetest.OpenSQLite(b)
	if err := demo.Load(context.Background(), st); err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(nil)
	b.Cleanup(ts.Close)
	srv, err := web.New(web.Options{Store: st, BaseURL: ts.URL, CacheTTL: ttl,
		Logger: slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))})
	if err != nil {
		b.Fatal(err)
	}
	ts.Config.Handler = srv
	entries, _ := demo.Manifest()
	slug := ""
	var newest time.Time
	for _, e := range entries {
		if e.Status == "published" && e.PublishedAt.After(newest) {
			slug, newest = e.Slug, e.PublishedAt
		}
	}
	return ts, "/briefs/" + slug
}

func client() *http.Client {
	return &http.Client{Transport: &http.Transport{
		MaxIdleConns: concurrency * 2, MaxIdleConnsPerHost: concurrency * 2, DisableCompression: true,
		DialContext: (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext,
	}}
}

// hammer requests url from concurrency goroutines b.N times in all and
// reports requests per second.
func hammer(b *testing.B, url string, wantLen int) {
	b.Helper()
	c := client()
	// warm the connections and the page cache
	for range concurrency {
		resp, err := c.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	var bad atomic.Int64
	b.SetParallelism(concurrency / max(1, testingProcs()))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := c.Get(url)
			if err != nil {
				bad.Add(1)
				continue
			}
			n, _ := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || (wantLen > 0 && int(n) != wantLen) {
				bad.Add(1)
			}
		}
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if bad.Load() > 0 {
		b.Fatalf("%d bad responses", bad.Load())
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
}

func testingProcs() int {
	return int(max(1, int64(runtimeProcs())))
}

// BenchmarkBriefPage: a brief page through the whole server.
func BenchmarkBriefPage(b *testing.B) {
	ts, path := pageServer(b, 0)
	hammer(b, ts.URL+path, 0)
}

// BenchmarkBriefPageUncached: the same with the page cache off, so every
// request reads the store and renders the template.
func BenchmarkBriefPageUncached(b *testing.B) {
	ts, path := pageServer(b, -1)
	hammer(b, ts.URL+path, 0)
}

// BenchmarkBriefPageStatic: the same bytes from a bare handler.
func BenchmarkBriefPageStatic(b *testing.B) {
	ts, path := pageServer(b, 0)
	resp, err := client().Get(ts.URL + path)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	static := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	}))
	b.Cleanup(static.Close)
	hammer(b, static.URL+path, len(body))
}

// load requests url from concurrency goroutines for d and returns the
// number of good responses.
func load(b *testing.B, c *http.Client, url string, d time.Duration) int64 {
	var n, bad atomic.Int64
	stop := time.Now().Add(d)
	done := make(chan struct{})
	for range concurrency {
		go func() {
			defer func() { done <- struct{}{} }()
			for time.Now().Before(stop) {
				resp, err := c.Get(url)
				if err != nil {
					bad.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					bad.Add(1)
					continue
				}
				n.Add(1)
			}
		}()
	}
	for range concurrency {
		<-done
	}
	if bad.Load() > 0 {
		b.Fatalf("%d bad responses from %s", bad.Load(), url)
	}
	return n.Load()
}

// BenchmarkBriefPageVsStatic alternates half-second rounds of the brief
// page and of the same bytes from a bare handler, with the same client and
// concurrency, so that both see the same machine load; it reports both
// rates and their ratio (page/static).
func BenchmarkBriefPageVsStatic(b *testing.B) {
	ts, path := pageServer(b, 0)
	c := client()
	resp, err := c.Get(ts.URL + path)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	static := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	}))
	b.Cleanup(static.Close)
	const rounds, round = 8, 500 * time.Millisecond
	var pageN, staticN int64
	load(b, c, ts.URL+path, 200*time.Millisecond) // warm up
	load(b, c, static.URL+path, 200*time.Millisecond)
	for b.Loop() {
		for range rounds {
			pageN += load(b, c, ts.URL+path, round)
			staticN += load(b, c, static.URL+path, round)
		}
	}
	secs := float64(b.N*rounds) * round.Seconds()
	b.ReportMetric(float64(pageN)/secs, "page-req/s")
	b.ReportMetric(float64(staticN)/secs, "static-req/s")
	b.ReportMetric(float64(pageN)/float64(staticN), "page/static")
}
