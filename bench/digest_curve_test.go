package bench

// BenchmarkDigestCurve: how a digest run grows with the number of
// subscribers, on SQLite and PostgreSQL (skipped without
// LEGISTS_TEST_POSTGRES):
//
//	go test -run '^$' -bench DigestCurve -benchtime 1x -timeout 60m ./bench/
//
// For each size of LEGISTS_BENCH_CURVE (default 5000,50000; add 500000
// for the third point, about ten minutes a database on 2 cores), a fresh
// database is seeded as for BenchmarkDigestSend and every due digest is
// sent to the loopback SMTP sink over 4 connections. It reports the run
// time and peak heap of each point (e.g. sqlite-50k-s, sqlite-50k-heap-MB)
// and draws them against the size in out/digest-time.svg and
// out/digest-memory.svg (bench/out/ of the repository).

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"legists/bench/curves"
	"legists/internal/digest"
	"legists/internal/mail"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

func curveSizes(b *testing.B) []int {
	sizes, err := curves.Sizes("LEGISTS_BENCH_CURVE", "5000,50000")
	if err != nil {
		b.Fatal(err)
	}
	return sizes
}

// curvePoint seeds a database of n subscribers with open and sends its
// digests; it returns the run time, the peak heap and the digests sent.
func curvePoint(b *testing.B, open func() store.Store, n int) (time.Duration, uint64, int) {
	b.Helper()
	st := open()
	defer st.Close()
	seedDigests(b, st, n)
	sink := newSink(b)
	defer sink.Close()
	cfg, _ := mail.ParseSMTPURL(sink.URL(""))
	cfg.Conns = benchConns
	sender, err := mail.NewSMTP(cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer sender.Close()
	r := &digest.Runner{Store: st, Sender: sender, BaseURL: "https://legists.example", Workers: benchConns,
		Now: func() time.Time { return benchNow }, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	runtime.GC()
	stop := memWatch()
	start := time.Now()
	res, err := r.Run(context.Background())
	d := time.Since(start)
	peak := stop()
	if err != nil {
		b.Fatal(err)
	}
	if res.Sent == 0 || res.Sent != sink.Count() || res.Failed != 0 {
		b.Fatalf("%d subscribers: %+v, sink %d", n, res, sink.Count())
	}
	return d, peak, res.Sent
}

func BenchmarkDigestCurve(b *testing.B) {
	sizes := curveSizes(b)
	type db struct {
		name string
		open func(n int) store.Store
	}
	dbs := []db{{"SQLite", func(n int) store.Store {
		st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(benchDir(b), fmt.Sprintf("curve-%d.db", n)))
		if err != nil {
			b.Fatal(err)
		}
		return st
	}}}
	if os.Getenv(storetest.PostgresEnv) != "" {
		dbs = append(dbs, db{"PostgreSQL", func(int) store.Store { return storetest.OpenPostgres(b) }})
	}
	timeChart := curves.Chart{Title: "Digest run: time against subscribers (4 SMTP connections)", XLabel: "subscribers", YLabel: "seconds", LogX: true, LogY: true}
	memChart := curves.Chart{Title: "Digest run: peak heap against subscribers", XLabel: "subscribers", YLabel: "peak heap (MB)", LogX: true}
	for i := 0; i < b.N; i++ {
		timeChart.Series, memChart.Series = nil, nil
		for _, d := range dbs {
			ts, ms := curves.Series{Name: d.name}, curves.Series{Name: d.name}
			for _, n := range sizes {
				el, peak, sent := curvePoint(b, func() store.Store { return d.open(n) }, n)
				key := strings.ToLower(strings.TrimSuffix(d.name, "QL")) + "-" + curves.Label(n)
				b.ReportMetric(el.Seconds(), key+"-s")
				b.ReportMetric(float64(sent)/el.Seconds(), key+"-msgs/s")
				b.ReportMetric(float64(peak)/(1<<20), key+"-heap-MB")
				ts.Points = append(ts.Points, curves.Point{X: float64(n), Y: el.Seconds()})
				ms.Points = append(ms.Points, curves.Point{X: float64(n), Y: float64(peak) / (1 << 20)})
			}
			timeChart.Series = append(timeChart.Series, ts)
			memChart.Series = append(memChart.Series, ms)
		}
	}
	b.ReportMetric(0, "ns/op")
	for name, c := range map[string]curves.Chart{"digest-time.svg": timeChart, "digest-memory.svg": memChart} {
		if err := curves.WriteFile(filepath.Join("out", name), c); err != nil {
			b.Fatal(err)
		}
	}
}
