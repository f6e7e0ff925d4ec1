package jobs

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"github.com/riverqueue/river/rivertype"

	"legists/internal/store/storetest"
)

// dbs runs a test on a fresh SQLite file and on a fresh PostgreSQL schema
// (skipped without LEGISTS_TEST_POSTGRES).
func dbs(t *testing.T, f func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		f(t, storetest.SQLiteDSN(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		f(t, storetest.PostgresDSN(t))
	})
}

func testLogger(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// open opens and starts a queue stopped when the test ends.
func open(t *testing.T, cfg Config) *Queue {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = testLogger(t)
	}
	if cfg.FetchPollInterval == 0 {
		cfg.FetchPollInterval = 100 * time.Millisecond
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	q, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx); err != nil {
		q.Stop(time.Second, time.Second)
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := q.Stop(5*time.Second, 5*time.Second); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return q
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// state returns the states of the jobs of a kind, by counting.
func states(t *testing.T, q *Queue, kind string) map[string]int64 {
	t.Helper()
	cs, err := q.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, c := range cs {
		if c.Kind == kind {
			out[c.State] += c.N
		}
	}
	return out
}

// Two processes (two queues on one database) enqueue the same job within
// its unique period: it runs once.
func TestUniqueJobRunsOnce(t *testing.T) {
	dbs(t, func(t *testing.T, dsn string) {
		var runs atomic.Int64
		job := Job{Kind: "unique_test", Unique: time.Hour, Run: func(ctx context.Context) error {
			runs.Add(1)
			return nil
		}}
		a := open(t, Config{DSN: dsn, Jobs: []Job{job}})
		b := open(t, Config{DSN: dsn, Jobs: []Job{job}})
		ctx := context.Background()
		for i, q := range []*Queue{a, b, a, b} {
			added, err := q.Enqueue(ctx, "unique_test")
			if err != nil {
				t.Fatal(err)
			}
			if added != (i == 0) {
				t.Fatalf("enqueue %d: added=%v", i, added)
			}
		}
		waitFor(t, 20*time.Second, "the job to complete", func() bool { return states(t, a, "unique_test")["completed"] == 1 })
		// Once completed, it is still unique within the period.
		if added, err := b.Enqueue(ctx, "unique_test"); err != nil || added {
			t.Fatalf("enqueue after completion: %v %v", added, err)
		}
		time.Sleep(300 * time.Millisecond)
		if n := runs.Load(); n != 1 {
			t.Fatalf("the job ran %d times", n)
		}
		if s := states(t, a, "unique_test"); len(s) != 1 {
			t.Fatalf("job states %v", s)
		}
		if _, err := a.Enqueue(ctx, "nope"); err == nil {
			t.Fatal("enqueued an unknown kind")
		}
	})
}

// A periodic job scheduled by several processes runs once a period: only
// the leader enqueues it, and uniqueness by period guards leader changes.
func TestPeriodicJobOncePerPeriod(t *testing.T) {
	dbs(t, func(t *testing.T, dsn string) {
		var mu sync.Mutex
		var at []time.Time
		job := Job{Kind: "periodic_test", Every: time.Second, Run: func(ctx context.Context) error {
			mu.Lock()
			at = append(at, time.Now())
			mu.Unlock()
			return nil
		}}
		var qs []*Queue
		for range 3 {
			qs = append(qs, open(t, Config{DSN: dsn, Jobs: []Job{job}}))
		}
		count := func() int {
			mu.Lock()
			defer mu.Unlock()
			return len(at)
		}
		waitFor(t, 30*time.Second, "three runs", func() bool { return count() >= 3 })
		time.Sleep(2 * time.Second)
		mu.Lock()
		n, elapsed := len(at), time.Since(at[0])
		mu.Unlock()
		// One at start, then one a second; three processes scheduling
		// on their own would make about three times as many.
		if n > int(elapsed/time.Second)+2 {
			t.Fatalf("%d runs in %s", n, elapsed)
		}
		s := states(t, qs[0], "periodic_test")
		t.Logf("%d runs in %s; jobs %v", n, elapsed, s)
		if s["completed"]+s["running"] < 3 || s["discarded"] != 0 || s["retryable"] != 0 {
			t.Fatalf("job states %v", s)
		}
	})
}

// A failing job is retried with exponential backoff until it succeeds, and
// each attempt is reported to Observe.
func TestFailingJobRetriedWithBackoff(t *testing.T) {
	dbs(t, func(t *testing.T, dsn string) {
		var mu sync.Mutex
		var at []time.Time
		var observed []string
		job := Job{Kind: "flaky_test", Metric: "flaky", MaxAttempts: 5, Run: func(ctx context.Context) error {
			mu.Lock()
			defer mu.Unlock()
			at = append(at, time.Now())
			if len(at) < 3 {
				return fmt.Errorf("failure %d", len(at))
			}
			return nil
		}}
		q := open(t, Config{DSN: dsn, Jobs: []Job{job}, Retry: Backoff{Base: 300 * time.Millisecond, Max: time.Minute},
			Observe: func(kind string) func(error) {
				return func(err error) {
					mu.Lock()
					observed = append(observed, fmt.Sprintf("%s:%v", kind, err))
					mu.Unlock()
				}
			}})
		if _, err := q.Enqueue(context.Background(), "flaky_test"); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 30*time.Second, "the job to complete", func() bool { return states(t, q, "flaky_test")["completed"] == 1 })
		mu.Lock()
		defer mu.Unlock()
		if len(at) != 3 {
			t.Fatalf("%d attempts", len(at))
		}
		// Backoff: 300ms, then 600ms (±10%).
		if g := at[1].Sub(at[0]); g < 270*time.Millisecond {
			t.Errorf("first retry after %s", g)
		}
		if g := at[2].Sub(at[1]); g < 540*time.Millisecond {
			t.Errorf("second retry after %s", g)
		}
		want := []string{"flaky:failure 1", "flaky:failure 2", "flaky:<nil>"}
		if fmt.Sprint(observed) != fmt.Sprint(want) {
			t.Errorf("observed %v, want %v", observed, want)
		}
	})
}

// A job that keeps failing is discarded after MaxAttempts.
func TestJobDiscardedAfterMaxAttempts(t *testing.T) {
	dbs(t, func(t *testing.T, dsn string) {
		var runs atomic.Int64
		job := Job{Kind: "broken_test", MaxAttempts: 2, Run: func(ctx context.Context) error {
			runs.Add(1)
			panic("boom")
		}}
		q := open(t, Config{DSN: dsn, Jobs: []Job{job}, Retry: Backoff{Base: 100 * time.Millisecond}})
		if _, err := q.Enqueue(context.Background(), "broken_test"); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 20*time.Second, "the job to be discarded", func() bool { return states(t, q, "broken_test")["discarded"] == 1 })
		if n := runs.Load(); n != 2 {
			t.Fatalf("%d runs", n)
		}
	})
}

// helperEnv names the variables of the helper process of
// TestDeadWorkerJobRescued.
const (
	helperDSN    = "LEGISTS_JOBS_HELPER_DSN"
	helperMarker = "LEGISTS_JOBS_HELPER_MARKER"
)

// TestHelperWorker is the process TestDeadWorkerJobRescued kills: it
// enqueues a job, starts working it, says so and hangs.
func TestHelperWorker(t *testing.T) {
	dsn := os.Getenv(helperDSN)
	if dsn == "" {
		t.Skip("helper process")
	}
	job := Job{Kind: "rescue_test", MaxAttempts: 3, Timeout: time.Second, Run: func(ctx context.Context) error {
		os.WriteFile(os.Getenv(helperMarker), []byte("working"), 0o644)
		select {} // until killed
	}}
	ctx := context.Background()
	q, err := Open(ctx, Config{DSN: dsn, Jobs: []Job{job}, NoLeader: true, FetchPollInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.Enqueue(ctx, "rescue_test"); err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Minute)
	t.Fatal("not killed")
}

// A job whose process dies while working it (SIGKILL) is rescued by the
// leader of the remaining processes and worked again.
func TestDeadWorkerJobRescued(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL")
	}
	dbs(t, func(t *testing.T, dsn string) {
		marker := filepath.Join(t.TempDir(), "working")
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWorker$", "-test.count=1")
		cmd.Env = append(os.Environ(), helperDSN+"="+dsn, helperMarker+"="+marker)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		t.Cleanup(func() { cmd.Process.Kill(); <-exited })
		deadline := time.Now().Add(60 * time.Second)
		for {
			if _, err := os.Stat(marker); err == nil {
				break
			}
			select {
			case <-exited:
				t.Fatalf("helper exited:\n%s", out.String())
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("the helper never worked the job:\n%s", out.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
		killedAt := time.Now()
		if err := cmd.Process.Kill(); err != nil { // SIGKILL
			t.Fatal(err)
		}
		<-exited

		// The job is left running, attempted by a dead process.
		raw := rawDB(t, dsn)
		var state string
		var attempt int
		if err := raw.QueryRow(`SELECT state, attempt FROM river_job WHERE kind = 'rescue_test'`).Scan(&state, &attempt); err != nil {
			t.Fatal(err)
		}
		if state != "running" || attempt != 1 {
			t.Fatalf("after the kill: %s, attempt %d", state, attempt)
		}

		// A live process leads, finds the job stuck past its timeout and
		// RescueAfter, and works it again.
		const rescueAfter = 2 * time.Second
		time.Sleep(time.Until(killedAt.Add(rescueAfter + 200*time.Millisecond)))
		var runs atomic.Int64
		job := Job{Kind: "rescue_test", MaxAttempts: 3, Timeout: time.Second, Run: func(ctx context.Context) error {
			runs.Add(1)
			return nil
		}}
		q := open(t, Config{DSN: dsn, Jobs: []Job{job}, RescueAfter: rescueAfter, Retry: Backoff{Base: 100 * time.Millisecond}})
		waitFor(t, 40*time.Second, "the rescued job to complete", func() bool { return states(t, q, "rescue_test")["completed"] == 1 })
		if n := runs.Load(); n != 1 {
			t.Fatalf("the rescued job ran %d times", n)
		}
		if err := raw.QueryRow(`SELECT attempt FROM river_job WHERE kind = 'rescue_test'`).Scan(&attempt); err != nil || attempt != 2 {
			t.Fatalf("attempt %d, %v", attempt, err)
		}
	})
}

// rawDB opens the database of dsn for direct queries.
func rawDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	var db *sql.DB
	var err error
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		db, err = sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)")
	} else {
		db, err = sql.Open("pgx", dsn)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Stop cancels a job that outlives the soft stop; the job is left for
// another process (retryable).
func TestStopSoftThenHard(t *testing.T) {
	dbs(t, func(t *testing.T, dsn string) {
		started := make(chan struct{})
		var cancelled atomic.Bool
		job := Job{Kind: "slow_test", Run: func(ctx context.Context) error {
			close(started)
			<-ctx.Done()
			cancelled.Store(true)
			return ctx.Err()
		}}
		ctx := context.Background()
		q, err := Open(ctx, Config{DSN: dsn, Jobs: []Job{job}, Logger: testLogger(t), FetchPollInterval: 100 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := q.Enqueue(ctx, "slow_test"); err != nil {
			t.Fatal(err)
		}
		select {
		case <-started:
		case <-time.After(20 * time.Second):
			t.Fatal("the job never started")
		}
		t0 := time.Now()
		if err := q.Stop(300*time.Millisecond, 5*time.Second); err != nil {
			t.Fatalf("stop: %v", err)
		}
		if d := time.Since(t0); d < 300*time.Millisecond || d > 5*time.Second || !cancelled.Load() {
			t.Fatalf("stop took %s, cancelled %v", d, cancelled.Load())
		}
		var state string
		if err := rawDB(t, dsn).QueryRow(`SELECT state FROM river_job WHERE kind = 'slow_test'`).Scan(&state); err != nil {
			t.Fatal(err)
		}
		if state != "retryable" && state != "available" {
			t.Fatalf("a job cancelled by the stop is %s", state)
		}
		if err := q.Stop(time.Second, time.Second); err != nil {
			t.Fatalf("second stop: %v", err)
		}
	})
}

// Several processes opening one database at once migrate River's tables
// once, without failing.
func TestConcurrentOpen(t *testing.T) {
	dbs(t, func(t *testing.T, dsn string) {
		job := Job{Kind: "noop_test", Run: func(context.Context) error { return nil }}
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for range 4 {
			wg.Go(func() {
				q, err := Open(context.Background(), Config{DSN: dsn, Jobs: []Job{job}})
				if err != nil {
					errs <- err
					return
				}
				q.Stop(time.Second, time.Second)
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
}

func TestConfigErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := Open(ctx, Config{DSN: "mysql://x"}); err == nil {
		t.Error("mysql accepted")
	}
	if _, err := Open(ctx, Config{DSN: "sqlite::memory:", Jobs: []Job{{Kind: "a"}}}); err == nil {
		t.Error("a job without a function accepted")
	}
	run := func(context.Context) error { return nil }
	if _, err := Open(ctx, Config{DSN: "sqlite::memory:", Jobs: []Job{{Kind: "a", Run: run}, {Kind: "a", Run: run}}}); err == nil {
		t.Error("a kind twice accepted")
	}
	// An in-memory store gets a private in-memory queue.
	q, err := Open(ctx, Config{DSN: "sqlite::memory:", Jobs: []Job{{Kind: "aa", Run: run}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.Enqueue(ctx, "aa"); err != nil {
		t.Fatal(err)
	}
	q.Stop(time.Second, time.Second)
}

func TestBackoff(t *testing.T) {
	b := Backoff{Base: time.Second, Max: 10 * time.Second}
	for n, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second} {
		row := jobRowWithErrors(n)
		got := time.Until(b.NextRetry(row))
		if got < want*85/100 || got > want*115/100 {
			t.Errorf("after %d failures: %s, want about %s", n+1, got, want)
		}
	}
	if got := time.Until(b.NextRetry(jobRowWithErrors(100))); got > 12*time.Second {
		t.Errorf("after 100 failures: %s", got)
	}
}

func jobRowWithErrors(n int) *rivertype.JobRow {
	return &rivertype.JobRow{Errors: make([]rivertype.AttemptError, n)}
}
