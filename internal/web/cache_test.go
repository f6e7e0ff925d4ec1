package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"legists/internal/store"
)

// Concurrent misses of one key render once, and the render does not die
// with the reader who started it.
func TestPageCacheOneRender(t *testing.T) {
	c := newPageCache(time.Hour)
	var renders atomic.Int32
	started, release := make(chan struct{}), make(chan struct{})
	fill := func(ctx context.Context) (*page, error) {
		if renders.Add(1) == 1 {
			close(started)
		}
		<-release
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return newPage(http.StatusOK, "text/plain", "", []byte("body"), time.Time{}), nil
	}
	// The first reader gives up while the page renders.
	first, cancel := context.WithCancel(context.Background())
	firstErr := make(chan error, 1)
	go func() { _, err := c.get(first, "k", fill); firstErr <- err }()
	<-started
	cancel()
	if err := <-firstErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("the reader who left: %v", err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for range 50 {
		wg.Go(func() {
			p, err := c.get(context.Background(), "k", fill)
			if err == nil && string(p.body) != "body" {
				err = errors.New("wrong body " + string(p.body))
			}
			errs <- err
		})
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := renders.Load(); n != 1 {
		t.Errorf("%d renders for one key, want 1", n)
	}
}

// A render that began before an invalidation is neither kept nor shared
// with readers who come after it.
func TestPageCacheInvalidateDuringRender(t *testing.T) {
	c := newPageCache(time.Hour)
	started, release := make(chan struct{}), make(chan struct{})
	old := make(chan *page, 1)
	go func() {
		p, _ := c.get(context.Background(), "k", func(context.Context) (*page, error) {
			close(started)
			<-release
			return newPage(http.StatusOK, "text/plain", "", []byte("old"), time.Time{}), nil
		})
		old <- p
	}()
	<-started
	c.invalidate()
	p, err := c.get(context.Background(), "k", func(context.Context) (*page, error) {
		return newPage(http.StatusOK, "text/plain", "", []byte("new"), time.Time{}), nil
	})
	if err != nil || string(p.body) != "new" {
		t.Fatalf("after the invalidation: %v %q", err, p.body)
	}
	close(release)
	if p := <-old; string(p.body) != "old" {
		t.Fatalf("the reader of the old render: %q", p.body)
	}
	p, _ = c.get(context.Background(), "k", func(context.Context) (*page, error) {
		t.Error("rendered again: the new page was not kept")
		return newPage(http.StatusOK, "text/plain", "", []byte("again"), time.Time{}), nil
	})
	if string(p.body) != "new" {
		t.Errorf("cached: %q, want the render that followed the invalidation", p.body)
	}
}

// A panicking render is an error for its readers, not the end of the
// process.
func TestPageCacheRenderPanics(t *testing.T) {
	c := newPageCache(time.Hour)
	_, err := c.get(context.Background(), "k", func(context.Context) (*page, error) { panic("boom") })
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("err = %v", err)
	}
}

// The API's anonymous reads come from the page cache with validators;
// a request with a token is answered afresh.
func TestAPICached(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	resp, body := s.get("/api/v1/briefs")
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != http.StatusOK || etag == "" || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /api/v1/briefs: %d ETag %q %s", resp.StatusCode, etag, resp.Header.Get("Content-Type"))
	}
	if resp, b := s.get("/api/v1/briefs", "If-None-Match", etag); resp.StatusCode != http.StatusNotModified || b != "" {
		t.Errorf("If-None-Match: %d", resp.StatusCode)
	}
	if resp, b := s.do(http.MethodHead, "/api/v1/briefs", nil); resp.StatusCode != http.StatusOK || b != "" || resp.Header.Get("ETag") != etag {
		t.Errorf("HEAD: %d %q", resp.StatusCode, resp.Header.Get("ETag"))
	}
	// A 400 keeps its problem document.
	if resp, b := s.get("/api/v1/briefs?cursor=nonsense"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(b, "cursor") {
		t.Errorf("bad cursor: %d %s", resp.StatusCode, b)
	}
	// A 401 keeps its WWW-Authenticate.
	if resp, _ := s.get("/api/v1/briefs?status=draft"); resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("drafts without a token: %d %v", resp.StatusCode, resp.Header)
	}

	// A write the site is not told of: anonymous readers keep the cached
	// list, a reader with a token sees it.
	now := time.Now().UTC().Truncate(time.Second)
	b := xssBrief()
	b.Slug, b.Title, b.PublishedAt = "uncached-write", "Uncached write", &now
	if _, err := s.st.SaveBrief(ctx, b, store.SaveOptions{Author: "test"}); err != nil {
		t.Fatal(err)
	}
	if _, body2 := s.get("/api/v1/briefs"); body2 != body {
		t.Error("the anonymous list changed without an invalidation: not cached")
	}
	token := apiToken(t, s)
	if _, b := s.get("/api/v1/briefs", "Authorization", "Bearer "+token); !strings.Contains(b, "uncached-write") {
		t.Error("the list read with a token lacks the new brief")
	}
	s.srv.Invalidate()
	if _, b := s.get("/api/v1/briefs"); !strings.Contains(b, "uncached-write") {
		t.Error("after Invalidate the list lacks the new brief")
	}
	// /me is never cached (personal).
	if resp, b := s.get("/api/v1/me", "Authorization", "Bearer "+token); resp.StatusCode != http.StatusOK || !strings.Contains(b, "editor-api@example.org") {
		t.Errorf("/me: %d %s", resp.StatusCode, b)
	}
}
