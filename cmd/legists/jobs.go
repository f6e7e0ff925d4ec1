package main

// Background work of legists serve on the durable job queue
// (internal/jobs): periodic jobs, each run by one of the instances that
// share the database, once a period.
//
//	kind               every   does
//	ingest_poll        60s     poll the due sources once, cluster new articles (ingest.go)
//	publish_scheduled  15s     publish the briefs whose time has come; expire sessions
//	digest_send        5m      send the digests that are due (LEGISTS_DIGEST_EVERY)
//
// Settings: --workers N (LEGISTS_WORKERS), jobs worked at once by this
// instance; --no-jobs (LEGISTS_NO_JOBS=1), a web-only instance that runs no
// jobs. For tests, LEGISTS_JOB_INTERVAL_SCALE=F multiplies the periods,
// the job timeouts, the rescue delay and the ingest lease by F (periods at
// least one second).

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"legists/internal/digest"
	"legists/internal/jobs"
	"legists/internal/metrics"
	"legists/internal/web"
)

func init() {
	// The digests go out as a job; the newsletter's own loop
	// (runDigestWorker) is not started by legists serve.
	serveJobs = append(serveJobs, serveJob{kind: jobs.KindDigestSend, replaces: "digest",
		every: digestEvery, timeout: 30 * time.Minute, metric: metrics.KindDigestSend, setup: digestJob})
	metrics.Registry.MustRegister(queueCollector{})
}

// envInt reads an integer environment variable (def when unset or not a
// number).
func envInt(key string, def int) int {
	if v, err := strconv.Atoi(envString(key, "")); err == nil {
		return v
	}
	return def
}

// jobScale is LEGISTS_JOB_INTERVAL_SCALE (default 1).
func jobScale() float64 {
	if f, err := strconv.ParseFloat(envString("LEGISTS_JOB_INTERVAL_SCALE", ""), 64); err == nil && f > 0 && f <= 1000 {
		return f
	}
	return 1
}

// scaled is d times jobScale, at least floor.
func scaled(d, floor time.Duration) time.Duration {
	return max(time.Duration(float64(d)*jobScale()), floor)
}

// digestEvery is LEGISTS_DIGEST_EVERY, else 5 minutes (scaled).
func digestEvery() time.Duration {
	return mailEnvDuration("LEGISTS_DIGEST_EVERY", scaled(5*time.Minute, jobs.MinPeriod))
}

// startJobs opens the job queue on dsn with the jobs of this process and
// starts it. It returns the function that stops it (soft, then hard) and
// runs the jobs' cleanups.
func startJobs(ctx context.Context, dsn string, workers int, env *serveEnv, srv *web.Server, ws web.Store) (stop func(), err error) {
	var cleanups []func()
	cleanup := func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	log := env.Logger.With("component", "jobs")
	list := []jobs.Job{{
		Kind: jobs.KindPublishScheduled, Every: scaled(15*time.Second, jobs.MinPeriod), Timeout: scaled(2*time.Minute, 10*time.Second),
		MaxAttempts: 3, Metric: metrics.KindPublishScheduled,
		Run: func(ctx context.Context) error {
			n, err := srv.PublishDue(ctx, time.Now())
			if n > 0 {
				log.Info("published scheduled briefs", "count", n)
			}
			if err != nil {
				return err
			}
			if _, err := ws.DeleteExpiredSessions(ctx, time.Now()); err != nil && ctx.Err() == nil {
				log.Error("expire sessions", "err", err)
			}
			return nil
		},
	}}
	for _, sj := range serveJobs {
		run, done, err := sj.setup(env)
		if err != nil {
			// Still registered, so that every instance knows every kind:
			// each run fails with the reason, in the log and the metrics.
			log.Error("background job cannot run", "kind", sj.kind, "err", err)
			setupErr := err
			run = func(context.Context) error { return setupErr }
		}
		if done != nil {
			cleanups = append(cleanups, done)
		}
		list = append(list, jobs.Job{Kind: sj.kind, Every: sj.every(), Timeout: scaled(sj.timeout, 10*time.Second),
			MaxAttempts: 3, Metric: sj.metric, Run: run})
	}
	openCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	// The client's name is host-pid-random, as the poller's and the
	// digest runner's lease owners are.
	host, _ := os.Hostname()
	if host == "" {
		host = "legists"
	}
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	id := fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(rnd[:]))
	q, err := jobs.Open(openCtx, jobs.Config{
		DSN: dsn, Jobs: list, Workers: workers, Logger: log, Observe: metrics.Job, ID: id,
		RescueAfter: scaled(jobs.DefaultRescueAfter, 5*time.Second),
	})
	if err != nil {
		cleanup()
		return nil, err
	}
	if err := q.Start(openCtx); err != nil {
		q.Stop(time.Second, time.Second)
		cleanup()
		return nil, err
	}
	queueForMetrics.Store(q)
	return func() {
		queueForMetrics.CompareAndSwap(q, nil)
		if err := q.Stop(10*time.Second, 5*time.Second); err != nil {
			log.Error("job queue stop", "err", err)
		}
		cleanup()
	}, nil
}

// digestJob is the digest_send job: the newsletter's digest.Runner, a
// fresh one a run (its own owner in the delivery ledger, which hands each
// digest to exactly one sender).
func digestJob(env *serveEnv) (func(context.Context) error, func(), error) {
	sender, err := serveMailer(env)
	if err != nil {
		return nil, nil, fmt.Errorf("digests: %w", err)
	}
	lease := mailEnvDuration("LEGISTS_DIGEST_LEASE", 10*time.Minute)
	run := func(ctx context.Context) error {
		r := &digest.Runner{Store: env.Store, Sender: sender, BaseURL: env.BaseURL, From: envString("LEGISTS_MAIL_FROM", ""),
			Lease: lease, Logger: env.Logger.With("job", jobs.KindDigestSend)}
		_, err := r.Run(ctx)
		return err
	}
	return run, func() { sender.Close() }, nil
}

// queueForMetrics is the running queue whose jobs /metrics counts.
var queueForMetrics atomic.Pointer[jobs.Queue]

// queueCollector exports the job table's counts at each scrape:
// legists_job_queue_jobs{kind,state}.
type queueCollector struct{}

var queueJobsDesc = prometheus.NewDesc("legists_job_queue_jobs",
	"Jobs in the durable job queue (shared by all instances on the database), by kind and state: available, scheduled, running, retryable, completed, discarded, cancelled.",
	[]string{"kind", "state"}, nil)

func (queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- queueJobsDesc }

func (queueCollector) Collect(ch chan<- prometheus.Metric) {
	q := queueForMetrics.Load()
	if q == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, err := q.Counts(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(queueJobsDesc, err)
		return
	}
	for _, c := range counts {
		ch <- prometheus.MustNewConstMetric(queueJobsDesc, prometheus.GaugeValue, float64(c.N), c.Kind, c.State)
	}
}
