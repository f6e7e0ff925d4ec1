package main

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"legists/internal/brief"
	"legists/internal/ingest/ingesttest"
	"legists/internal/source"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

// startServe runs serve in this process until the test ends and returns
// its base URL.
func startServe(t *testing.T, args ...string) (base string, stderr *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout syncBuffer
	stderr = &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- serve(ctx, append([]string{"--addr", "127.0.0.1:0"}, args...), &stdout, stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("serve exited %d: %s", code, stderr.String())
			}
		case <-time.After(30 * time.Second):
			t.Error("no graceful shutdown")
		}
	})
	re := regexp.MustCompile(`running at (http://\S+)/ `)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(stdout.String()); m != nil {
			return m[1], stderr
		}
		select {
		case code := <-done:
			done <- code
			t.Fatalf("serve exited %d: %s", code, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not start: %s", stderr.String())
	return "", nil
}

// On SQLite, legists serve runs its background work as jobs: sources are
// polled, a scheduled brief is published, and /metrics counts the jobs.
func TestServeJobsSQLite(t *testing.T) {
	fixtures := ingesttest.New()
	defer fixtures.Close()
	dsn := storetest.SQLiteDSN(t)
	ctx := context.Background()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.AddSource(ctx, source.Source{URL: fixtures.URLOf("/feeds/rss2.xml"), Kind: source.KindFeed}); err != nil {
		t.Fatal(err)
	}
	b := storetest.GenerateBriefs(1, 3)[0]
	b.Slug, b.Status = "due-soon", brief.StatusReview
	if _, err := st.SaveBrief(ctx, b, store.SaveOptions{Author: "editor@example.org"}); err != nil {
		t.Fatal(err)
	}
	if err := st.SchedulePublish(ctx, store.ScheduledPublish{Slug: "due-soon", At: time.Now().Add(time.Second), By: "editor@example.org"}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LEGISTS_ALLOW_PRIVATE", "1")
	t.Setenv("LEGISTS_JOB_INTERVAL_SCALE", "0.01")
	t.Setenv("LEGISTS_DIGEST_EVERY", "1s")
	t.Setenv("LEGISTS_OUTBOX", filepath.Join(t.TempDir(), "outbox"))
	t.Setenv("LEGISTS_SMTP", "")
	base, logs := startServe(t, "--db", dsn, "--workers", "2", "--log-format", "text")

	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := st.GetBrief(ctx, "due-soon")
		if err != nil {
			t.Fatal(err)
		}
		srcs, err := st.ListSources(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status == brief.StatusPublished && srcs[0].LastPolledAt != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("brief %s, source %+v\n%s", got.Status, srcs[0], logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	waitMetric := func(re *regexp.Regexp) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			resp, err := http.Get(base + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if re.Match(body) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("no %s in /metrics:\n%s", re, body)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitMetric(regexp.MustCompile(`legists_job_queue_jobs\{kind="publish_scheduled",state="completed"\} [1-9]`))
	waitMetric(regexp.MustCompile(`legists_jobs_total\{kind="ingest-poll",state="succeeded"\} [1-9]`))
	waitMetric(regexp.MustCompile(`legists_jobs_total\{kind="digest-send",state="succeeded"\} [1-9]`))
	if strings.Contains(logs.String(), "database is locked") {
		t.Errorf("SQLite lock errors:\n%s", logs.String())
	}
}

// --no-jobs serves the site and runs no background work; --workers wants
// a positive number.
func TestServeNoJobs(t *testing.T) {
	dsn := storetest.SQLiteDSN(t)
	base, logs := startServe(t, "--db", dsn, "--no-jobs")
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("/healthz: %d", resp.StatusCode)
	}
	time.Sleep(300 * time.Millisecond)
	db, err := sql.Open("sqlite", strings.TrimPrefix(dsn, "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name LIKE 'river_%'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("a web-only instance made %d job tables (%v)", n, err)
	}
	if strings.Contains(logs.String(), "job queue started") {
		t.Errorf("job queue started:\n%s", logs.String())
	}

	var out, errb syncBuffer
	if code := serve(context.Background(), []string{"--db", dsn, "--workers", "0"}, &out, &errb); code != exitUsage {
		t.Errorf("--workers 0: exit %d", code)
	}
}
