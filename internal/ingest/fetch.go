// Package ingest brings sources in: a polite, safe HTTP fetcher, feed
// parsing (gofeed), readable-text extraction (go-readability, sanitised
// with bluemonday), and the poller that claims due sources with a lease,
// fetches them with a worker pool, stores articles idempotently, collapses
// near-duplicates and clusters articles into stories.
package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// FetchConfig tunes the fetcher. Zero fields take the defaults.
type FetchConfig struct {
	// AllowPrivate lets fetches reach loopback and private addresses (for
	// local use and tests). Link-local and cloud metadata addresses stay
	// refused (safety.go).
	AllowPrivate bool
	// UserAgent is sent with every request.
	UserAgent string
	// Timeout bounds one request, body included (default 20s).
	Timeout time.Duration
	// MaxBodyBytes bounds a response body after decompression (default
	// 8 MiB).
	MaxBodyBytes int64
	// PerHost is the number of requests in flight to one host (default 2).
	PerHost int
	// MaxRedirects is the longest redirect chain followed (default 10).
	MaxRedirects int
	// MaxHostWait is how long a request waits for a host that asked to be
	// left alone (429 or 503 with Retry-After) before failing without
	// asking (default 0: fail at once; the source backs off).
	MaxHostWait time.Duration
}

// Defaults of FetchConfig.
const (
	DefaultTimeout      = 20 * time.Second
	DefaultMaxBodyBytes = 8 << 20
	DefaultPerHost      = 2
	DefaultMaxRedirects = 10
	DefaultUserAgent    = "Legists/1.0 (news briefing for the legal sector)"
)

func (c FetchConfig) withDefaults() FetchConfig {
	if c.UserAgent == "" {
		c.UserAgent = DefaultUserAgent
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.PerHost <= 0 {
		c.PerHost = DefaultPerHost
	}
	if c.MaxRedirects <= 0 {
		c.MaxRedirects = DefaultMaxRedirects
	}
	return c
}

// Errors of a fetch; test with errors.Is.
var (
	ErrBlockedAddress   = errors.New("address not allowed (loopback, private, link-local or metadata; use --allow-private for local sources)")
	ErrBodyTooLarge     = errors.New("response body too large")
	ErrRedirectLoop     = errors.New("redirect loop")
	ErrTooManyRedirects = errors.New("too many redirects")
	ErrBadScheme        = errors.New("only http and https URLs are fetched")
)

// HTTPError is an answer with a status other than 2xx or 304.
type HTTPError struct {
	URL    string
	Status int
	// RetryAfter is the server's Retry-After, when it sent one.
	RetryAfter time.Duration
	// NotSent: the request was not made because the host asked to be left
	// alone until later.
	NotSent bool
}

func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("HTTP %d %s", e.Status, http.StatusText(e.Status))
	if e.NotSent {
		msg = fmt.Sprintf("host asked to wait (HTTP %d)", e.Status)
	}
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(", retry after %s", e.RetryAfter.Round(time.Second))
	}
	return msg
}

// Request is one fetch.
type Request struct {
	URL string
	// Validators for a conditional GET.
	ETag         string
	LastModified string
	// Accept is the Accept header (default: anything).
	Accept string
}

// Response is a fetched document.
type Response struct {
	// URL is the final URL, after redirects.
	URL string
	// PermanentURL is the final URL when every redirect on the way was
	// permanent (301 or 308): the new address of the resource.
	PermanentURL string
	Status       int
	NotModified  bool
	// Body is the raw body (decompressed, not decoded).
	Body        []byte
	ContentType string
	// ETag and LastModified are the validators to send next time.
	ETag         string
	LastModified string
	// MaxAge is how long the answer stays fresh (Cache-Control max-age,
	// else Expires); zero when the server did not say.
	MaxAge time.Duration
	// Redirects is the number of redirects followed.
	Redirects int
}

// Fetcher fetches documents politely and safely. It is safe for concurrent
// use.
type Fetcher struct {
	cfg    FetchConfig
	client *http.Client
	hosts  sync.Map // host -> *hostState
}

type hostState struct {
	sem chan struct{}
	mu  sync.Mutex
	// notBefore: the host asked not to be called before then.
	notBefore  time.Time
	lastStatus int
}

// NewFetcher makes a fetcher.
func NewFetcher(cfg FetchConfig) *Fetcher {
	cfg = cfg.withDefaults()
	f := &Fetcher{cfg: cfg}
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	// Control runs after DNS resolution and before connecting, for every
	// address tried and on every connection (so on every redirect too):
	// link-local and metadata addresses always refused, loopback and
	// private ones unless allowed (safety.go).
	dialer.Control = func(network, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		if err := hostAllowed(host, cfg.AllowPrivate); err != nil {
			return fmt.Errorf("%s: %w", host, err)
		}
		return nil
	}
	tr := &http.Transport{
		Proxy:                 nil, // a proxy would hide the address we must check
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   cfg.PerHost,
		MaxConnsPerHost:       cfg.PerHost * 2,
		IdleConnTimeout:       60 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: cfg.Timeout,
		ExpectContinueTimeout: time.Second,
	}
	f.client = &http.Client{
		Transport:     &limitedTransport{f: f, next: tr},
		CheckRedirect: f.checkRedirect,
	}
	return f
}

// Close releases idle connections.
func (f *Fetcher) Close() { f.client.CloseIdleConnections() }

func (f *Fetcher) host(h string) *hostState {
	if v, ok := f.hosts.Load(h); ok {
		return v.(*hostState)
	}
	v, _ := f.hosts.LoadOrStore(h, &hostState{sem: make(chan struct{}, f.cfg.PerHost)})
	return v.(*hostState)
}

type traceKey struct{}

// trace records the redirects of one fetch.
type trace struct {
	permanent bool
	hops      int
}

func (f *Fetcher) checkRedirect(req *http.Request, via []*http.Request) error {
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return fmt.Errorf("redirect to %s: %w", req.URL.Redacted(), ErrBadScheme)
	}
	next := req.URL.String()
	for _, v := range via {
		if v.URL.String() == next {
			return fmt.Errorf("%s: %w", next, ErrRedirectLoop)
		}
	}
	if len(via) >= f.cfg.MaxRedirects {
		return fmt.Errorf("stopped after %d redirects: %w", len(via), ErrTooManyRedirects)
	}
	if err := hostAllowed(req.URL.Hostname(), f.cfg.AllowPrivate); err != nil {
		return fmt.Errorf("redirect to %s: %w", req.URL.Hostname(), err)
	}
	if t, ok := req.Context().Value(traceKey{}).(*trace); ok {
		t.hops++
		if req.Response != nil {
			switch req.Response.StatusCode {
			case http.StatusMovedPermanently, http.StatusPermanentRedirect:
			default:
				t.permanent = false
			}
		}
	}
	return nil
}

// Fetch gets one document. A 304 answers NotModified; any status but 2xx
// and 304 is an *HTTPError (the Response is returned with it).
func (f *Fetcher) Fetch(ctx context.Context, r Request) (*Response, error) {
	u, err := url.Parse(r.URL)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%s: %w", r.URL, ErrBadScheme)
	}
	ctx, cancel := context.WithTimeout(ctx, f.cfg.Timeout)
	defer cancel()
	tr := &trace{permanent: true}
	ctx = context.WithValue(ctx, traceKey{}, tr)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", f.cfg.UserAgent)
	accept := r.Accept
	if accept == "" {
		accept = "*/*"
	}
	req.Header.Set("Accept", accept)
	if r.ETag != "" {
		req.Header.Set("If-None-Match", r.ETag)
	}
	if r.LastModified != "" {
		req.Header.Set("If-Modified-Since", r.LastModified)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, cleanErr(err)
	}
	defer resp.Body.Close()
	out := &Response{
		URL:          resp.Request.URL.String(),
		Status:       resp.StatusCode,
		ContentType:  resp.Header.Get("Content-Type"),
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
		MaxAge:       freshness(resp.Header, time.Now()),
		Redirects:    tr.hops,
	}
	if tr.hops > 0 && tr.permanent {
		out.PermanentURL = out.URL
	}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		out.NotModified = true
		if out.ETag == "" {
			out.ETag = r.ETag
		}
		if out.LastModified == "" {
			out.LastModified = r.LastModified
		}
		return out, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		he := &HTTPError{URL: out.URL, Status: resp.StatusCode, RetryAfter: retryAfter(resp.Header, time.Now())}
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
			wait := he.RetryAfter
			if wait <= 0 && resp.StatusCode == http.StatusTooManyRequests {
				wait = time.Minute
			}
			if wait > 0 {
				f.holdHost(resp.Request.URL.Host, time.Now().Add(wait), resp.StatusCode)
			}
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return out, he
	}
	if resp.ContentLength > f.cfg.MaxBodyBytes {
		return out, fmt.Errorf("%s: %d bytes announced, limit %d: %w", out.URL, resp.ContentLength, f.cfg.MaxBodyBytes, ErrBodyTooLarge)
	}
	body, err := readLimited(resp.Body, f.cfg.MaxBodyBytes)
	if err != nil {
		return out, fmt.Errorf("%s: %w", out.URL, cleanErr(err))
	}
	// A gzip body the transport did not undo (a .gz file served as is, or
	// a Content-Encoding the server sent unasked).
	if len(body) > 2 && body[0] == 0x1f && body[1] == 0x8b {
		if zr, err := gzip.NewReader(bytes.NewReader(body)); err == nil {
			if plain, err := readLimited(zr, f.cfg.MaxBodyBytes); err == nil {
				body = plain
			} else if errors.Is(err, ErrBodyTooLarge) {
				return out, fmt.Errorf("%s: %w", out.URL, err)
			}
		}
	}
	out.Body = body
	return out, nil
}

func readLimited(r io.Reader, max int64) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > max {
		return nil, fmt.Errorf("more than %d bytes: %w", max, ErrBodyTooLarge)
	}
	return body, nil
}

// cleanErr unwraps *url.Error's noise and names timeouts plainly.
func cleanErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() || errors.Is(ue.Err, context.DeadlineExceeded) {
			return fmt.Errorf("%s: timeout: %w", ue.URL, context.DeadlineExceeded)
		}
		return fmt.Errorf("%s: %w", ue.URL, ue.Err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("timeout: %w", err)
	}
	return err
}

func (f *Fetcher) holdHost(host string, until time.Time, status int) {
	h := f.host(host)
	h.mu.Lock()
	if until.After(h.notBefore) {
		h.notBefore, h.lastStatus = until, status
	}
	h.mu.Unlock()
}

// limitedTransport keeps at most PerHost requests in flight to one host
// (a slot is held until the body is closed) and honours a host's request
// to be left alone.
type limitedTransport struct {
	f    *Fetcher
	next http.RoundTripper
}

func (t *limitedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	h := t.f.host(req.URL.Host)
	h.mu.Lock()
	wait, status := time.Until(h.notBefore), h.lastStatus
	h.mu.Unlock()
	if wait > 0 {
		if wait > t.f.cfg.MaxHostWait {
			return nil, &HTTPError{URL: req.URL.String(), Status: status, RetryAfter: wait, NotSent: true}
		}
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-req.Context().Done():
			timer.Stop()
			return nil, req.Context().Err()
		}
	}
	select {
	case h.sem <- struct{}{}:
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		<-h.sem
		return nil, err
	}
	resp.Body = &releaseBody{ReadCloser: resp.Body, release: func() { <-h.sem }}
	return resp, nil
}

type releaseBody struct {
	io.ReadCloser
	once    sync.Once
	release func()
}

func (b *releaseBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.release)
	return err
}

// retryAfter reads Retry-After: seconds or an HTTP date.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0
		}
		return min(time.Duration(n)*time.Second, 7*24*time.Hour)
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), 7*24*time.Hour)
	}
	return 0
}

// freshness reads how long an answer stays fresh: Cache-Control max-age
// (s-maxage is for shared caches), no-cache and no-store mean zero, else
// Expires minus Date.
func freshness(h http.Header, now time.Time) time.Duration {
	for _, part := range strings.Split(h.Get("Cache-Control"), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch strings.ToLower(k) {
		case "no-cache", "no-store":
			return 0
		case "max-age":
			n, err := strconv.Atoi(strings.Trim(v, `"`))
			if err != nil || n <= 0 {
				return 0
			}
			return min(time.Duration(n)*time.Second, 7*24*time.Hour)
		}
	}
	if e := h.Get("Expires"); e != "" {
		exp, err := http.ParseTime(e)
		if err != nil {
			return 0
		}
		base := now
		if d, err := http.ParseTime(h.Get("Date")); err == nil {
			base = d
		}
		if exp.After(base) {
			return min(exp.Sub(base), 7*24*time.Hour)
		}
	}
	return 0
}
