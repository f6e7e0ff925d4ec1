// Package ingestscale measures ingest as the archive grows: `legists
// ingest --once` over N feed items (default 100,000) served from loopback,
// every item's page fetched and extracted, into SQLite and PostgreSQL, side
// by side with a bare pipeline that fetches, parses with gofeed and
// extracts with go-readability but stores nothing. Each run is a separate process whose
// progress (items ingested over time) and resident memory are sampled; the
// curves are drawn in bench/out/ingest-scale.svg. See bench/README.md.
package ingestscale

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"legists/bench/curves"
)

// Sample is one point of a run: items ingested at a time since the run's
// start, and the process's resident memory then.
type Sample struct {
	At    time.Duration
	Items int
	RSSMB float64
}

// Run is one measured process.
type Run struct {
	Name    string
	Samples []Sample
	// Total is the number of items the run ingested; Took the time from
	// its first poll to its last item.
	Total int
	Took  time.Duration
	// PeakRSSMB is the process's maximum resident set (getrusage).
	PeakRSSMB float64
	// CPU is the process's user and system time (getrusage); ServerCPU
	// that of the PostgreSQL backends serving its connections (when
	// Spec.Server names the postmaster), so that runs compare by CPU
	// spent per item whatever else shares the cores and the server.
	CPU, ServerCPU time.Duration
	Output         string // the tail of its output, for errors
}

// CPUPerItem is the run's CPU time, its database server's included, per
// item ingested.
func (r *Run) CPUPerItem() time.Duration {
	if r.Total == 0 {
		return 0
	}
	return (r.CPU + r.ServerCPU) / time.Duration(r.Total)
}

// ItemsPerSecond is the run's whole throughput.
func (r *Run) ItemsPerSecond() float64 {
	if r.Took <= 0 {
		return 0
	}
	return float64(r.Total) / r.Took.Seconds()
}

// Window is the throughput between the moments the run had ingested
// from·Total and to·Total items (fractions), interpolated between samples.
func (r *Run) Window(from, to float64) float64 {
	t0, t1 := r.timeAt(from*float64(r.Total)), r.timeAt(to*float64(r.Total))
	if t1 <= t0 {
		return 0
	}
	return (to - from) * float64(r.Total) / (t1 - t0).Seconds()
}

// timeAt is when the run reached n items (linear between samples).
func (r *Run) timeAt(n float64) time.Duration {
	prev := Sample{}
	for _, s := range r.Samples {
		if float64(s.Items) >= n {
			if s.Items == prev.Items {
				return s.At
			}
			f := (n - float64(prev.Items)) / float64(s.Items-prev.Items)
			return prev.At + time.Duration(f*float64(s.At-prev.At))
		}
		prev = s
	}
	return prev.At
}

// Spec says how to start a run and read its progress.
type Spec struct {
	Name string
	Cmd  *exec.Cmd
	// Start matches the line from which time is counted (the first poll);
	// Progress the lines that report the items ingested so far: the sum of
	// its groups.
	Start, Progress *regexp.Regexp
	// Want is the number of items the run must reach.
	Want int
	// Count, when set, is the progress sampled every 100 ms (the pages
	// the fixture server has served: item by item, whatever the run
	// logs); the progress lines then only say when the run is done.
	Count func() int
	// End, when set with Count, matches the line that says the run is
	// done (for a program that does not log its progress in items): the
	// run's total is then Count's value at that line.
	End *regexp.Regexp
	// Server, when non-zero, is the pid of the PostgreSQL postmaster the
	// run writes to: the backends whose client is the run's process are
	// followed and their CPU counted in ServerCPU.
	Server int
}

// Measure runs spec's command, following its output (stdout and stderr)
// for progress and sampling its memory every 100 ms.
func Measure(ctx context.Context, spec Spec) (*Run, error) {
	run := &Run{Name: spec.Name}
	cmd := spec.Cmd
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	var (
		mu      sync.Mutex
		started time.Time
		items   int
		tail    []string
	)
	rss := func() float64 { return procRSSMB(cmd.Process.Pid) }
	backends := newBackendCPU(spec.Server, cmd.Process.Pid)
	done := make(chan struct{})
	stopSampling := make(chan struct{})
	var sampling sync.WaitGroup
	if spec.Count != nil {
		sampling.Add(1)
		go func() {
			defer sampling.Done()
			t := time.NewTicker(100 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stopSampling:
					return
				case <-t.C:
				}
				n, mem := spec.Count(), rss()
				backends.sample()
				mu.Lock()
				if !started.IsZero() && n > items {
					items = n
					run.Samples = append(run.Samples, Sample{At: time.Since(started), Items: n, RSSMB: mem})
				}
				mu.Unlock()
			}
		}()
	}
	var total int
	var lastAt time.Duration
	go func() {
		defer close(done)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			now := time.Now()
			mu.Lock()
			if tail = append(tail, line); len(tail) > 20 {
				tail = tail[1:]
			}
			if started.IsZero() && spec.Start.MatchString(line) {
				started = now
				run.Samples = append(run.Samples, Sample{Items: 0, RSSMB: rss()})
			}
			if spec.End != nil && spec.Count != nil && !started.IsZero() && spec.End.MatchString(line) {
				if n := spec.Count(); n > total {
					total, lastAt = n, now.Sub(started)
				}
			}
			if m := spec.Progress.FindStringSubmatch(line); m != nil && !started.IsZero() {
				n := 0
				for _, g := range m[1:] {
					v, _ := strconv.Atoi(g)
					n += v
				}
				if n > total {
					total, lastAt = n, now.Sub(started)
				}
				if n > items && spec.Count == nil {
					items = n
					run.Samples = append(run.Samples, Sample{At: now.Sub(started), Items: n, RSSMB: rss()})
				}
			}
			mu.Unlock()
		}
	}()
	err := cmd.Wait()
	pw.Close()
	<-done
	close(stopSampling)
	sampling.Wait()
	if spec.Count != nil && total > 0 {
		// The end: when the run said its last item was stored.
		end := Sample{At: lastAt, Items: total}
		if n := len(run.Samples); n > 0 {
			end.RSSMB = run.Samples[n-1].RSSMB
		}
		run.Samples = append(run.Samples, end)
		for i := range run.Samples {
			run.Samples[i].Items = min(run.Samples[i].Items, total)
			run.Samples[i].At = min(run.Samples[i].At, lastAt)
		}
	}
	run.Output = strings.Join(tail, "\n")
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		run.PeakRSSMB = float64(ru.Maxrss) / 1024
	}
	run.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	run.ServerCPU = backends.total()
	if err != nil {
		return run, fmt.Errorf("%s: %w\n%s", spec.Name, err, run.Output)
	}
	if len(run.Samples) < 2 {
		return run, fmt.Errorf("%s: no progress seen\n%s", spec.Name, run.Output)
	}
	last := run.Samples[len(run.Samples)-1]
	run.Total, run.Took = last.Items, last.At
	if run.Total != spec.Want {
		return run, fmt.Errorf("%s: %d items ingested, want %d\n%s", spec.Name, run.Total, spec.Want, run.Output)
	}
	return run, ctx.Err()
}

// procRSSMB is a process's resident set now (0 when it is gone).
func procRSSMB(pid int) float64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}

// Deciles is the run's throughput over each tenth of its items.
func (r *Run) Deciles() [10]float64 {
	var out [10]float64
	for k := range out {
		out[k] = r.Window(float64(k)/10, float64(k+1)/10)
	}
	return out
}

// DecileChart is the chart of each run's items/s per tenth of its items
// (x: the share of the items ingested at the end of the tenth, in %).
func DecileChart(title string, runs []*Run) curves.Chart {
	c := curves.Chart{Title: title, XLabel: "items ingested (%)", YLabel: "items/s over the tenth"}
	for _, r := range runs {
		s := curves.Series{Name: r.Name}
		for k, v := range r.Deciles() {
			s.Points = append(s.Points, curves.Point{X: float64(10 * (k + 1)), Y: v})
		}
		c.Series = append(c.Series, s)
	}
	return c
}

func decileLine(r *Run) string {
	var b strings.Builder
	for k, v := range r.Deciles() {
		if k > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%.0f", v)
	}
	return b.String()
}
