package web

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"time"

	"legists/internal/store"
)

// Cached serves h's answers to anonymous GET and HEAD requests from the
// page cache: h must answer such a request the same way whoever asks (the
// API's reads, the events page and calendar). A request with an
// Authorization header goes to h itself, and so does every other method.
// Conditional requests are answered from the cached page's validators.
func (s *Server) Cached(h http.Handler) http.Handler { return s.cachedIn(s.cache, h) }

// cachedIn is Cached on the page cache c.
func (s *Server) cachedIn(c *pageCache, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if (r.Method != http.MethodGet && r.Method != http.MethodHead) || r.Header.Get("Authorization") != "" {
			h.ServeHTTP(w, r)
			return
		}
		s.serveFrom(c, w, r, func(r *http.Request) (*page, error) {
			// The full answer, whatever this reader already has.
			r = r.Clone(r.Context())
			r.Method = http.MethodGet
			for _, k := range []string{"If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since", "If-Range", "Range", "Accept-Encoding"} {
				r.Header.Del(k)
			}
			rec := &recorder{header: http.Header{}}
			h.ServeHTTP(rec, r)
			return rec.page(), nil
		})
	})
}

// cacheFor returns the wrapper the API applies to its GET route pattern:
// the archive of ingested articles and stories has a cache of its own, as
// ingest changes it every few minutes; /me is personal.
func (s *Server) cacheFor(pattern string, h http.HandlerFunc) http.HandlerFunc {
	_, path, _ := strings.Cut(pattern, " ")
	switch {
	case strings.HasSuffix(path, "/me"):
		return h
	case strings.Contains(path, "/articles"), strings.Contains(path, "/stories"):
		return s.cachedIn(s.archive, h).ServeHTTP
	}
	return s.cachedIn(s.cache, h).ServeHTTP
}

// recorder keeps what a handler writes.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(p)
}

// Headers a page sets itself when served.
var pageHeaders = map[string]bool{"Content-Type": true, "Cache-Control": true, "Content-Length": true,
	"Etag": true, "Last-Modified": true, "Vary": true, "Date": true, "Content-Encoding": true}

func (r *recorder) page() *page {
	status := r.status
	if status == 0 {
		status = http.StatusOK
	}
	var modified time.Time
	if lm := r.header.Get("Last-Modified"); lm != "" {
		modified, _ = http.ParseTime(lm)
	}
	p := newPage(status, r.header.Get("Content-Type"), r.header.Get("Cache-Control"), bytes.Clone(r.body.Bytes()), modified)
	for k, v := range r.header {
		if !pageHeaders[http.CanonicalHeaderKey(k)] {
			if p.header == nil {
				p.header = http.Header{}
			}
			p.header[k] = v
		}
	}
	return p
}

// FollowChanges drops the cached pages whenever another process (or this
// one) commits a change to what they show, as the store's change feed
// reports it (PostgreSQL; see store.ChangeFeed), until ctx ends. While the
// feed listens, cached pages live for followTTL (a safety bound: every
// change is heard); when the connection is lost they fall back to the
// CacheTTL until it is back, and the whole cache is dropped on reconnect.
// On a database without a feed (SQLite) it returns at once: the one
// serving instance invalidates after its own writes.
func (s *Server) FollowChanges(ctx context.Context) {
	feed, ok := s.st.(store.ChangeFeed)
	if !ok {
		return
	}
	base := time.Duration(s.cache.ttl.Load())
	err := feed.FollowChanges(ctx, func(table string) {
		switch table {
		case "articles", "stories":
			s.archive.invalidate()
		case "":
			if base >= 0 {
				s.cache.setTTL(max(base, followTTL))
				s.archive.setTTL(max(base, followTTL))
			}
			s.Invalidate()
		default:
			s.Invalidate()
		}
		if s.opts.Changed != nil {
			s.opts.Changed(table)
		}
	}, func(err error) {
		s.cache.setTTL(base)
		s.archive.setTTL(base)
		s.Invalidate() // pages kept for followTTL would outlive the CacheTTL
		s.log.Warn("page cache: change feed lost; pages expire after the cache TTL until it is back", "err", err, "ttl", base)
	})
	if err != nil {
		s.log.Debug("page cache: no change feed", "err", err)
	}
	s.cache.setTTL(base)
	s.archive.setTTL(base)
}

// followTTL is how long a cached page lives while the change feed listens.
const followTTL = time.Minute
