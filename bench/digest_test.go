// Package bench holds end-to-end benchmarks that span several packages.
//
// Digests (this file):
//
//		go test -run '^$' -bench 'DigestSend|BareSend' -benchtime 1x ./bench/
//
//	  - BenchmarkDigestSend: digests for 50,000 subscribers (varied topics,
//	    firms and frequencies; 15 briefs published in the last day; events)
//	    from a generated SQLite database, through the loopback SMTP sink of
//	    internal/mail/mailtest over 4 connections: the whole path, ledger
//	    claims and results included. In the same run, the bare sender sends
//	    the very same pre-rendered messages over the same number of
//	    connections. Reports msgs/s, bare-msgs/s, the ratio, peak-heap-MB
//	    (HeapInuse sampled every 25 ms) and maxrss-MB (VmHWM of the test
//	    process, sink included, reset before the run).
//	  - BenchmarkBareSend: the bare sender alone, msgs/s.
//
// LEGISTS_BENCH_SUBSCRIBERS scales the number of subscribers;
// LEGISTS_BENCH_DIR puts the databases elsewhere (/dev/shm: no disk).
package bench

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wneessen/go-mail/smtp"

	"legists/internal/brief"
	"legists/internal/digest"
	"legists/internal/mail"
	"legists/internal/mail/mailtest"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

const benchConns = 4

var benchNow = time.Date(2026, 11, 28, 7, 0, 0, 0, time.UTC)

func benchSubscribers() int {
	if n, err := strconv.Atoi(os.Getenv("LEGISTS_BENCH_SUBSCRIBERS")); err == nil && n > 0 {
		return n
	}
	return 50000
}

func benchDir(b *testing.B) string {
	if d := os.Getenv("LEGISTS_BENCH_DIR"); d != "" {
		dir, err := os.MkdirTemp(d, "legists-digest-bench-")
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { os.RemoveAll(dir) })
		return dir
	}
	return b.TempDir()
}

// digestFixture is a template database and the messages its digests
// render to, captured in a file.
type digestFixture struct {
	dir      string
	template string // path of the template SQLite file
	msgs     string // path of the captured messages
	index    []msgRef
}

type msgRef struct {
	off      int64
	from, to string
	n        int
}

// newDigestFixture generates the database and pre-renders every digest.
func newDigestFixture(b *testing.B, n int) *digestFixture {
	b.Helper()
	ctx := context.Background()
	f := &digestFixture{dir: benchDir(b)}
	f.template = filepath.Join(f.dir, "template.db")
	st, err := store.Open(ctx, "sqlite:"+f.template)
	if err != nil {
		b.Fatal(err)
	}
	seedDigests(b, st, n)
	if err := st.Close(); err != nil {
		b.Fatal(err)
	}

	// Pre-render: a run on a copy, with a sender that only records.
	f.msgs = filepath.Join(f.dir, "messages.bin")
	out, err := os.Create(f.msgs)
	if err != nil {
		b.Fatal(err)
	}
	capture := &captureSender{w: bufio.NewWriterSize(out, 1<<20)}
	res := f.runDigest(b, capture, "capture")
	if err := capture.w.Flush(); err != nil {
		b.Fatal(err)
	}
	out.Close()
	f.index = capture.index
	if res.Sent == 0 || res.Sent != len(f.index) {
		b.Fatalf("capture run: %+v, %d captured", res, len(f.index))
	}
	return f
}

// seedDigests fills st with the benchmark's directory, 15 briefs
// published in the day before benchNow, 5 events, n confirmed subscribers
// (varied topics, firms and frequencies) and the token secret.
func seedDigests(b *testing.B, st store.Store, n int) {
	b.Helper()
	ctx := context.Background()
	if err := st.UpsertFirms(ctx, storetest.Firms); err != nil {
		b.Fatal(err)
	}
	if err := st.UpsertTopics(ctx, storetest.Topics); err != nil {
		b.Fatal(err)
	}
	briefs := storetest.GenerateBriefs(15, 2026)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, br := range briefs {
		br.Status = brief.StatusPublished
		at := benchNow.Add(-time.Duration(rng.Int64N(int64(23 * time.Hour))))
		br.PublishedAt = &at
	}
	if _, err := st.SaveBriefs(ctx, briefs, store.SaveOptions{Author: "bench"}); err != nil {
		b.Fatal(err)
	}
	for i := range 5 {
		start := benchNow.Add(time.Duration(3+7*i) * 24 * time.Hour)
		topic := storetest.Topics[i%len(storetest.Topics)].Name
		if _, err := st.SaveEvent(ctx, &store.Event{Title: fmt.Sprintf("%s Forum %d", topic, i+1), StartsAt: start, EndsAt: start.Add(6 * time.Hour),
			TimeZone: "Europe/London", Place: "London", Topics: []string{topic}}); err != nil {
			b.Fatal(err)
		}
	}
	topicSlugs := make([]string, len(storetest.Topics))
	for i, t := range storetest.Topics {
		topicSlugs[i] = brief.Slugify(t.Name)
	}
	firmSlugs := make([]string, len(storetest.Firms))
	for i, fm := range storetest.Firms {
		firmSlugs[i] = brief.Slugify(fm.Name)
	}
	confirmed := benchNow.Add(-48 * time.Hour)
	var batch []store.Subscriber
	for i := range n {
		s := store.Subscriber{Email: fmt.Sprintf("reader%06d@example.org", i), Frequency: store.Daily, ConfirmedAt: &confirmed}
		if rng.IntN(10) < 3 {
			s.Frequency = store.Weekly
		}
		for range rng.IntN(4) {
			s.Topics = append(s.Topics, topicSlugs[rng.IntN(len(topicSlugs))])
		}
		for range rng.IntN(3) {
			s.Firms = append(s.Firms, firmSlugs[rng.IntN(len(firmSlugs))])
		}
		batch = append(batch, s)
		if len(batch) == 2000 || i == n-1 {
			if _, err := st.ImportSubscribers(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	// The token secret, so that every copy signs the same links.
	if _, err := digest.LoadTokens(ctx, st); err != nil {
		b.Fatal(err)
	}
}

// copyDB copies the template to a fresh database and returns its path.
func (f *digestFixture) copyDB(b *testing.B, name string) string {
	b.Helper()
	dst := filepath.Join(f.dir, name+".db")
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(dst + suffix)
		data, err := os.ReadFile(f.template + suffix)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(dst+suffix, data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dst
}

// runDigest runs the digests of a fresh copy through s.
func (f *digestFixture) runDigest(b *testing.B, s mail.Sender, name string) digest.Result {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+f.copyDB(b, name))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	r := &digest.Runner{Store: st, Sender: s, BaseURL: "https://legists.example", Workers: benchConns,
		Now: func() time.Time { return benchNow }, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	res, err := r.Run(ctx)
	if err != nil {
		b.Fatal(err)
	}
	return res
}

// captureSender records messages: from, to and data, length-prefixed.
type captureSender struct {
	mu    sync.Mutex
	w     *bufio.Writer
	off   int64
	index []msgRef
}

func (c *captureSender) Send(_ context.Context, m *mail.Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var hdr [4]byte
	binary.LittleEndian.PutUint32(hdr[:], uint32(len(m.Data)))
	c.w.Write(hdr[:])
	c.off += 4
	c.index = append(c.index, msgRef{off: c.off, from: m.From, to: m.To, n: len(m.Data)})
	if _, err := c.w.Write(m.Data); err != nil {
		return err
	}
	c.off += int64(len(m.Data))
	return nil
}

func (c *captureSender) Close() error { return nil }

// bareSend sends the captured messages over conns plain SMTP connections:
// no database, no rendering, no rate limit, no retries.
func (f *digestFixture) bareSend(b *testing.B, addr string, conns int) (int, time.Duration) {
	b.Helper()
	file, err := os.Open(f.msgs)
	if err != nil {
		b.Fatal(err)
	}
	defer file.Close()
	var next atomic.Int64
	var sent atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	start := time.Now()
	for range conns {
		wg.Go(func() {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				errs <- err
				return
			}
			c, err := smtp.NewClient(conn, "127.0.0.1")
			if err != nil {
				errs <- err
				return
			}
			defer c.Quit()
			if err := c.Hello("bench.localhost"); err != nil {
				errs <- err
				return
			}
			buf := make([]byte, 0, 64<<10)
			for {
				i := int(next.Add(1) - 1)
				if i >= len(f.index) {
					return
				}
				ref := f.index[i]
				if cap(buf) < ref.n {
					buf = make([]byte, 0, ref.n)
				}
				buf = buf[:ref.n]
				if _, err := file.ReadAt(buf, ref.off); err != nil {
					errs <- err
					return
				}
				if err := c.Mail(ref.from); err != nil {
					errs <- err
					return
				}
				if err := c.Rcpt(ref.to); err != nil {
					errs <- err
					return
				}
				w, err := c.Data()
				if err != nil {
					errs <- err
					return
				}
				if _, err := w.Write(buf); err != nil {
					errs <- err
					return
				}
				if err := w.Close(); err != nil {
					errs <- err
					return
				}
				sent.Add(1)
			}
		})
	}
	wg.Wait()
	d := time.Since(start)
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	return int(sent.Load()), d
}

// memWatch samples HeapInuse until stopped and returns the peak.
func memWatch() func() uint64 {
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(25 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(stop)
		<-done
		return peak.Load()
	}
}

// vmHWM returns the process's peak resident set in bytes (Linux), and
// resetHWM resets it.
func vmHWM() uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func resetHWM() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

func newSink(b *testing.B) *mailtest.Server {
	srv, err := mailtest.New(mailtest.Options{CountOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	return srv
}

func BenchmarkDigestSend(b *testing.B) {
	n := benchSubscribers()
	f := newDigestFixture(b, n)
	var (
		sent    int
		elapsed time.Duration
		peak    uint64
		hwm     uint64
		bytes   int64
	)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		sink := newSink(b)
		cfg, _ := mail.ParseSMTPURL(sink.URL(""))
		cfg.Conns = benchConns
		sender, err := mail.NewSMTP(cfg)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		resetHWM()
		stop := memWatch()
		b.StartTimer()
		start := time.Now()
		res := f.runDigest(b, sender, fmt.Sprintf("run%d", i))
		elapsed += time.Since(start)
		b.StopTimer()
		if p := stop(); p > peak {
			peak = p
		}
		if h := vmHWM(); h > hwm {
			hwm = h
		}
		sender.Close()
		if res.Sent != len(f.index) || sink.Count() != res.Sent || res.Failed != 0 {
			b.Fatalf("run: %+v, sink %d, want %d", res, sink.Count(), len(f.index))
		}
		sent += res.Sent
		bytes += sink.Bytes()
		b.StartTimer()
	}
	b.StopTimer()
	// The bare sender, same messages, same number of connections, same
	// run.
	sink := newSink(b)
	bareSent, bareTime := f.bareSend(b, sink.Addr, benchConns)
	if bareSent != len(f.index) || sink.Count() != bareSent {
		b.Fatalf("bare: %d sent, sink %d", bareSent, sink.Count())
	}
	rate := float64(sent) / elapsed.Seconds()
	bare := float64(bareSent) / bareTime.Seconds()
	b.ReportMetric(rate, "msgs/s")
	b.ReportMetric(bare, "bare-msgs/s")
	b.ReportMetric(rate/bare, "digest/bare")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(hwm)/(1<<20), "maxrss-MB")
	b.ReportMetric(float64(len(f.index)), "digests")
	b.ReportMetric(float64(n), "subscribers")
	b.ReportMetric(float64(bytes)/float64(sent)/1024, "KB/msg")
}

func BenchmarkBareSend(b *testing.B) {
	f := newDigestFixture(b, benchSubscribers())
	var sent int
	var elapsed time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		sink := newSink(b)
		b.StartTimer()
		n, d := f.bareSend(b, sink.Addr, benchConns)
		sent += n
		elapsed += d
	}
	b.ReportMetric(float64(sent)/elapsed.Seconds(), "msgs/s")
}
