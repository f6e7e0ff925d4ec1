// Package metrics is Legists' Prometheus instrumentation: one registry for
// the process, served by Handler at GET /metrics.
//
// Domain packages do not import it. They take a small observer (an
// interface or a callback) that legists serve wires to this package:
//
//   - internal/web: web.Options.Observer = metrics.HTTP{} (request duration
//     by route pattern, requests in flight);
//   - internal/ingest: ingest.Observer, satisfied by metrics.Ingest{}
//     (sources polled, fetches, articles, and the ingest-poll and cluster
//     jobs);
//   - background jobs: done := metrics.Job(metrics.KindDigestSend); ...;
//     done(err);
//   - mail: MailSent, MailRetried, MailBounced and MailFailed, to be called
//     by the mail sender once per message outcome.
//
// Every label value is bounded: routes are ServeMux patterns (never raw
// paths), methods are folded to a fixed set, results and kinds are fixed
// words.
//
// Metrics:
//
//	legists_http_request_duration_seconds{route,method,status}  histogram; status is a class: 1xx..5xx
//	legists_http_requests_in_flight                              gauge
//	legists_jobs_total{kind,state}                               counter; state: succeeded|failed
//	legists_job_duration_seconds{kind}                           histogram
//	legists_ingest_sources_polled_total                          counter
//	legists_ingest_fetches_total{result}                         counter; fetched|not_modified|error
//	legists_ingest_articles_total{result}                        counter; new|duplicate|updated
//	legists_mail_messages_total{result}                          counter; sent|retried|bounced|failed
//
// plus the Go runtime (go_*) and process (process_*) collectors.
package metrics

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Job kinds.
const (
	KindIngestPoll       = "ingest-poll"       // one round of the ingest poller over the due sources
	KindCluster          = "cluster"           // assigning one stored article to a story
	KindPublishScheduled = "publish-scheduled" // one pass of the scheduled-publishing worker
	KindDigestSend       = "digest-send"       // one run of building and sending the due digests
)

// Kinds lists the job kinds; their series exist from the start (at 0).
var Kinds = []string{KindIngestPoll, KindCluster, KindPublishScheduled, KindDigestSend}

// Registry holds every Legists metric, the Go runtime and the process
// collectors. Handler serves it.
var Registry = prometheus.NewRegistry()

var (
	httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "legists_http_request_duration_seconds",
		Help:    "Time to answer an HTTP request, by ServeMux route pattern (\"unmatched\" when none matched), method and status class.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"route", "method", "status"})
	httpInFlight = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "legists_http_requests_in_flight",
		Help: "HTTP requests being answered.",
	})
	jobsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "legists_jobs_total",
		Help: "Background jobs run, by kind and outcome (succeeded or failed).",
	}, []string{"kind", "state"})
	jobDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "legists_job_duration_seconds",
		Help:    "Time a background job took, by kind.",
		Buckets: []float64{.001, .005, .01, .05, .1, .5, 1, 5, 10, 30, 60, 300, 900},
	}, []string{"kind"})
	ingestSourcesPolled = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "legists_ingest_sources_polled_total",
		Help: "Sources the ingest poller polled.",
	})
	ingestFetches = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "legists_ingest_fetches_total",
		Help: "Outcome of polling a source: fetched (answered with content), not_modified (304) or error (the fetch or the feed failed).",
	}, []string{"result"})
	ingestArticles = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "legists_ingest_articles_total",
		Help: "Articles the ingest poller stored: new, duplicate (a copy of a stored article) or updated.",
	}, []string{"result"})
	mailMessages = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "legists_mail_messages_total",
		Help: "Outgoing mail by outcome: sent, retried (a temporary failure, tried again), bounced, failed (given up).",
	}, []string{"result"})
)

var (
	fetchResults   = []string{"fetched", "not_modified", "error", "interrupted"}
	articleResults = []string{"new", "duplicate", "updated"}
	mailResults    = []string{"sent", "retried", "bounced", "failed"}
)

func init() {
	Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		httpDuration, httpInFlight, jobsTotal, jobDuration,
		ingestSourcesPolled, ingestFetches, ingestArticles, mailMessages,
	)
	// Create the fixed series at zero, so that rates and alerts work
	// before the first event.
	for _, k := range Kinds {
		jobsTotal.WithLabelValues(k, "succeeded")
		jobsTotal.WithLabelValues(k, "failed")
		jobDuration.WithLabelValues(k)
	}
	for _, r := range fetchResults {
		ingestFetches.WithLabelValues(r)
	}
	for _, r := range articleResults {
		ingestArticles.WithLabelValues(r)
	}
	for _, r := range mailResults {
		mailMessages.WithLabelValues(r)
	}
}

// Handler serves the registry in the Prometheus text format (or
// OpenMetrics when asked), counting its own scrapes.
func Handler() http.Handler { return handler() }

var handler = sync.OnceValue(func() http.Handler {
	return promhttp.InstrumentMetricHandler(Registry,
		promhttp.HandlerFor(Registry, promhttp.HandlerOpts{Registry: Registry}))
})

// Job starts timing one run of a background job of the given kind (one
// of the Kind constants) and returns the function to call when it ends:
//
//	done := metrics.Job(metrics.KindDigestSend)
//	err := sendDigests(ctx)
//	done(err)
//
// A nil error counts as succeeded, any other as failed; an error that is
// context.Canceled (the process is shutting down) is not counted at all.
// The returned function is meant to be called once.
func Job(kind string) func(err error) {
	start := time.Now()
	return func(err error) {
		if err != nil && errors.Is(err, context.Canceled) {
			return
		}
		state := "succeeded"
		if err != nil {
			state = "failed"
		}
		jobsTotal.WithLabelValues(kind, state).Inc()
		jobDuration.WithLabelValues(kind).Observe(time.Since(start).Seconds())
	}
}

// HTTP records request metrics. It implements web.Observer:
// web.Options{Observer: metrics.HTTP{}}.
type HTTP struct{}

// RequestStarted counts a request in flight.
func (HTTP) RequestStarted() { httpInFlight.Inc() }

// RequestDone ends a request RequestStarted counted: route must be a
// ServeMux pattern such as "GET /briefs/{slug}" (or "unmatched"), never a
// raw path.
func (HTTP) RequestDone(route, method string, status int, d time.Duration) {
	httpInFlight.Dec()
	httpDuration.WithLabelValues(route, Method(method), StatusClass(status)).Observe(d.Seconds())
}

// Method folds an HTTP method to a bounded set: the standard methods, and
// "OTHER" for anything else a client may send.
func Method(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}

// StatusClass is "1xx" … "5xx" for a status code; 0 (nothing written)
// counts as 200, anything out of range as "other".
func StatusClass(code int) string {
	if code == 0 {
		code = http.StatusOK
	}
	if code < 100 || code > 599 {
		return "other"
	}
	return strconv.Itoa(code/100) + "xx"
}

// Ingest records the ingest poller's events. It implements
// ingest.Observer: ingest.Config{Observer: metrics.Ingest{}}.
type Ingest struct{}

// Job times a poller job (KindIngestPoll, KindCluster).
func (Ingest) Job(kind string) func(error) { return Job(kind) }

// SourcePolled counts one polled source and its outcome: "fetched",
// "not_modified", "error" or "interrupted".
func (Ingest) SourcePolled(result string) {
	ingestSourcesPolled.Inc()
	if slices.Contains(fetchResults, result) {
		ingestFetches.WithLabelValues(result).Inc()
	}
}

// ArticleSaved counts one stored article: "new", "duplicate" or
// "updated".
func (Ingest) ArticleSaved(result string) {
	if slices.Contains(articleResults, result) {
		ingestArticles.WithLabelValues(result).Inc()
	}
}

// Mail counters, for the mail sender (internal/mail) to call once per
// message and outcome. A message that fails temporarily and is then sent
// counts once as retried (per retry) and once as sent.

// MailSent counts a message the server accepted.
func MailSent() { mailMessages.WithLabelValues("sent").Inc() }

// MailRetried counts a temporary failure (4xx reply, connection lost) after
// which the message is tried again.
func MailRetried() { mailMessages.WithLabelValues("retried").Inc() }

// MailBounced counts a message rejected permanently for its recipient
// (5xx reply to RCPT, or a bounce notice received later).
func MailBounced() { mailMessages.WithLabelValues("bounced").Inc() }

// MailFailed counts a message given up on for any other reason (retries
// exhausted, the server unreachable, a malformed message).
func MailFailed() { mailMessages.WithLabelValues("failed").Inc() }
