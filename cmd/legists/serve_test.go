package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"legists/internal/auth"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitForURL waits for serve to say where it runs and returns the URL.
func waitForURL(t *testing.T, stdout, stderr *syncBuffer, done <-chan int) string {
	t.Helper()
	re := regexp.MustCompile(`running at (http://\S+)/ `)
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); {
		if m := re.FindStringSubmatch(stdout.String()); m != nil {
			return m[1]
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d: %s", code, stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("no URL logged: %s %s", stdout.String(), stderr.String())
	return ""
}

func TestServeDemo(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "serve.db")
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- serve(ctx, []string{"--addr", "127.0.0.1:0", "--db", dsn, "--demo"}, &stdout, &stderr) }()
	base := waitForURL(t, &stdout, &stderr, done)
	deadline := time.Now().Add(60 * time.Second)
	for _, p := range []string{"/", "/healthz", "/readyz", "/feed.xml", "/feed.json", "/sitemap.xml", "/robots.txt", "/api/v1/briefs", "/admin/login"} {
		resp, err := http.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
		if p == "/api/v1/briefs" {
			var v struct{ Briefs []json.RawMessage }
			if json.Unmarshal(body, &v) != nil || len(v.Briefs) == 0 {
				t.Errorf("demo briefs not served: %s", body)
			}
		}
	}
	// The newsletter's pages are in the site's frame, and the calendar
	// subscription is a webcal: link.
	if resp, err := http.Get(base + "/events"); err != nil || resp.StatusCode != 200 {
		t.Errorf("/events: %v", err)
	} else {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), `class="sitenav"`) || !strings.Contains(string(body), `href="webcal://`) {
			t.Errorf("/events is not in the site frame or lacks its webcal: link:\n%s", body)
		}
	}
	if resp, _ := http.Get(base + "/metrics"); resp.StatusCode != 200 {
		t.Errorf("/metrics: %d", resp.StatusCode)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no graceful shutdown")
	}
	if !strings.Contains(stderr.String(), "demo content loaded") || !strings.Contains(stderr.String(), "stopped") {
		t.Errorf("log: %s", stderr.String())
	}
	// A second start keeps the data and does not load the demo again.
	ctx2, cancel2 := context.WithCancel(context.Background())
	var out2, err2 syncBuffer
	go func() { done <- serve(ctx2, []string{"--addr", "127.0.0.1:0", "--db", dsn, "--demo"}, &out2, &err2) }()
	for time.Now().Before(deadline) && !strings.Contains(out2.String(), "running at") {
		time.Sleep(50 * time.Millisecond)
	}
	cancel2()
	<-done
	if !strings.Contains(err2.String(), "already has briefs") {
		t.Errorf("second start: %s", err2.String())
	}
}

func TestServeFlags(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"serve", "--help"}, &out, &errb); code != exitOK || !strings.Contains(errb.String(), "--base-url") {
		t.Errorf("help: %d %s", code, errb.String())
	}
	if code := run([]string{"serve", "--bogus"}, &out, &errb); code != exitUsage {
		t.Errorf("bad flag: %d", code)
	}
	t.Setenv("LEGISTS_ADDR", "256.0.0.1:1")
	errb.Reset()
	if code := serve(context.Background(), []string{"--db", "sqlite:" + filepath.Join(t.TempDir(), "x.db")}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "cannot listen") {
		t.Errorf("LEGISTS_ADDR not read: %d %s", code, errb.String())
	}
}

func TestUsersCommand(t *testing.T) {
	auth.DefaultParams = auth.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "users.db")
	var out, errb bytes.Buffer
	usersStdin = strings.NewReader("a long password\n")
	if code := run([]string{"users", "add", "--db", dsn, "--email", "first@example.org", "--name", "First"}, &out, &errb); code != 0 {
		t.Fatalf("add: %d %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "as admin") {
		t.Errorf("the first user is not an admin: %s", out.String())
	}
	t.Setenv("LEGISTS_PASSWORD", "another long one")
	out.Reset()
	if code := run([]string{"users", "add", "--db", dsn, "--email", "second@example.org"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "as author") {
		t.Fatalf("second: %d %s", code, out.String())
	}
	if code := run([]string{"users", "add", "--db", dsn, "--email", "SECOND@example.org"}, &out, &errb); code != 1 {
		t.Errorf("duplicate: %d", code)
	}
	t.Setenv("LEGISTS_PASSWORD", "short")
	if code := run([]string{"users", "add", "--db", dsn, "--email", "third@example.org"}, &out, &errb); code != exitUsage {
		t.Errorf("short password: %d", code)
	}
	out.Reset()
	if code := run([]string{"users", "list", "--json", "--db", dsn}, &out, &errb); code != 0 {
		t.Fatal(code)
	}
	var l struct {
		Users []struct{ Email, Role string }
	}
	if err := json.Unmarshal(out.Bytes(), &l); err != nil || len(l.Users) != 2 || strings.Contains(out.String(), "argon2") {
		t.Errorf("list: %v %s", err, out.String())
	}
	out.Reset()
	if code := run([]string{"users", "token", "--db", dsn, "--email", "first@example.org"}, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "lgt_") {
		t.Errorf("token: %d %s", code, out.String())
	}
	t.Setenv("LEGISTS_PASSWORD", "a new long password")
	if code := run([]string{"users", "passwd", "--db", dsn, "--email", "first@example.org"}, &out, &errb); code != 0 {
		t.Errorf("passwd: %d %s", code, errb.String())
	}
	if code := run([]string{"users", "frobnicate"}, &out, &errb); code != exitUsage {
		t.Errorf("unknown subcommand: %d", code)
	}
	if code := run([]string{"users", "add", "--db", dsn}, &out, &errb); code != exitUsage {
		t.Errorf("no email: %d", code)
	}
}
