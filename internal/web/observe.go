package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// Observer records request metrics; legists serve passes metrics.HTTP{}.
// Its methods are called from every request's goroutine and must be quick.
type Observer interface {
	// RequestStarted is called as a request comes in.
	RequestStarted()
	// RequestDone is called once the request is answered, with the
	// ServeMux pattern that served it ("GET /briefs/{slug}"; "unmatched"
	// when none did), never the raw path.
	RequestDone(route, method string, status int, d time.Duration)
}

// RouteUnmatched is the route of a request no pattern matched (404, 405).
const RouteUnmatched = "unmatched"

// RequestIDHeader carries the request ID in both directions.
const RequestIDHeader = "X-Request-ID"

type requestIDKey struct{}

// RequestID returns the ID the server gave the request ctx belongs to, or
// "" outside a request. It is also in the X-Request-ID response header
// and in every log line logged with the request's context through a
// logger wrapped by LogHandler (slog's InfoContext, ErrorContext, ...).
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// WithRequestID returns ctx carrying the request ID id (for work a
// request hands to another goroutine, and for tests).
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// saneRequestID reports whether a client's X-Request-ID may be kept: 1 to
// 64 characters of [A-Za-z0-9._-].
func saneRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// newRequestID is 16 random hex digits.
func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand, Go 1.24+)
	return hex.EncodeToString(b[:])
}

// LogHandler wraps h so that a record logged with a request's context
// carries its request_id (unless the record has one already):
//
//	logger := slog.New(web.LogHandler(slog.NewJSONHandler(os.Stderr, nil)))
//	logger.ErrorContext(r.Context(), "render", "err", err) // ... "request_id":"3f2a..."
//
// Records logged without a context (Error rather than ErrorContext) get
// none.
func LogHandler(h slog.Handler) slog.Handler {
	if _, ok := h.(logHandler); ok {
		return h
	}
	return logHandler{h}
}

type logHandler struct{ slog.Handler }

func (h logHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		has := false
		r.Attrs(func(a slog.Attr) bool {
			has = a.Key == "request_id"
			return !has
		})
		if !has {
			r = r.Clone()
			r.AddAttrs(slog.String("request_id", id))
		}
	}
	return h.Handler.Handle(ctx, r)
}

func (h logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return logHandler{h.Handler.WithAttrs(as)}
}

func (h logHandler) WithGroup(name string) slog.Handler {
	return logHandler{h.Handler.WithGroup(name)}
}

// BeginShutdown makes /readyz answer 503 from now on, so that a load
// balancer stops sending traffic while the process drains.
func (s *Server) BeginShutdown() { s.shuttingDown.Store(true) }

// quietPath reports whether a request is logged at Debug rather than Info:
// probes, scrapes and static files.
func quietPath(p string) bool {
	return p == "/healthz" || p == "/readyz" || p == "/metrics" || strings.HasPrefix(p, "/static/")
}

// observe is the outermost middleware: it gives the request an ID (the
// client's X-Request-ID when sane, else a new one) in the response header
// and the request's context, logs one line per request and records its
// metrics by route pattern. mux is the router, to find the pattern of a
// request a middleware copied on its way there.
func (s *Server) observe(next http.Handler, mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get(RequestIDHeader)
		if !saneRequestID(id) {
			id = newRequestID()
		}
		w.Header().Set(RequestIDHeader, id)
		r = r.WithContext(WithRequestID(r.Context(), id))
		if s.opts.Observer != nil {
			s.opts.Observer.RequestStarted()
		}
		ow := &observedWriter{ResponseWriter: w}
		// Deferred, so that a request whose handler panics (the
		// connection is then aborted) is still logged and counted.
		defer func() {
			d := time.Since(start)
			status := ow.status
			if status == 0 {
				status = http.StatusOK
			}
			route := routeOf(r, mux)
			if s.opts.Observer != nil {
				s.opts.Observer.RequestDone(route, r.Method, status, d)
			}
			level := slog.LevelInfo
			switch {
			case status >= 500:
				level = slog.LevelError
			case quietPath(r.URL.Path):
				level = slog.LevelDebug
			}
			ctx := r.Context()
			if !s.log.Enabled(ctx, level) {
				return
			}
			s.log.LogAttrs(ctx, level, "request",
				slog.String("method", r.Method),
				slog.String("route", route),
				slog.String("path", r.URL.Path),
				slog.Int("status", status),
				slog.Int64("bytes", ow.bytes),
				slog.Duration("duration", d),
				slog.String("request_id", id),
				slog.String("remote", s.clientIP(r)))
		}()
		next.ServeHTTP(ow, r)
	})
}

// routeOf is the ServeMux pattern that served r: r.Pattern, which the mux
// sets on the request it is given, or, when a middleware passed the mux a
// copy, the mux's answer for r. It is RouteUnmatched for 404s, 405s and
// CONNECT (whose redirect "pattern" would be a raw path).
func routeOf(r *http.Request, mux *http.ServeMux) string {
	if r.Method == http.MethodConnect {
		return RouteUnmatched
	}
	p := r.Pattern
	if p == "" && mux != nil {
		_, p = mux.Handler(r)
	}
	if p == "" {
		return RouteUnmatched
	}
	return p
}

// observedWriter records the status and size of a response; it passes
// Flush through and unwraps for http.ResponseController.
type observedWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *observedWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 { // 1xx are interim responses
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *observedWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *observedWriter) Flush() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *observedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// JobPublishScheduled is the job kind of a pass of scheduled publishing.
const JobPublishScheduled = "publish-scheduled"

// RunSchedulerWith is RunScheduler with each pass of scheduled publishing
// reported to job (metrics.Job in legists serve) as a JobPublishScheduled;
// the function job returns gets the pass's error. A nil job reports
// nothing.
func (s *Server) RunSchedulerWith(ctx context.Context, interval time.Duration, job func(kind string) func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		done := func(error) {}
		if job != nil {
			done = job(JobPublishScheduled)
		}
		n, err := s.PublishDue(ctx, time.Now())
		done(err)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("scheduled publishing", "err", err)
			}
		} else if n > 0 {
			s.log.Info("published scheduled briefs", "count", n)
		}
		if _, err := s.st.DeleteExpiredSessions(ctx, time.Now()); err != nil && ctx.Err() == nil {
			s.log.Error("expire sessions", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
