package web

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// ContentSecurityPolicy allows nothing inline and nothing from elsewhere:
// scripts and styles come from /static/ only.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; manifest-src 'self'"

func securityHeaders(next http.Handler, https bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		if https {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.ErrorContext(r.Context(), "panic serving request", "path", r.URL.Path, "panic", fmt.Sprint(v))
				http.Error(w, "internal server error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// limitBody answers 413 for a body whose declared length is over the limit
// and caps the rest (handlers see *http.MaxBytesError and answer 413).
func (s *Server) limitBody(next http.Handler) http.Handler {
	limit := s.opts.MaxBodyBytes
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			s.tooLarge(w, r)
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) tooLarge(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Connection", "close")
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeProblemPlain(w, http.StatusRequestEntityTooLarge, "Request body too large",
			fmt.Sprintf("The body is larger than %d bytes.", s.opts.MaxBodyBytes))
		return
	}
	http.Error(w, "413 request body too large", http.StatusRequestEntityTooLarge)
}

func writeProblemPlain(w http.ResponseWriter, status int, title, detail string) {
	body, _ := json.Marshal(struct {
		Type   string `json:"type"`
		Title  string `json:"title"`
		Status int    `json:"status"`
		Detail string `json:"detail"`
	}{"about:blank", title, status, strings.ToValidUTF8(detail, "\uFFFD")})
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// malformed says what is wrong with a request's path or query, or "":
// the path must be valid UTF-8 without control characters, the query's
// values valid UTF-8 without control characters but tab and newline (NUL
// included), which no slug, cursor or search may hold. PostgreSQL refuses
// such text outright, so the check answers 400 here, alike on both
// databases, before any handler reads them.
func malformed(r *http.Request) string {
	bad := func(v string) bool {
		return !utf8.ValidString(v) || strings.ContainsFunc(v, func(c rune) bool {
			return unicode.IsControl(c) && c != '\t' && c != '\n' && c != '\r'
		})
	}
	if !utf8.ValidString(r.URL.Path) || strings.ContainsFunc(r.URL.Path, unicode.IsControl) {
		return "The address holds a control character or bytes that are not UTF-8 text."
	}
	if r.URL.RawQuery == "" {
		return ""
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return "The query string is malformed: " + err.Error() + "."
	}
	for k, vs := range q {
		if bad(k) {
			return "A query parameter's name holds a control character or bytes that are not UTF-8 text."
		}
		for _, v := range vs {
			if bad(v) {
				return "The query parameter " + strconv.Quote(k) + " holds a control character or bytes that are not UTF-8 text."
			}
		}
	}
	return ""
}

// rejectMalformed answers 400, with a problem body on the API and an error
// page elsewhere, to requests whose path or query is not clean text.
func (s *Server) rejectMalformed(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if msg := malformed(r); msg != "" {
			w.Header().Set("Cache-Control", "no-store")
			if strings.HasPrefix(r.URL.Path, "/api/") {
				writeProblemPlain(w, http.StatusBadRequest, "Bad Request", msg)
				return
			}
			s.errorPage(w, r, http.StatusBadRequest, "Bad request", msg)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// isTooLarge reports whether err came from the body limit.
func isTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

// notFoundFallback renders the site's 404 page for paths no route matches
// (405s from the mux pass through with their Allow header).
func (s *Server) notFoundFallback(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern == "" {
			nw := &notFoundWriter{ResponseWriter: w}
			mux.ServeHTTP(nw, r)
			if nw.intercepted {
				if strings.HasPrefix(r.URL.Path, "/api/") {
					writeProblemPlain(w, http.StatusNotFound, "Not Found", "No API resource at "+strconv.QuoteToASCII(r.URL.Path)+".")
					return
				}
				s.notFound(w, r)
			}
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// notFoundWriter swallows the mux's plain-text 404 so a page can replace it.
type notFoundWriter struct {
	http.ResponseWriter
	intercepted bool
	passed      bool
}

func (w *notFoundWriter) WriteHeader(code int) {
	if code == http.StatusNotFound && !w.passed {
		w.intercepted = true
		return
	}
	w.passed = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *notFoundWriter) Write(b []byte) (int, error) {
	if w.intercepted {
		return len(b), nil
	}
	w.passed = true
	return w.ResponseWriter.Write(b)
}

// gzip

var gzPool = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.DefaultCompression)
	return zw
}}

// compressible reports whether a content type is worth gzipping.
func compressible(ct string) bool {
	mt, _, _ := mime.ParseMediaType(ct)
	switch {
	case strings.HasPrefix(mt, "text/"):
		return true
	case mt == "application/json", mt == "application/problem+json", mt == "application/feed+json",
		mt == "application/atom+xml", mt == "application/xml", mt == "image/svg+xml",
		mt == "application/javascript", mt == "application/ld+json":
		return true
	}
	return false
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") {
			q = strings.ReplaceAll(strings.TrimSpace(q), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

// gzipMiddleware compresses compressible responses of at least minGzip
// bytes for clients that accept gzip. A handler that sets
// Content-Encoding itself (the page cache serves pre-compressed bytes) is
// passed through.
func gzipMiddleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept-Encoding")
		if !acceptsGzip(r) || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		gw := &gzipWriter{ResponseWriter: w}
		defer gw.close()
		next.ServeHTTP(gw, r)
	})
}

const minGzip = 512

type gzipWriter struct {
	http.ResponseWriter
	zw      *gzip.Writer
	buf     []byte
	status  int
	decided bool
	off     bool
}

func (g *gzipWriter) Unwrap() http.ResponseWriter { return g.ResponseWriter }

func (g *gzipWriter) WriteHeader(code int) {
	if g.status != 0 {
		return
	}
	g.status = code
	h := g.Header()
	if code < 200 || code == http.StatusNoContent || code == http.StatusNotModified ||
		h.Get("Content-Encoding") != "" || (h.Get("Content-Type") != "" && !compressible(h.Get("Content-Type"))) {
		g.decide(false)
	}
}

func (g *gzipWriter) decide(on bool) {
	g.decided = true
	g.off = !on
	h := g.Header()
	if on {
		h.Del("Content-Length")
		h.Set("Content-Encoding", "gzip")
		if et := h.Get("ETag"); et != "" && !strings.HasPrefix(et, "W/") {
			h.Set("ETag", "W/"+et) // the bytes differ from the identity representation
		}
		g.zw = gzPool.Get().(*gzip.Writer)
		g.zw.Reset(g.ResponseWriter)
	}
	if g.status == 0 {
		g.status = http.StatusOK
	}
	g.ResponseWriter.WriteHeader(g.status)
}

func (g *gzipWriter) Write(b []byte) (int, error) {
	if g.status == 0 {
		g.status = http.StatusOK
	}
	if !g.decided {
		if g.Header().Get("Content-Type") == "" {
			g.Header().Set("Content-Type", http.DetectContentType(b))
		}
		if !compressible(g.Header().Get("Content-Type")) || g.Header().Get("Content-Encoding") != "" {
			g.decide(false)
		} else {
			g.buf = append(g.buf, b...)
			if len(g.buf) < minGzip {
				return len(b), nil
			}
			g.decide(true)
			buf := g.buf
			g.buf = nil
			if _, err := g.zw.Write(buf); err != nil {
				return 0, err
			}
			return len(b), nil
		}
	}
	if g.off {
		return g.ResponseWriter.Write(b)
	}
	return g.zw.Write(b)
}

func (g *gzipWriter) Flush() {
	if !g.decided && len(g.buf) > 0 {
		g.decide(true)
		_, _ = g.zw.Write(g.buf)
		g.buf = nil
	}
	if g.zw != nil {
		_ = g.zw.Flush()
	}
	if f, ok := g.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (g *gzipWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if hj, ok := g.ResponseWriter.(http.Hijacker); ok {
		return hj.Hijack()
	}
	return nil, nil, errors.New("web: hijack not supported")
}

func (g *gzipWriter) close() {
	if !g.decided {
		if g.status == 0 && len(g.buf) == 0 {
			return // handler wrote nothing; net/http sends its default
		}
		// small body: send as is
		g.decide(false)
		if len(g.buf) > 0 {
			_, _ = g.ResponseWriter.Write(g.buf)
		}
		return
	}
	if g.zw != nil {
		_ = g.zw.Close()
		g.zw.Reset(io.Discard)
		gzPool.Put(g.zw)
		g.zw = nil
	}
}

// clientIP is the client's address: the one function (clientaddr, with
// the trusted-proxy setting of Options.ClientIP) the desk's throttle, the
// audit log, the request log and the newsletter share.
func (s *Server) clientIP(r *http.Request) string { return s.opts.ClientIP(r) }
