package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"legists/internal/ingest"
	"legists/internal/jobs"
	"legists/internal/metrics"
	"legists/internal/source"
	"legists/internal/store"
)

func init() {
	register(command{name: "ingest", summary: "poll due sources (--once for cron) and store their articles", run: runIngest})
	// legists serve polls sources in the background, as a periodic job
	// (jobs.go).
	serveJobs = append(serveJobs, serveJob{kind: jobs.KindIngestPoll,
		every:   func() time.Duration { return scaled(60*time.Second, jobs.MinPeriod) },
		timeout: 15 * time.Minute, metric: metrics.KindIngestPoll, setup: ingestPollJob})
}

// ingestJSON is the contract's Ingest shape, extended: errors is
// feed_errors + page_errors.
type ingestJSON struct {
	Sources     int `json:"sources"`
	Fetched     int `json:"fetched"`
	NotModified int `json:"not_modified"`
	New         int `json:"new"`
	Duplicates  int `json:"duplicates"`
	Errors      int `json:"errors"`
	FeedErrors  int `json:"feed_errors"`
	PageErrors  int `json:"page_errors"`
	NoLink      int `json:"no_link"`
	Updated     int `json:"updated"`
	Items       int `json:"items"`
	Skipped     int `json:"skipped"`
}

// fetchPagesFlag is --fetch-pages (env LEGISTS_FETCH_PAGES), for ingest
// and serve.
func fetchPagesFlag(fs interface {
	String(string, string, string) *string
}) *string {
	return fs.String("fetch-pages", envString("LEGISTS_FETCH_PAGES", "auto"),
		"fetch the page each feed item links to: auto (unless the feed carries the item's full text, 150 words or more), always, or never (keep the feed's text); a source's own setting wins (sources add --fetch-pages) (env LEGISTS_FETCH_PAGES)")
}

func runIngest(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("ingest", "ingest --once [--json] [--db DSN] [--allow-private] [--all] [--workers N] [--fetch-pages auto|always|never]", stderr)
	dsn := dbFlag(fs)
	allow := srcAllowPrivateFlag(fs)
	once := fs.Bool("once", false, "poll every due source once and exit (for cron); without it, poll until interrupted")
	asJSON := fs.Bool("json", false, `print the counts as JSON: {"sources", "fetched", "not_modified", "new", "duplicates", "errors", "feed_errors", "page_errors", "no_link", ...}; errors = feed_errors + page_errors`)
	fetchPages := fetchPagesFlag(fs)
	all := fs.Bool("all", false, "with --once, poll every source, due or not")
	workers := fs.Int("workers", 4, "sources polled at once")
	lease := fs.Duration("lease", 30*time.Second, "how long a claim on a source lasts without renewal (a killed run's claims lapse after it)")
	timeout := fs.Duration("timeout", ingest.DefaultTimeout, "timeout of one HTTP request, body included")
	maxBody := fs.Int64("max-body", ingest.DefaultMaxBodyBytes, "largest response body in bytes")
	perHost := fs.Int("per-host", ingest.DefaultPerHost, "requests in flight to one host")
	quiet := fs.Bool("quiet", false, "log warnings and errors only")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "legists ingest: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	fp, err := source.ParseFetchPages(*fetchPages)
	if err != nil || fp == source.FetchPagesDefault {
		fmt.Fprintf(stderr, "legists ingest: --fetch-pages %q: want auto, always or never\n", *fetchPages)
		return exitUsage
	}
	level := slog.LevelInfo
	if *quiet {
		level = slog.LevelWarn
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	ctx, cancel := sourcesContext()
	defer cancel()
	openCtx, openCancel := context.WithTimeout(ctx, 2*time.Minute)
	st, err := store.Open(openCtx, *dsn)
	openCancel()
	if err != nil {
		fmt.Fprintf(stderr, "legists ingest: %v\n", err)
		return exitFindings
	}
	defer st.Close()
	p := ingest.New(st, ingest.Config{
		Fetch:   ingest.FetchConfig{AllowPrivate: *allow, Timeout: *timeout, MaxBodyBytes: *maxBody, PerHost: *perHost},
		Workers: *workers, Lease: *lease, All: *all, Logger: logger, FetchPages: fp,
	})
	defer p.Close()
	start := time.Now()
	c, err := p.Run(ctx, *once)
	if err != nil && ctx.Err() == nil {
		fmt.Fprintf(stderr, "legists ingest: %v\n", err)
		return exitFindings
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.Encode(ingestJSON{Sources: c.Sources, Fetched: c.Fetched, NotModified: c.NotModified, New: c.New,
			Duplicates: c.Duplicates, Errors: c.Errors, FeedErrors: c.FeedErrors, PageErrors: c.PageErrors,
			NoLink: c.NoLink, Updated: c.Updated, Items: c.Items, Skipped: c.Skipped})
	} else {
		fmt.Fprintln(stdout, ingestSummary(c, time.Since(start)))
	}
	if ctx.Err() != nil && *once {
		return exitFindings // interrupted
	}
	if *once && c.FeedErrors > 0 {
		return exitFindings // a feed failed (page errors alone are reported, not fatal)
	}
	return exitOK
}

func ingestSummary(c source.IngestCounts, took time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "polled %d source(s) in %s: %d with content, %d not modified; ", c.Sources, took.Round(time.Millisecond), c.Fetched, c.NotModified)
	fmt.Fprintf(&b, "%d new article(s), %d updated, %d duplicate(s) of stored articles", c.New, c.Updated, c.Duplicates)
	if c.NoLink > 0 {
		fmt.Fprintf(&b, " (%d item(s) without a link, kept with the feed's text)", c.NoLink)
	}
	fmt.Fprintf(&b, "; %d feed error(s), %d page error(s)", c.FeedErrors, c.PageErrors)
	if c.Skipped > 0 {
		fmt.Fprintf(&b, "; %d source(s) left to another running worker", c.Skipped)
	}
	if c.Errors > 0 {
		b.WriteString(" (see 'legists sources list')")
	}
	return b.String()
}

// ingestPollJob is the ingest_poll job: one round over the due sources,
// as `legists ingest --once` does, by a fresh poller (its own lease owner,
// and the stories as stored now). LEGISTS_ALLOW_PRIVATE=1 lets it reach
// local addresses.
func ingestPollJob(env *serveEnv) (func(context.Context) error, func(), error) {
	lease := time.Duration(0) // the poller's default
	if jobScale() != 1 {
		lease = scaled(30*time.Second, time.Second)
	}
	run := func(ctx context.Context) error {
		p := ingest.New(env.Store, ingest.Config{
			Fetch:      ingest.FetchConfig{AllowPrivate: envBool("LEGISTS_ALLOW_PRIVATE")},
			FetchPages: env.FetchPages,
			Lease:      lease,
			Logger:     env.Logger.With("job", jobs.KindIngestPoll),
			Observer:   ingestObserver{},
		})
		defer p.Close()
		c, err := p.Run(ctx, true)
		if (c.New > 0 || c.Updated > 0) && env.InvalidateArchive != nil {
			env.InvalidateArchive() // the API's article and story lists
		}
		return err
	}
	return run, nil, nil
}

// ingestObserver is metrics.Ingest without the ingest-poll job, which the
// queue reports.
type ingestObserver struct{ metrics.Ingest }

func (o ingestObserver) Job(kind string) func(error) {
	if kind == ingest.JobPoll {
		return func(error) {}
	}
	return o.Ingest.Job(kind)
}
