// Package jobs is Legists' durable job queue: River
// (github.com/riverqueue/river) on the application's own database,
// PostgreSQL (riverpgxv5) or SQLite (riversqlite).
//
// A Queue runs Jobs: named functions, most of them periodic. What River
// gives them:
//
//   - durability: a job is a row in river_job; a job whose process dies
//     while working it is put back in the queue by River's rescuer (on
//     the elected leader) once it has run longer than its Timeout and
//     RescueAfter;
//   - retries with exponential backoff (Backoff), up to MaxAttempts;
//   - periodic schedules: only the elected leader of all the processes
//     on one database enqueues periodic jobs, and every periodic job is
//     unique by period (River's UniqueOpts.ByPeriod), so that a leader
//     change inside a period never enqueues a second job for it;
//   - any number of processes on one database share the work: each job
//     is locked by the one process that works it.
//
// Exactly-once outcomes (an article stored once, a digest sent once) are
// the job functions' business: they claim their work items with leases in
// the application's tables (sources, the delivery ledger, schedules), so
// that a job run twice — retried, rescued, or overlapping the next period's
// — never does the same thing twice.
//
// River's tables (river_job, river_leader, river_queue, river_migration,
// ...) live beside the application's: in the DSN's schema for PostgreSQL,
// in the same file for SQLite. Open migrates them (rivermigrate), under a
// PostgreSQL advisory lock so that several processes can start at once.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Job kinds run by legists serve.
const (
	// KindIngestPoll polls the due sources once and clusters the new
	// articles into stories (periodic).
	KindIngestPoll = "ingest_poll"
	// KindPublishScheduled publishes the briefs whose scheduled time has
	// come (periodic).
	KindPublishScheduled = "publish_scheduled"
	// KindDigestSend sends the e-mail digests that are due (periodic).
	KindDigestSend = "digest_send"
)

// Defaults.
const (
	DefaultWorkers     = 8
	DefaultMaxAttempts = 5
	DefaultTimeout     = 5 * time.Minute
	// DefaultRescueAfter is how long a job may stay "running" before the
	// rescuer considers its process dead, unless its own Timeout is longer
	// (then that wins).
	DefaultRescueAfter = 10 * time.Minute
	// MinPeriod is the shortest interval of a periodic job (River's
	// smallest uniqueness period).
	MinPeriod = time.Second
)

// Job is a kind of job and the function that does it.
type Job struct {
	// Kind names the job (lower case, e.g. "ingest_poll").
	Kind string
	// Every, when positive, makes the job periodic: the leader enqueues
	// one every Every (at least MinPeriod), and one at start.
	Every time.Duration
	// Unique is the period within which only one job of the kind is
	// enqueued, periodic or by Enqueue (default Every; 0 for a job that
	// is not periodic: no uniqueness).
	Unique time.Duration
	// Timeout cancels a run that takes longer (default DefaultTimeout).
	// A job stuck in "running" is rescued after max(Timeout, RescueAfter).
	Timeout time.Duration
	// MaxAttempts is how many times a failing job is tried before River
	// discards it (default DefaultMaxAttempts).
	MaxAttempts int
	// Metric, when set, is the kind reported to Config.Observe.
	Metric string
	// Run does the job. An error fails this attempt (retried with
	// backoff); ctx ends at the Timeout or at a hard stop.
	Run func(ctx context.Context) error
}

// Config configures a Queue.
type Config struct {
	// DSN is the application's database: sqlite:PATH or postgres://...
	// (the same DSN store.Open takes).
	DSN string
	// Jobs are the kinds this process works (and, if periodic, schedules
	// when it is the leader).
	Jobs []Job
	// Workers is the number of jobs this process works at once (River's
	// MaxWorkers; default DefaultWorkers).
	Workers int
	// RescueAfter: see DefaultRescueAfter.
	RescueAfter time.Duration
	// Retry is the backoff of failed jobs (default Backoff{}).
	Retry river.ClientRetryPolicy
	// ID names this process among River's clients (default River's:
	// host and start time).
	ID string
	// Observe, when set, is called as a job with a Metric starts; the
	// function it returns gets the outcome (metrics.Job fits).
	Observe func(kind string) func(error)
	// Logger gets the queue's messages; River's own are passed at warning
	// level and above.
	Logger *slog.Logger
	// NoLeader keeps this process out of leader elections: it works jobs
	// but neither schedules periodic jobs nor rescues stuck ones (those
	// are the leader's). For worker-only processes and tests.
	NoLeader bool
	// FetchPollInterval is how often a process without notifications
	// (SQLite) looks for new jobs (default River's, 1s).
	FetchPollInterval time.Duration
}

// Backoff is the default retry policy: Base·2^(n-1) after the n-th
// failure, at most Max, ±10% jitter.
type Backoff struct {
	Base time.Duration // default 5s
	Max  time.Duration // default 10 minutes
}

// NextRetry implements river.ClientRetryPolicy.
func (b Backoff) NextRetry(job *rivertype.JobRow) time.Time {
	base, maxWait := b.Base, b.Max
	if base <= 0 {
		base = 5 * time.Second
	}
	if maxWait <= 0 {
		maxWait = 10 * time.Minute
	}
	n := max(len(job.Errors)+1, 1)
	wait := maxWait
	if n < 40 {
		if w := base << (n - 1); w > 0 && w < maxWait {
			wait = w
		}
	}
	jitter := time.Duration((rand.Float64()*0.2 - 0.1) * float64(wait))
	return time.Now().UTC().Add(wait + jitter)
}

// jobArgs are the arguments of every Legists job: only its kind (River
// keys workers by kind; Kind must work on the decoded value).
type jobArgs struct {
	JobKind string `json:"kind"`
}

func (a jobArgs) Kind() string { return a.JobKind }

// client is what the Queue uses of a river.Client, whatever its driver.
type client interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func())
	ID() string
}

// backend is the database side of a Queue.
type backend interface {
	// counts returns the number of jobs by kind and state.
	counts(ctx context.Context) ([]Count, error)
	close()
	dialect() string
}

// Queue is a River client for Legists' jobs.
type Queue struct {
	cfg    Config
	jobs   map[string]*Job
	client client
	db     backend
	log    *slog.Logger

	mu      sync.Mutex
	started bool
	stopped bool
}

// Open connects to cfg.DSN, migrates River's schema and makes the River
// client. Start starts working.
func Open(ctx context.Context, cfg Config) (*Queue, error) {
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.RescueAfter <= 0 {
		cfg.RescueAfter = DefaultRescueAfter
	}
	if cfg.Retry == nil {
		cfg.Retry = Backoff{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	q := &Queue{cfg: cfg, jobs: map[string]*Job{}, log: cfg.Logger}
	for i := range cfg.Jobs {
		j := cfg.Jobs[i]
		if j.Kind == "" || j.Run == nil {
			return nil, fmt.Errorf("jobs: job %d has no kind or no function", i)
		}
		if _, dup := q.jobs[j.Kind]; dup {
			return nil, fmt.Errorf("jobs: job kind %q given twice", j.Kind)
		}
		if j.Every > 0 {
			j.Every = max(j.Every, MinPeriod)
			if j.Unique == 0 {
				j.Unique = j.Every
			}
		}
		if j.Unique > 0 {
			j.Unique = max(j.Unique, MinPeriod)
		}
		if j.Timeout <= 0 {
			j.Timeout = DefaultTimeout
		}
		if j.MaxAttempts <= 0 {
			j.MaxAttempts = DefaultMaxAttempts
		}
		q.jobs[j.Kind] = &j
	}

	scheme, rest, _ := strings.Cut(cfg.DSN, ":")
	var err error
	switch strings.ToLower(scheme) {
	case "postgres", "postgresql":
		err = q.openPostgres(ctx, cfg.DSN)
	case "sqlite", "sqlite3":
		err = q.openSQLite(ctx, rest)
	default:
		err = fmt.Errorf("jobs: unsupported DSN scheme %q (want sqlite:PATH or postgres://...)", scheme)
	}
	if err != nil {
		return nil, err
	}
	return q, nil
}

// riverConfig is the River configuration of q, for either driver.
func (q *Queue) riverConfig(schema string) (*river.Config, error) {
	workers := river.NewWorkers()
	w := &worker{q: q}
	var periodic []*river.PeriodicJob
	kinds := make([]string, 0, len(q.jobs))
	for k := range q.jobs {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		j := q.jobs[k]
		river.AddWorkerArgs(workers, jobArgs{JobKind: k}, river.Worker[jobArgs](w))
		if j.Every > 0 && !q.cfg.NoLeader {
			periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(j.Every),
				func() (river.JobArgs, *river.InsertOpts) { return jobArgs{JobKind: k}, q.insertOpts(j) },
				&river.PeriodicJobOpts{ID: k, RunOnStart: true}))
		}
	}
	return &river.Config{
		ID:     q.cfg.ID,
		Logger: q.riverLogger(),
		Queues: map[string]river.QueueConfig{
			river.QueueDefault: {MaxWorkers: q.cfg.Workers},
		},
		Workers:                workers,
		PeriodicJobs:           periodic,
		LeaderElectionDisabled: q.cfg.NoLeader,
		// Every kind has its own Timeout (worker.Timeout), which River's
		// rescuer also respects: a job is rescued once it has been
		// running longer than both its Timeout and RescueAfter. The
		// client-wide JobTimeout only has to be no longer than
		// RescueStuckJobsAfter.
		JobTimeout:           q.cfg.RescueAfter,
		RescueStuckJobsAfter: q.cfg.RescueAfter,
		RetryPolicy:          q.cfg.Retry,
		Schema:               schema,
		FetchPollInterval:    q.cfg.FetchPollInterval,
	}, nil
}

// insertOpts are the options of every job of kind j.
func (q *Queue) insertOpts(j *Job) *river.InsertOpts {
	o := &river.InsertOpts{MaxAttempts: j.MaxAttempts}
	if j.Unique > 0 {
		o.UniqueOpts = river.UniqueOpts{ByPeriod: j.Unique}
	}
	return o
}

// Start starts working jobs (and, on the leader, scheduling the periodic
// ones). The jobs run until Stop, not until ctx ends: ctx only bounds the
// start.
func (q *Queue) Start(ctx context.Context) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.started {
		return errors.New("jobs: queue already started")
	}
	// River stops softly when the context of Start ends; the queue is
	// stopped by Stop instead.
	if err := q.client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	q.started = true
	q.log.Info("job queue started", "db", q.db.dialect(), "workers", q.cfg.Workers, "client", q.client.ID())
	return nil
}

// Stop stops the queue: no new jobs are fetched; running jobs get soft to
// finish, then their contexts are cancelled and they get hard more to
// return (a cancelled job is retried by whichever process works it next).
// Stop then closes the queue's database connections.
func (q *Queue) Stop(soft, hard time.Duration) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.stopped {
		return nil
	}
	q.stopped = true
	var err error
	if q.started {
		sctx, cancel := context.WithTimeout(context.Background(), soft)
		err = q.client.Stop(sctx)
		cancel()
		if err != nil {
			q.log.Warn("jobs still running at the end of the soft stop; cancelling them", "err", err)
			hctx, cancel := context.WithTimeout(context.Background(), hard)
			err = q.client.StopAndCancel(hctx)
			cancel()
		}
	}
	q.db.close()
	if err != nil {
		return fmt.Errorf("jobs: stop: %w", err)
	}
	return nil
}

// Enqueue adds a job of a configured kind now. It reports false when a job
// of the kind is already enqueued within its unique period.
func (q *Queue) Enqueue(ctx context.Context, kind string) (bool, error) {
	j, ok := q.jobs[kind]
	if !ok {
		return false, fmt.Errorf("jobs: unknown job kind %q", kind)
	}
	res, err := q.client.Insert(ctx, jobArgs{JobKind: kind}, q.insertOpts(j))
	if err != nil {
		return false, fmt.Errorf("jobs: enqueue %s: %w", kind, err)
	}
	return !res.UniqueSkippedAsDuplicate, nil
}

// Subscribe returns River's events of the given kinds (for tests and
// diagnostics) and the function that ends the subscription.
func (q *Queue) Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func()) {
	return q.client.Subscribe(kinds...)
}

// ClientID is this process's name among River's clients.
func (q *Queue) ClientID() string { return q.client.ID() }

// Count is the number of jobs of a kind in a state.
type Count struct {
	Kind  string
	State string
	N     int64
}

// Counts returns the number of jobs by kind and state (available,
// scheduled, running, retryable, completed, discarded, cancelled), for
// gauges.
func (q *Queue) Counts(ctx context.Context) ([]Count, error) {
	c, err := q.db.counts(ctx)
	if err != nil {
		return nil, fmt.Errorf("jobs: counts: %w", err)
	}
	return c, nil
}

// worker works every Legists job: it looks the kind up.
type worker struct {
	river.WorkerDefaults[jobArgs]
	q *Queue
}

func (w *worker) Timeout(job *river.Job[jobArgs]) time.Duration {
	if job != nil && job.JobRow != nil {
		if j, ok := w.q.jobs[job.Kind]; ok {
			return j.Timeout
		}
	}
	return 0
}

func (w *worker) Work(ctx context.Context, job *river.Job[jobArgs]) (err error) {
	j, ok := w.q.jobs[job.Kind]
	if !ok {
		return river.JobCancel(fmt.Errorf("no worker for job kind %q", job.Kind))
	}
	done := func(error) {}
	if w.q.cfg.Observe != nil && j.Metric != "" {
		done = w.q.cfg.Observe(j.Metric)
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("job %s panicked: %v", job.Kind, p)
		}
		done(err)
		if err != nil && ctx.Err() == nil {
			w.q.log.Warn("job failed", "kind", job.Kind, "id", job.ID, "attempt", job.Attempt, "max_attempts", job.MaxAttempts, "err", err)
		}
	}()
	return j.Run(ctx)
}

// riverLogger is the logger for River's own messages: warnings and errors.
func (q *Queue) riverLogger() *slog.Logger {
	return slog.New(minLevel{q.log.Handler(), slog.LevelWarn}).With("component", "river")
}

// minLevel drops records below a level (River's info messages).
type minLevel struct {
	slog.Handler
	level slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.level && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(attrs []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(attrs), h.level}
}

func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h.Handler.WithGroup(name), h.level}
}
