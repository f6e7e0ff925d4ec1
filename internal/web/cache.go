package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
)

// page is a rendered public response: the body, its gzip form, and the
// validators conditional requests are answered from.
type page struct {
	status       int
	contentType  string
	cacheControl string
	body         []byte
	gzOnce       sync.Once
	gz           []byte // gzip of body, made on first use; nil when not worth compressing
	gzWorth      bool
	etag         string // strong, quoted
	modified     time.Time
	gen          uint64
	expires      time.Time
	// header holds more headers to send (a page recorded from a handler:
	// Link, Content-Disposition, ...).
	header http.Header
}

// newPage fingerprints and compresses a rendered body.
func newPage(status int, contentType, cacheControl string, body []byte, modified time.Time) *page {
	h := fnv.New64a()
	h.Write(body)
	p := &page{
		status: status, contentType: contentType, cacheControl: cacheControl, body: body,
		etag:     `"` + strconv.FormatUint(h.Sum64(), 36) + `"`,
		modified: modified.UTC().Truncate(time.Second),
	}
	p.gzWorth = len(body) >= minGzip && compressible(contentType)
	return p
}

// gzipped returns the gzip form of the body, compressing it once.
func (p *page) gzipped() []byte {
	p.gzOnce.Do(func() {
		var buf bytes.Buffer
		buf.Grow(len(p.body) / 3)
		zw := gzPool.Get().(*gzip.Writer)
		zw.Reset(&buf)
		_, _ = zw.Write(p.body)
		_ = zw.Close()
		zw.Reset(io.Discard)
		gzPool.Put(zw)
		p.gz = buf.Bytes()
	})
	return p.gz
}

// pageCache is a micro-cache of rendered public pages. Writes through this
// process invalidate it at once, and so do writes by other processes on
// PostgreSQL, through the change feed (changes.go); ttl bounds staleness
// when neither can tell.
type pageCache struct {
	ttl   atomic.Int64 // time.Duration; negative: no caching
	gen   atomic.Uint64
	mu    sync.RWMutex
	pages map[string]*page
	group singleflight.Group
}

const maxCachedPages = 4096

// fillTimeout bounds one render of a cached page. The render runs apart
// from the request that started it (the readers waiting for the same key
// share it), so it is not cut short when that reader goes away.
const fillTimeout = 30 * time.Second

func newPageCache(ttl time.Duration) *pageCache {
	c := &pageCache{pages: map[string]*page{}}
	c.ttl.Store(int64(ttl))
	return c
}

func (c *pageCache) setTTL(ttl time.Duration) { c.ttl.Store(int64(ttl)) }

func (c *pageCache) invalidate() {
	c.gen.Add(1)
	c.mu.Lock()
	c.pages = map[string]*page{}
	c.mu.Unlock()
}

// get returns the cached page for key, rendering it with fill when absent
// or stale. Concurrent misses of one key render once: fill runs with a
// context of its own (ctx's values, not its cancellation); a caller whose
// ctx ends stops waiting. A render that began before an invalidation
// neither serves readers who came after it nor is kept.
func (c *pageCache) get(ctx context.Context, key string, fill func(ctx context.Context) (*page, error)) (*page, error) {
	ttl := time.Duration(c.ttl.Load())
	if ttl < 0 {
		return fill(ctx)
	}
	gen := c.gen.Load()
	c.mu.RLock()
	p := c.pages[key]
	c.mu.RUnlock()
	if p != nil && p.gen == gen && time.Now().Before(p.expires) {
		return p, nil
	}
	ch := c.group.DoChan(strconv.FormatUint(gen, 36)+"\x00"+key, func() (_ any, err error) {
		// The render runs on a goroutine of its own: a panic would end
		// the process, so it becomes the render's error.
		defer func() {
			if x := recover(); x != nil {
				err = fmt.Errorf("rendering %s: panic: %v\n%s", key, x, debug.Stack())
			}
		}()
		// A render that ended between this reader's look at the cache
		// and its joining the flight has left its page: no second render.
		c.mu.RLock()
		p := c.pages[key]
		c.mu.RUnlock()
		if p != nil && p.gen == gen && time.Now().Before(p.expires) {
			return p, nil
		}
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), fillTimeout)
		defer cancel()
		p, err = fill(fctx)
		if err != nil {
			return nil, err
		}
		p.gen = gen
		p.expires = time.Now().Add(ttl)
		if p.status == http.StatusOK || p.status == http.StatusNotFound {
			c.mu.Lock()
			if len(c.pages) >= maxCachedPages {
				c.pages = map[string]*page{}
			}
			if c.gen.Load() == gen {
				c.pages[key] = p
			}
			c.mu.Unlock()
		}
		return p, nil
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.(*page), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// serve writes p, answering 304 when the request's validators match.
func (p *page) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	for k, v := range p.header {
		h[k] = v
	}
	if p.status == http.StatusOK {
		etag := p.etag
		if p.gzWorth {
			h.Set("Vary", "Accept-Encoding")
		}
		gz := p.gzWorth && acceptsGzip(r)
		if gz {
			etag = `W/` + p.etag
		}
		h.Set("ETag", etag)
		if !p.modified.IsZero() {
			h.Set("Last-Modified", p.modified.Format(http.TimeFormat))
		}
		if p.cacheControl != "" {
			h.Set("Cache-Control", p.cacheControl)
		}
		if notModified(r, p.etag, p.modified) {
			h.Del("Content-Type")
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h.Set("Content-Type", p.contentType)
		body := p.body
		if gz {
			h.Set("Content-Encoding", "gzip")
			body = p.gzipped()
		}
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(p.status)
		if r.Method != http.MethodHead {
			_, _ = w.Write(body)
		}
		return
	}
	h.Set("Content-Type", p.contentType)
	if p.cacheControl != "" {
		h.Set("Cache-Control", p.cacheControl)
	}
	w.WriteHeader(p.status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(p.body)
	}
}

// notModified applies RFC 9110's precedence: If-None-Match (weak
// comparison) when present, else If-Modified-Since.
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		want := strings.TrimPrefix(etag, "W/")
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimSpace(t)
			if t == "*" || strings.TrimPrefix(t, "W/") == want {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" && !modified.IsZero() {
		if t, err := http.ParseTime(ims); err == nil && !modified.Truncate(time.Second).After(t) {
			return true
		}
	}
	return false
}
