// Package web is Legists' website and editor's desk: server-rendered HTML
// (html/template, embedded), feeds, sitemap, the HTTP middleware every
// response passes through, and the assembly of the whole HTTP surface
// (public site, /admin/ desk, /api/v1 JSON API, health checks).
//
// The layout follows Miniflux's: one handler struct, routes on the
// standard ServeMux with method patterns, a template engine that parses
// each view together with the common layout, log/slog for logging.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"legists/internal/api"
	"legists/internal/auth"
	"legists/internal/brief"
	"legists/internal/clientaddr"
	"legists/internal/store"
	"legists/internal/tag"
)

// Store is what the web layer needs: the briefs store and the desk.
type Store interface {
	store.Store
	store.Desk
}

// Finding is one result of the source-fidelity check, shown inline at the
// desk. It mirrors the contract's check JSON.
type Finding struct {
	Kind      string  `json:"kind"`
	Severity  string  `json:"severity"`
	Section   int     `json:"section"`
	Paragraph int     `json:"paragraph"`
	Sentence  string  `json:"sentence"`
	Citation  int     `json:"citation"`
	Message   string  `json:"message"`
	Tier      string  `json:"tier,omitempty"`  // error, needs-review
	Score     float64 `json:"score,omitempty"` // the sentence's support score, 0 to 1; 0 when none
}

// Suggestion is a firm or topic the tagger proposes for a brief.
type Suggestion struct {
	Name    string   `json:"name"`
	Score   float64  `json:"score"`
	Reasons []string `json:"reasons,omitempty"`
}

// Checker runs the source-fidelity check on a brief (sources' archived
// text included) for the desk.
type Checker func(ctx context.Context, b *brief.Brief) ([]Finding, error)

// Tagger suggests firms and topics for a brief.
type Tagger func(ctx context.Context, b *brief.Brief) (firms, topics []Suggestion, err error)

// Options configure the server.
type Options struct {
	Store Store
	// BaseURL is the public address of the site, e.g.
	// https://legists.example; links in feeds, the sitemap and OpenGraph
	// tags are absolute against it.
	BaseURL string
	Logger  *slog.Logger
	// CacheTTL bounds how stale a rendered public page may be when another
	// process changed the data (writes through this server invalidate at
	// once). Zero means 5 seconds; negative disables the page cache.
	CacheTTL time.Duration
	// MaxBodyBytes limits request bodies (413 past it); default 2 MiB.
	MaxBodyBytes int64
	// Metrics, when set, is served at /metrics (Prometheus).
	Metrics http.Handler
	// Observer, when set, records every request's route, status and
	// duration (metrics.HTTP{} in legists serve); see observe.go.
	Observer Observer
	// Checker and Tagger, when set, show fidelity findings and tag
	// suggestions inline on the desk's editor page.
	Checker Checker
	Tagger  Tagger
	// ClientIP returns a request's client address (clientaddr.Func of the
	// trusted-proxy setting); default the peer address. The desk's login
	// throttle, the audit log and the request log use it; pass the same
	// function to the newsletter.
	ClientIP func(*http.Request) string
	// MetricsToken, when set, is the bearer token GET /metrics requires
	// (Authorization: Bearer TOKEN); without it /metrics answers anyone
	// (serve it on a separate address instead: legists serve
	// --metrics-addr).
	MetricsToken string
	// Changed, when set, is called after the store's change feed reported
	// a change (FollowChanges): table is the table changed, "" when the
	// feed (re)connected and anything may have changed.
	Changed func(table string)
	// Extra registers more routes on the same mux (the newsletter, events
	// and other issues' handlers), before the 404 fallback is applied.
	Extra func(mux *http.ServeMux)
}

// Server is the whole HTTP surface of one Legists process.
type Server struct {
	st    Store
	base  *url.URL
	log   *slog.Logger
	tmpl  *engine
	cache *pageCache
	// archive caches the API's lists of ingested articles and stories,
	// which ingest changes without touching the site's pages.
	archive *pageCache
	auth    *auth.Manager
	api     *api.API
	opts    Options
	handler http.Handler

	// shuttingDown makes /readyz answer 503 (BeginShutdown).
	shuttingDown atomic.Bool

	// The directory (firms and topics) as last read: every request reads
	// it without a lock; one reloads it at a time (dirMu) when it is
	// older than dirTTL or was read before the last Invalidate.
	dirMu    sync.Mutex
	dir      atomic.Pointer[dirSnapshot]
	dirEpoch atomic.Uint64 // counts Invalidate calls
}

// dirSnapshot is the directory at one time.
type dirSnapshot struct {
	epoch   uint64 // dirEpoch when it was read
	at      time.Time
	firms   []brief.Firm
	topics  []brief.Topic
	firmIdx map[string]brief.Firm // by lower-case name and alias
	// tagger over these firms and topics, made on first use.
	taggerOnce sync.Once
	tagger     *tag.Tagger
}

const dirTTL = 30 * time.Second

func (d *dirSnapshot) fresh(epoch uint64) bool {
	return d != nil && d.epoch == epoch && time.Since(d.at) < dirTTL
}

// New builds the server.
func New(opts Options) (*Server, error) {
	if opts.Store == nil {
		return nil, errors.New("web: no store")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.BaseURL == "" {
		opts.BaseURL = "http://127.0.0.1:8080"
	}
	base, err := url.Parse(strings.TrimRight(opts.BaseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, errors.New("web: base URL must be http(s)://HOST[:PORT][/PATH]")
	}
	if opts.ClientIP == nil {
		opts.ClientIP = clientaddr.Peer
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 2 << 20
	}
	ttl := opts.CacheTTL
	if ttl == 0 {
		ttl = 5 * time.Second
	}
	tmpl, err := newEngine()
	if err != nil {
		return nil, err
	}
	s := &Server{
		st:      opts.Store,
		base:    base,
		log:     opts.Logger,
		tmpl:    tmpl,
		cache:   newPageCache(ttl),
		archive: newPageCache(ttl),
		auth:    &auth.Manager{Store: opts.Store, Secure: base.Scheme == "https"},
		opts:    opts,
	}
	s.api = api.New(api.Options{
		Store:      opts.Store,
		Auth:       s.auth,
		BaseURL:    s.base.String(),
		Logger:     opts.Logger,
		OnChange:   s.Invalidate,
		Normalizer: s.normalizeBrief,
		Cache:      s.cacheFor,
	})
	s.handler = s.routes()
	return s, nil
}

// ServeHTTP serves every route.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Invalidate drops every cached page; call it after writing to the store
// from outside this server (the scheduler does).
func (s *Server) Invalidate() {
	s.cache.invalidate()
	s.archive.invalidate()
	s.dirEpoch.Add(1)
}

// InvalidateArchive drops the cached API lists of ingested articles and
// stories (after ingest); the site's pages stay.
func (s *Server) InvalidateArchive() { s.archive.invalidate() }

// Auth returns the server's login manager.
func (s *Server) Auth() *auth.Manager { return s.auth }

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()

	// Public site.
	mux.HandleFunc("GET /{$}", s.handleHome)
	mux.HandleFunc("GET /briefs/{slug}", s.handleBrief)
	mux.HandleFunc("GET /briefs/{slug}/sources/{n}", s.handleSource)
	mux.HandleFunc("GET /firms/{$}", s.handleFirms)
	mux.HandleFunc("GET /firms/{slug}", s.handleFirm)
	mux.HandleFunc("GET /firms/{slug}/feed.xml", s.handleFirmAtom)
	mux.HandleFunc("GET /firms/{slug}/feed.json", s.handleFirmJSONFeed)
	mux.HandleFunc("GET /topics/{$}", s.handleTopics)
	mux.HandleFunc("GET /topics/{slug}", s.handleTopic)
	mux.HandleFunc("GET /topics/{slug}/feed.xml", s.handleTopicAtom)
	mux.HandleFunc("GET /topics/{slug}/feed.json", s.handleTopicJSONFeed)
	mux.HandleFunc("GET /law/{slug}", s.handleLaw) // law.go
	mux.HandleFunc("GET /law/{slug}/feed.xml", s.handleLawAtom)
	mux.HandleFunc("GET /law/{slug}/feed.json", s.handleLawJSONFeed)
	mux.HandleFunc("GET /search", s.handleSearch)
	mux.HandleFunc("GET /feed.xml", s.handleAtom)
	mux.HandleFunc("GET /feed.json", s.handleJSONFeed)
	mux.HandleFunc("GET /sitemap.xml", s.handleSitemap)
	mux.HandleFunc("GET /robots.txt", s.handleRobots)
	mux.HandleFunc("GET /favicon.ico", s.handleFavicon)
	mux.Handle("GET /static/", s.staticHandler())

	// Operations.
	mux.HandleFunc("GET /healthz", s.handleHealthz)
	mux.HandleFunc("GET /readyz", s.handleReadyz)
	if s.opts.Metrics != nil {
		mux.Handle("GET /metrics", RequireBearer(s.opts.Metrics, s.opts.MetricsToken))
	}

	// Editor's desk.
	s.deskRoutes(mux)

	// JSON API.
	s.api.Register(mux)

	if s.opts.Extra != nil {
		s.opts.Extra(mux)
	}

	var h http.Handler = s.notFoundFallback(mux)
	h = s.rejectMalformed(h)
	h = s.crossOrigin(h)
	h = s.limitBody(h)
	h = gzipMiddleware(h)
	h = securityHeaders(h, s.base.Scheme == "https")
	h = s.recoverPanics(h)
	h = s.observe(h, mux) // request ID, request log line, metrics
	return h
}

// RequireBearer serves h only to requests with "Authorization: Bearer
// token" (compared in constant time), others get 401; an empty token lets
// every request through.
func RequireBearer(h http.Handler, token string) http.Handler {
	if token == "" {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, got, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") || !auth.Equal(strings.TrimSpace(got), token) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			w.Header().Set("Cache-Control", "no-store")
			http.Error(w, "401 unauthorized: /metrics needs Authorization: Bearer TOKEN (the server's --metrics-token)", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// crossOrigin refuses cross-site form posts to the desk (by Sec-Fetch-Site
// and Origin), a second line behind the CSRF tokens. The API is left open
// to other origins: it authenticates with bearer tokens, not cookies.
func (s *Server) crossOrigin(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.errorPage(w, r, http.StatusForbidden, "Cross-site request refused",
			"This form was sent from another site. Open the editor's desk and try again.")
	}))
	protected := cop.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/admin/") {
			protected.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("ok\n"))
}

func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if s.shuttingDown.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("shutting down\n"))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.st.Ping(ctx); err != nil {
		s.log.WarnContext(r.Context(), "readyz: database unreachable", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database unreachable\n"))
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}

// abs makes an absolute URL of a site path.
func (s *Server) abs(path string) string {
	return s.base.String() + path
}

// directory returns the firm directory and the taxonomy, cached briefly.
func (s *Server) directory(ctx context.Context) ([]brief.Firm, []brief.Topic, map[string]brief.Firm) {
	d := s.dirSnapshot(ctx)
	if d == nil {
		return nil, nil, nil
	}
	return d.firms, d.topics, d.firmIdx
}

// dirSnapshot returns the directory, reloading it when stale; on a failed
// reload the last one read (nil when none was).
func (s *Server) dirSnapshot(ctx context.Context) *dirSnapshot {
	if d := s.dir.Load(); d.fresh(s.dirEpoch.Load()) {
		return d
	}
	s.dirMu.Lock()
	defer s.dirMu.Unlock()
	epoch := s.dirEpoch.Load()
	old := s.dir.Load()
	if old.fresh(epoch) {
		return old // another reader reloaded it meanwhile
	}
	firms, err := s.st.ListFirms(ctx)
	if err != nil {
		s.log.ErrorContext(ctx, "list firms", "err", err)
		return old
	}
	topics, err := s.st.ListTopics(ctx)
	if err != nil {
		s.log.ErrorContext(ctx, "list topics", "err", err)
		return old
	}
	idx := make(map[string]brief.Firm, len(firms)*2)
	for _, f := range firms {
		idx[strings.ToLower(f.Name)] = f
		for _, a := range f.Aliases {
			if _, ok := idx[strings.ToLower(a)]; !ok {
				idx[strings.ToLower(a)] = f
			}
		}
	}
	d := &dirSnapshot{epoch: epoch, at: time.Now(), firms: firms, topics: topics, firmIdx: idx}
	s.dir.Store(d)
	return d
}

// normalizeBrief fills defaults for a brief saved through the desk or the
// API: slug from the title, heading spelling, published time.
func (s *Server) normalizeBrief(b *brief.Brief) {
	if b.Slug == "" {
		b.Slug = brief.Slugify(b.Title)
	}
	if b.Status == "" {
		b.Status = brief.StatusDraft
	}
	if b.Status == brief.StatusPublished && b.PublishedAt == nil {
		now := time.Now().UTC().Truncate(time.Second)
		b.PublishedAt = &now
	}
}

// API returns the JSON API the server mounts.
func (s *Server) API() *api.API { return s.api }
