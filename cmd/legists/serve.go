package main

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"legists/internal/brief"
	"legists/internal/clientaddr"
	"legists/internal/demo"
	"legists/internal/fidelity"
	"legists/internal/jobs"
	"legists/internal/metrics"
	"legists/internal/source"
	"legists/internal/store"
	"legists/internal/tag"
	"legists/internal/web"
)

func init() {
	register(command{name: "serve", summary: "run the website, editor's desk, API and background workers", run: runServe})
}

// serveEnv is what hooks registered by other files get: the open store and
// the process's settings.
type serveEnv struct {
	// FetchPages is the poller's page policy (--fetch-pages).
	FetchPages source.FetchPages
	Store      store.Store
	Logger     *slog.Logger
	BaseURL    string
	SMTP       string
	// ClientIP is the client address of a request, honouring
	// --trust-proxy: the site, the desk's throttle, the audit log and the
	// newsletter all use it.
	ClientIP func(*http.Request) string
	// Invalidate drops the site's page cache after a write from a worker;
	// InvalidateArchive only the API's cached article and story lists.
	Invalidate        func()
	InvalidateArchive func()
	// Frame puts a page rendered elsewhere (the newsletter's) in the
	// site's layout; nil without a site (pages are then standalone).
	Frame func(w http.ResponseWriter, r *http.Request, status int, title string, main template.HTML)
	// Cached serves a handler's anonymous GETs from the site's page cache
	// (web.Server.Cached); the identity without a site.
	Cached func(http.Handler) http.Handler
}

// Hooks for other issues' files, so that adding a worker, routes or the
// metrics endpoint touches no line of this file:
//
//	func init() { serveWorkers = append(serveWorkers, serveWorker{"digest", runDigests}) }
//	func init() { serveJobs = append(serveJobs, serveJob{kind: "digest_send", every: ..., setup: ...}) }
//	func init() { serveRoutes = append(serveRoutes, func(mux *http.ServeMux, env *serveEnv) { ... }) }
//	func init() { serveMetrics = func(env *serveEnv) http.Handler { return promhttp.Handler() } }
var (
	// serveWorkers run in the background until shutdown; an error is logged.
	serveWorkers []serveWorker
	// serveJobs run on the durable job queue (jobs.go): periodic jobs,
	// each period's run by one of the instances on the database.
	serveJobs []serveJob
	// serveRoutes add handlers (newsletter, events, ...) to the site's mux.
	serveRoutes []func(mux *http.ServeMux, env *serveEnv)
	// serveMetrics, when set, serves /metrics.
	serveMetrics func(env *serveEnv) http.Handler
)

type serveWorker struct {
	name string
	run  func(ctx context.Context, env *serveEnv) error
}

// serveJob is a periodic job of the durable job queue (internal/jobs).
type serveJob struct {
	kind string // jobs.Kind*
	// replaces names a serveWorker that does the same work in a loop of
	// its own: legists serve does not start it.
	replaces string
	// every is the period; timeout bounds one run (both scaled by
	// LEGISTS_JOB_INTERVAL_SCALE).
	every   func() time.Duration
	timeout time.Duration
	// metric is the metrics.Kind* the runs are counted as.
	metric string
	// setup makes the job's function for this process; done, when not
	// nil, is called after the queue has stopped.
	setup func(env *serveEnv) (run func(ctx context.Context) error, done func(), err error)
}

func runServe(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, args, stdout, stderr)
}

// serve runs the server until ctx ends (SIGINT or SIGTERM in production).
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("serve", "serve [--addr HOST:PORT] [--db DSN] [--demo] [--smtp URL] [--base-url URL] [--workers N] [--no-jobs] [--trust-proxy] [--metrics-token TOKEN] [--metrics-addr HOST:PORT] [--fetch-pages auto|always|never]", stderr)
	addr := fs.String("addr", envString("LEGISTS_ADDR", "127.0.0.1:8080"), "address to listen on (env LEGISTS_ADDR)")
	dsn := dbFlag(fs)
	demoFlag := fs.Bool("demo", envBool("LEGISTS_DEMO"), "load demo content into an empty database (env LEGISTS_DEMO=1)")
	smtpURL := fs.String("smtp", envString("LEGISTS_SMTP", ""), "SMTP server for mail: smtp://[user:pass@]host:port; none: mail goes to ./outbox (env LEGISTS_SMTP)")
	baseURL := fs.String("base-url", envString("LEGISTS_BASE_URL", ""), "public address of the site for links in feeds and mail, e.g. https://legists.example (env LEGISTS_BASE_URL; default http://ADDR)")
	logFormat := fs.String("log-format", envString("LEGISTS_LOG_FORMAT", ""), "log format: text or json (env LEGISTS_LOG_FORMAT; default text on a terminal, json otherwise)")
	logLevel := fs.String("log-level", envString("LEGISTS_LOG_LEVEL", "info"), "log level: debug, info, warn or error (env LEGISTS_LOG_LEVEL)")
	workers := fs.Int("workers", envInt("LEGISTS_WORKERS", jobs.DefaultWorkers), "background jobs (polling, publishing, digests) this instance runs at once (env LEGISTS_WORKERS)")
	noJobs := fs.Bool("no-jobs", envBool("LEGISTS_NO_JOBS"), "run no background jobs: a web-only instance beside others that run them (env LEGISTS_NO_JOBS=1)")
	trustProxy := fs.Bool("trust-proxy", envBool("LEGISTS_TRUST_PROXY"), "the site is behind one reverse proxy: take the client's address from the last X-Forwarded-For entry (login throttle, audit log, newsletter limits) (env LEGISTS_TRUST_PROXY=1)")
	metricsToken := tokenFlag(fs, "metrics-token", envString("LEGISTS_METRICS_TOKEN", ""), "require Authorization: Bearer TOKEN on /metrics (env LEGISTS_METRICS_TOKEN)")
	metricsAddr := fs.String("metrics-addr", envString("LEGISTS_METRICS_ADDR", ""), "serve /metrics on this address only (e.g. 127.0.0.1:9090), not on the site's (env LEGISTS_METRICS_ADDR)")
	fetchPages := fetchPagesFlag(fs)
	if code, done := parseFlags(fs, args); done {
		return code
	}
	fp, err := source.ParseFetchPages(*fetchPages)
	if err != nil || fp == source.FetchPagesDefault {
		fmt.Fprintf(stderr, "legists serve: --fetch-pages %q: want auto, always or never\n", *fetchPages)
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "legists serve: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if *workers < 1 {
		fmt.Fprintf(stderr, "legists serve: --workers %d: want at least 1\n", *workers)
		return exitUsage
	}
	logger, err := newServeLogger(stderr, *logFormat, *logLevel)
	if err != nil {
		fmt.Fprintf(stderr, "legists serve: %v\n", err)
		return exitUsage
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()

	openCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	st, err := store.Open(openCtx, *dsn)
	cancel()
	if err != nil {
		logger.Error("cannot open the database", "err", err)
		return 1
	}
	defer st.Close()
	ws, ok := st.(web.Store)
	if !ok {
		logger.Error("the store lacks the editor's desk tables")
		return 1
	}

	if *demoFlag {
		start := time.Now()
		err := demo.Load(ctx, st)
		switch {
		case errors.Is(err, demo.ErrNotEmpty):
			logger.Info("demo content not loaded: the database already has briefs")
		case err != nil:
			logger.Error("cannot load demo content", "err", err)
			return 1
		default:
			logger.Info("demo content loaded", "duration", time.Since(start).Round(time.Millisecond))
		}
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		logger.Error("cannot listen", "addr", *addr, "err", err)
		return 1
	}
	base := strings.TrimRight(*baseURL, "/")
	if base == "" {
		base = "http://" + displayAddr(ln.Addr().String())
	}
	// Record the address so that `digest send`, run apart from serve,
	// writes links to this site.
	if err := st.SetSetting(ctx, store.SettingBaseURL, base); err != nil {
		logger.Warn("cannot record the base URL for digest send", "err", err)
	}

	env := &serveEnv{Store: st, Logger: logger, BaseURL: base, SMTP: *smtpURL, ClientIP: clientaddr.Func(*trustProxy), FetchPages: fp}
	// The site is built below, after the routes that use its frame are
	// registered; they only call it once it serves.
	var srv *web.Server
	env.Frame = func(w http.ResponseWriter, r *http.Request, status int, title string, main template.HTML) {
		srv.Frame(w, r, status, title, main)
	}
	env.Cached = func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { srv.Cached(h).ServeHTTP(w, r) })
	}
	opts := web.Options{
		Store:    ws,
		BaseURL:  base,
		Logger:   logger,
		Checker:  fidelityChecker,
		Tagger:   tagSuggester,
		ClientIP: env.ClientIP,
		// Observability: request metrics and GET /metrics (restricted by
		// --metrics-token, or moved to --metrics-addr).
		Observer:     metrics.HTTP{},
		Metrics:      metrics.Handler(),
		MetricsToken: *metricsToken,
		Extra: func(mux *http.ServeMux) {
			for _, add := range serveRoutes {
				add(mux, env)
			}
		},
	}
	if serveMetrics != nil {
		opts.Metrics = serveMetrics(env)
	}
	var metricsSrv *http.Server
	if *metricsAddr != "" {
		mln, err := net.Listen("tcp", *metricsAddr)
		if err != nil {
			logger.Error("cannot listen for /metrics", "addr", *metricsAddr, "err", err)
			ln.Close()
			return 1
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", web.RequireBearer(opts.Metrics, *metricsToken))
		metricsSrv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
		go func() {
			if err := metricsSrv.Serve(mln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				logger.Error("metrics server stopped", "err", err)
			}
		}()
		logger.Info("metrics served apart", "addr", mln.Addr().String())
		opts.Metrics = nil // not on the site's address
	}
	srv, err = web.New(opts)
	if err != nil {
		logger.Error("cannot build the site", "err", err)
		return 1
	}
	env.Invalidate, env.InvalidateArchive = srv.Invalidate, srv.InvalidateArchive
	// Every instance on a PostgreSQL database drops its cached pages when
	// any of them writes (LISTEN/NOTIFY; a no-op on SQLite).
	var followWG sync.WaitGroup
	followWG.Go(func() { srv.FollowChanges(ctx) })
	defer func() { stop(); followWG.Wait() }()

	httpSrv := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      90 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}

	// Background jobs on the durable queue (jobs.go): polling, scheduled
	// publishing and session expiry, digests. Each run reports to metrics
	// (legists_jobs_total, ...). With --no-jobs, none: other instances on
	// the database run them.
	stopJobs := func() {}
	if !*noJobs {
		stopJobs, err = startJobs(ctx, *dsn, *workers, env, srv, ws)
		if err != nil {
			logger.Error("cannot start the job queue", "err", err)
			ln.Close()
			return 1
		}
	}
	// Then the workers other files registered, but those a job replaces.
	replaced := map[string]bool{}
	for _, j := range serveJobs {
		if j.replaces != "" {
			replaced[j.replaces] = true
		}
	}
	var wg sync.WaitGroup
	for _, w := range serveWorkers {
		if replaced[w.name] {
			continue
		}
		wg.Go(func() {
			if err := w.run(ctx, env); err != nil && ctx.Err() == nil {
				logger.Error("background worker stopped", "worker", w.name, "err", err)
			}
		})
	}

	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()
	logger.Info("Legists is serving", "url", base+"/", "addr", ln.Addr().String(), "db", st.Dialect(), "jobs", !*noJobs)
	fmt.Fprintf(stdout, "Legists is running at %s/ (editor's desk: %s/admin/)\n", base, base)

	select {
	case err := <-errc:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("server stopped", "err", err)
			stopJobs()
			stop()
			wg.Wait()
			return 1
		}
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	srv.BeginShutdown() // /readyz answers 503 from now on
	shutCtx, cancelShut := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancelShut()
	if err := httpSrv.Shutdown(shutCtx); err != nil {
		logger.Error("shutdown", "err", err)
	}
	if metricsSrv != nil {
		_ = metricsSrv.Shutdown(shutCtx)
	}
	// Running jobs get 10 seconds to finish, then are cancelled (and
	// retried by another instance).
	stopJobs()
	stop()
	wg.Wait()
	logger.Info("stopped")
	return exitOK
}

// displayAddr turns a listen address into one a browser can open.
func displayAddr(a string) string {
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return a
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// fidelityChecker runs the source-fidelity check for the desk, against the
// archived text of the brief's sources.
func fidelityChecker(_ context.Context, b *brief.Brief) ([]web.Finding, error) {
	rep := fidelity.Check(b, sourceTexts(b))
	out := make([]web.Finding, 0, len(rep.Findings))
	for _, f := range rep.Findings {
		wf := web.Finding{Kind: f.Kind, Severity: f.Severity, Section: f.Section, Paragraph: f.Paragraph,
			Sentence: f.Sentence, Citation: f.Citation, Message: f.Message, Tier: f.Tier}
		if f.Score != nil {
			wf.Score = *f.Score
		}
		out = append(out, wf)
	}
	return out, nil
}

var defaultTagger = sync.OnceValue(tag.Default)

// tagSuggester proposes firms and topics for the desk.
func tagSuggester(_ context.Context, b *brief.Brief) (firms, topics []web.Suggestion, err error) {
	res := defaultTagger().Suggest(b, sourceTexts(b))
	for _, f := range res.Firms {
		firms = append(firms, web.Suggestion{Name: f.Name, Score: f.Score, Reasons: f.Reasons})
	}
	for _, t := range res.Topics {
		topics = append(topics, web.Suggestion{Name: t.Name, Score: t.Score})
	}
	return firms, topics, nil
}

func sourceTexts(b *brief.Brief) map[int]string {
	m := map[int]string{}
	for _, s := range b.Sources {
		if strings.TrimSpace(s.Text) != "" {
			m[s.N] = s.Text
		}
	}
	return m
}
