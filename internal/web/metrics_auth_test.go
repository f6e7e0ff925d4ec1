package web

import (
	"io"
	"log/slog"
	"net/http"
	"testing"
)

// With Options.MetricsToken, /metrics on the site's address needs it.
func TestMetricsToken(t *testing.T) {
	s := newSite(t)
	metrics := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "legists_up 1\n") })
	srv, err := New(Options{Store: s.st, BaseURL: s.ts.URL, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Metrics: metrics, MetricsToken: "tok-123"})
	if err != nil {
		t.Fatal(err)
	}
	s.ts.Config.Handler = srv
	for hdr, want := range map[string]int{"": 401, "Bearer wrong": 401, "Basic tok-123": 401, "Bearer tok-123": 200, "bearer tok-123": 200} {
		resp, body := s.get("/metrics", "Authorization", hdr)
		if resp.StatusCode != want {
			t.Errorf("Authorization %q: %d, want %d", hdr, resp.StatusCode, want)
		}
		if want == 401 && resp.Header.Get("WWW-Authenticate") == "" {
			t.Error("401 without WWW-Authenticate")
		}
		if want == 200 && body != "legists_up 1\n" {
			t.Errorf("body %q", body)
		}
	}
}
