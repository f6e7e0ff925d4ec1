package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// /metrics can be restricted: with --metrics-addr it leaves the site's
// address for its own, and with --metrics-token it needs the token.
func TestServeMetricsRestricted(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	maddr := l.Addr().String()
	l.Close()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "serve.db")
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	t.Setenv("LEGISTS_METRICS_TOKEN", "s3cret-metrics-token")
	go func() {
		done <- serve(ctx, []string{"--addr", "127.0.0.1:0", "--db", dsn, "--no-jobs", "--metrics-addr", maddr}, &stdout, &stderr)
	}()
	base := waitForURL(t, &stdout, &stderr, done)
	get := func(u, token string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get(base+"/metrics", "s3cret-metrics-token"); code != http.StatusNotFound {
		t.Errorf("/metrics on the site's address with --metrics-addr: %d, want 404", code)
	}
	if code, body := get("http://"+maddr+"/metrics", ""); code != http.StatusUnauthorized || !strings.Contains(body, "Bearer") {
		t.Errorf("/metrics without the token: %d", code)
	}
	if code, _ := get("http://"+maddr+"/metrics", "wrong"); code != http.StatusUnauthorized {
		t.Errorf("/metrics with a wrong token: %d", code)
	}
	if code, body := get("http://"+maddr+"/metrics", "s3cret-metrics-token"); code != 200 || !strings.Contains(body, "legists_") {
		t.Errorf("/metrics with the token: %d", code)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if strings.Contains(stderr.String(), "s3cret-metrics-token") {
		t.Error("the log shows the metrics token")
	}

	// --help documents both, and never shows the token's value.
	var out, errb bytes.Buffer
	run([]string{"serve", "--help"}, &out, &errb)
	help := out.String() + errb.String()
	for _, want := range []string{"-metrics-token", "-metrics-addr", "LEGISTS_METRICS_TOKEN", "LEGISTS_METRICS_ADDR", "-trust-proxy"} {
		if !strings.Contains(help, want) {
			t.Errorf("serve --help lacks %s", want)
		}
	}
	if strings.Contains(help, "s3cret-metrics-token") {
		t.Error("serve --help shows the metrics token")
	}
}
