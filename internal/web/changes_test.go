package web

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"legists/internal/api"
	"legists/internal/brief"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

// eventually polls cond until it holds, failing the test after a
// generous deadline (no timing is asserted: the deadline only ends a
// test that would otherwise wait for ever).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after 60 s: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestCrossInstanceInvalidation runs two sites, each with a store of its
// own, on one PostgreSQL database, as two `legists serve` instances are.
// Site B caches pages for an hour and follows the change feed; briefs
// published, edited and withdrawn through site A's API show on site B as
// soon as it hears of them.
func TestCrossInstanceInvalidation(t *testing.T) {
	dsn := storetest.PostgresDSN(t) // skips without LEGISTS_TEST_POSTGRES
	ctx := context.Background()
	openStore := func() Store {
		st, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st.(Store)
	}
	a := newSiteOn(t, openStore()) // loads the demo content

	stB := openStore()
	tsB := httptest.NewServer(nil)
	t.Cleanup(tsB.Close)
	listening := make(chan struct{}, 1)
	srvB, err := New(Options{Store: stB, BaseURL: tsB.URL, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		CacheTTL: time.Hour, // only the change feed can refresh B's pages in this test
		Changed: func(table string) {
			if table == "" {
				select {
				case listening <- struct{}{}:
				default:
				}
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	tsB.Config.Handler = srvB
	b := &testSite{t: t, srv: srvB, st: stB, ts: tsB}
	feedCtx, stopFeed := context.WithCancel(ctx)
	feedDone := make(chan struct{})
	go func() { srvB.FollowChanges(feedCtx); close(feedDone) }()
	t.Cleanup(func() { stopFeed(); <-feedDone })
	select {
	case <-listening:
	case <-time.After(60 * time.Second):
		t.Fatal("site B's change feed did not connect")
	}

	// B caches: a change made without a notification (triggers off for
	// this one session) does not show on B.
	e := demoBrief(t)
	src, err := a.st.GetBrief(ctx, e.Slug)
	if err != nil {
		t.Fatal(err)
	}
	_, page := b.get("/briefs/" + e.Slug)
	mustContain(t, page, htmlText(src.Title))
	quiet(t, dsn, `UPDATE briefs SET title = 'Quietly retitled' WHERE slug = $1`, e.Slug)
	if _, page := b.get("/briefs/" + e.Slug); !strings.Contains(page, htmlText(src.Title)) || strings.Contains(page, "Quietly retitled") {
		t.Fatal("site B does not serve its cached page (the test could not tell a refresh from no caching)")
	}

	// What B shows before: its pages are cached, a 404 included.
	const slug, title = "cross-instance-ruling", "Cross-instance ruling lands"
	paths := []string{"/", "/feed.xml", "/feed.json", "/api/v1/briefs", "/briefs/" + slug}
	for _, p := range paths {
		resp, body := b.get(p)
		if strings.Contains(body, title) || strings.Contains(body, slug) {
			t.Fatalf("%s on B shows the brief before it exists", p)
		}
		if p == "/briefs/"+slug && resp.StatusCode != http.StatusNotFound {
			t.Fatalf("%s on B: %d before the brief exists", p, resp.StatusCode)
		}
	}

	// Published through A's API.
	token := apiToken(t, a)
	nb := *src
	now := time.Now().UTC().Truncate(time.Second)
	nb.Slug, nb.Title, nb.Status, nb.PublishedAt = slug, title, brief.StatusPublished, &now
	if code := a.putBrief(t, token, &nb); code != http.StatusCreated && code != http.StatusOK {
		t.Fatalf("PUT through A: %d", code)
	}
	for _, p := range paths {
		eventually(t, p+" on B shows the brief published through A", func() bool {
			resp, body := b.get(p)
			return resp.StatusCode == http.StatusOK && strings.Contains(body, slug)
		})
	}

	// Edited through A.
	nb.Title = title + " (updated)"
	if code := a.putBrief(t, token, &nb); code != http.StatusOK {
		t.Fatalf("PUT through A: %d", code)
	}
	eventually(t, "B's brief page shows the edit", func() bool {
		_, body := b.get("/briefs/" + slug)
		return strings.Contains(body, "(updated)")
	})
	eventually(t, "B's API list shows the edit", func() bool {
		_, body := b.get("/api/v1/briefs")
		return strings.Contains(body, "(updated)")
	})

	// Withdrawn through A: back to draft.
	nb.Status = brief.StatusDraft
	if code := a.putBrief(t, token, &nb); code != http.StatusOK {
		t.Fatalf("PUT through A: %d", code)
	}
	eventually(t, "B's brief page is gone", func() bool {
		resp, _ := b.get("/briefs/" + slug)
		return resp.StatusCode == http.StatusNotFound
	})
	for _, p := range paths[:4] {
		eventually(t, p+" on B no longer lists the withdrawn brief", func() bool {
			resp, body := b.get(p)
			return resp.StatusCode == http.StatusOK && !strings.Contains(body, slug)
		})
	}

	// Published by A's scheduler (the draft was scheduled for a time now
	// past), which writes through the store as `legists import` does.
	if err := a.st.SchedulePublish(ctx, store.ScheduledPublish{Slug: slug, At: now, By: "editor-api@example.org"}); err != nil {
		t.Fatal(err)
	}
	if n, err := a.srv.PublishDue(ctx, time.Now()); err != nil || n != 1 {
		t.Fatalf("PublishDue on A: %d, %v", n, err)
	}
	eventually(t, "B's brief page is back after the scheduled publication", func() bool {
		resp, body := b.get("/briefs/" + slug)
		return resp.StatusCode == http.StatusOK && strings.Contains(body, "(updated)")
	})
	eventually(t, "B's home page lists the scheduled brief", func() bool {
		_, body := b.get("/")
		return strings.Contains(body, slug)
	})
}

// htmlText is s as html/template writes it in text.
func htmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "'", "&#39;", `"`, "&#34;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// quiet runs one statement with the triggers off (session_replication_role
// replica): a change no instance is told of.
func quiet(t *testing.T, dsn, q string, args ...any) {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SET session_replication_role = replica`); err != nil {
		t.Skipf("cannot turn the triggers off for the control (needs a superuser): %v", err)
	}
	if _, err := conn.ExecContext(ctx, q, args...); err != nil {
		t.Fatal(err)
	}
}

// apiToken makes an editor and returns an API token of theirs.
func apiToken(t *testing.T, s *testSite) string {
	t.Helper()
	u := s.addUser("editor-api@example.org", brief.RoleEditor, "long enough passphrase")
	secret, _, err := s.srv.Auth().NewAPIToken(context.Background(), u, "test", 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// putBrief saves b through the site's API and returns the status.
func (s *testSite) putBrief(t *testing.T, token string, b *brief.Brief) int {
	t.Helper()
	body, err := json.Marshal(api.FromBrief(b, ""))
	if err != nil {
		t.Fatal(err)
	}
	resp, text := s.do(http.MethodPut, "/api/v1/briefs/"+b.Slug, bytes.NewReader(body),
		"Authorization", "Bearer "+token, "Content-Type", "application/json")
	if resp.StatusCode >= 300 {
		t.Logf("PUT %s: %d %s", b.Slug, resp.StatusCode, text)
	}
	return resp.StatusCode
}

// On SQLite there is no feed: FollowChanges returns at once, and the
// site invalidates after its own writes.
func TestFollowChangesSQLite(t *testing.T) {
	s := newSite(t)
	done := make(chan struct{})
	go func() { s.srv.FollowChanges(context.Background()); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("FollowChanges on SQLite did not return")
	}
	var err error = s.st.(store.ChangeFeed).FollowChanges(context.Background(), func(string) {}, nil)
	if !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("FollowChanges on SQLite: %v, want ErrUnsupported", err)
	}
}
