package web

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"legists/internal/brief"
	"legists/internal/demo"
	"legists/internal/metrics"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

// lockedBuffer collects log output written by server goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type observedSite struct {
	srv  *Server
	ts   *httptest.Server
	logs *lockedBuffer
	slug string
}

// newObservedSite serves the real handler on SQLite with the demo content,
// production-style: metrics observer, /metrics, JSON logs at Debug.
func newObservedSite(t *testing.T) *observedSite {
	t.Helper()
	st := storetest.OpenSQLite(t)
	if err := demo.Load(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	page, err := st.ListBriefs(context.Background(), store.BriefFilter{Status: brief.StatusPublished, Limit: 1})
	if err != nil || len(page.Briefs) == 0 {
		t.Fatalf("no demo briefs: %v", err)
	}
	logs := &lockedBuffer{}
	logger := slog.New(LogHandler(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	ts := httptest.NewServer(nil)
	t.Cleanup(ts.Close)
	srv, err := New(Options{Store: st.(Store), BaseURL: ts.URL, Logger: logger,
		Observer: metrics.HTTP{}, Metrics: metrics.Handler()})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv
	return &observedSite{srv: srv, ts: ts, logs: logs, slug: page.Briefs[0].Slug}
}

func (o *observedSite) request(t *testing.T, method, path string, hdr ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, o.ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	c := &http.Client{Transport: &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	_, _ = body.ReadFrom(resp.Body)
	resp.Body.Close()
	return resp
}

// logLines returns the JSON request lines logged so far, waiting briefly
// for want of them: the line is written as the handler returns, which may
// be just after the client has the whole response.
func (o *observedSite) logLines(t *testing.T, want func(map[string]any) bool) []map[string]any {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		var out []map[string]any
		for _, line := range strings.Split(strings.TrimSpace(o.logs.String()), "\n") {
			if line == "" {
				continue
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("log line is not JSON: %q", line)
			}
			if want(m) {
				out = append(out, m)
			}
		}
		if len(out) > 0 || time.Now().After(deadline) {
			return out
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestMetricsByRoutePattern(t *testing.T) {
	o := newObservedSite(t)
	rawPaths := []string{
		"/briefs/" + o.slug,
		"/briefs/no-such-brief-x7q",
		"/no/such/page-x7q",
		"/firms//double-slash-x7q",
	}
	for _, p := range rawPaths {
		o.request(t, http.MethodGet, p)
	}
	if resp := o.request(t, http.MethodGet, "/briefs/"+o.slug); resp.StatusCode != 200 {
		t.Fatalf("brief: %d", resp.StatusCode)
	}
	o.request(t, "BREW", "/healthz")           // an odd method: folded to OTHER
	o.request(t, http.MethodPost, "/feed.xml") // 405

	// The server records a request as its handler returns, which may be
	// just after the client has the response: scrape until the last
	// request shows.
	var fams map[string]*dto.MetricFamily
	for deadline := time.Now().Add(3 * time.Second); ; {
		fams = scrape(t, o.ts.URL+"/metrics")
		if routeCount(fams, "GET /briefs/{slug}") >= 3 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, name := range []string{"legists_http_request_duration_seconds", "legists_http_requests_in_flight",
		"legists_jobs_total", "legists_ingest_fetches_total", "legists_ingest_articles_total",
		"legists_mail_messages_total", "go_goroutines"} {
		if fams[name] == nil {
			t.Errorf("no %s in /metrics", name)
		}
	}
	hist := fams["legists_http_request_duration_seconds"]
	if hist == nil || hist.GetType() != dto.MetricType_HISTOGRAM {
		t.Fatalf("legists_http_request_duration_seconds is not a histogram: %v", hist)
	}
	patternRE := regexp.MustCompile(`^[A-Z]+ /[^ ]*$`)
	methods := map[string]bool{}
	for _, m := range hist.GetMetric() {
		l := labels(m)
		route := l["route"]
		methods[l["method"]] = true
		if route != RouteUnmatched && !patternRE.MatchString(route) {
			t.Errorf("route label %q is neither a pattern nor %q", route, RouteUnmatched)
		}
		for _, p := range rawPaths {
			if strings.Contains(route, strings.TrimPrefix(p, "/briefs/")) || route == p {
				t.Errorf("route label %q carries the raw path %q", route, p)
			}
		}
		if !regexp.MustCompile(`^[1-5]xx$`).MatchString(l["status"]) {
			t.Errorf("status label %q is not a class", l["status"])
		}
	}
	// Two hits of the real brief and one of a missing one, all one route.
	if briefCount := routeCount(fams, "GET /briefs/{slug}"); briefCount < 3 {
		t.Errorf(`route "GET /briefs/{slug}" counted %d requests, want ≥ 3`, briefCount)
	}
	if !methods["OTHER"] || methods["BREW"] {
		t.Errorf("methods not folded: %v", methods)
	}
	if v := fams["legists_http_requests_in_flight"].GetMetric()[0].GetGauge().GetValue(); v < 1 {
		// The scrape itself is in flight.
		t.Errorf("in flight during a scrape: %v", v)
	}
}

func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics: %d", resp.StatusCode)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return fams
}

// routeCount is the number of GET requests the duration histogram counted
// for route, over every status class.
func routeCount(fams map[string]*dto.MetricFamily, route string) uint64 {
	var n uint64
	for _, m := range fams["legists_http_request_duration_seconds"].GetMetric() {
		if l := labels(m); l["route"] == route && l["method"] == "GET" {
			n += m.GetHistogram().GetSampleCount()
		}
	}
	return n
}

func labels(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, lp := range m.GetLabel() {
		out[lp.GetName()] = lp.GetValue()
	}
	return out
}

func TestRequestID(t *testing.T) {
	o := newObservedSite(t)
	hexID := regexp.MustCompile(`^[0-9a-f]{16}$`)

	// A sane incoming ID is kept.
	resp := o.request(t, http.MethodGet, "/healthz", "X-Request-ID", "edge-1.abc_DEF")
	if got := resp.Header.Get("X-Request-ID"); got != "edge-1.abc_DEF" {
		t.Errorf("sane ID not honoured: %q", got)
	}
	// No ID, or one too long or with other characters: a new one.
	seen := map[string]bool{}
	for _, in := range []string{"", strings.Repeat("a", 65), "bad id", "x\"y", "ünï"} {
		var hdr []string
		if in != "" {
			hdr = []string{"X-Request-ID", in}
		}
		got := o.request(t, http.MethodGet, "/healthz", hdr...).Header.Get("X-Request-ID")
		if !hexID.MatchString(got) {
			t.Errorf("incoming %q: generated ID %q is not 16 hex digits", in, got)
		}
		if seen[got] {
			t.Errorf("ID %q generated twice", got)
		}
		seen[got] = true
	}
	// 64 characters are fine.
	long := strings.Repeat("b", 64)
	if got := o.request(t, http.MethodGet, "/healthz", "X-Request-ID", long).Header.Get("X-Request-ID"); got != long {
		t.Errorf("64-character ID replaced by %q", got)
	}
	// The ID is in the request line logged.
	lines := o.logLines(t, func(m map[string]any) bool { return m["request_id"] == "edge-1.abc_DEF" })
	if len(lines) != 1 || lines[0]["msg"] != "request" {
		t.Errorf("request line with the ID: %v", lines)
	}
}

func TestRequestLogLineJSON(t *testing.T) {
	o := newObservedSite(t)
	resp := o.request(t, http.MethodGet, "/briefs/"+o.slug, "X-Request-ID", "shape-test")
	if resp.StatusCode != 200 {
		t.Fatalf("brief: %d", resp.StatusCode)
	}
	o.request(t, http.MethodGet, "/healthz", "X-Request-ID", "probe")

	lines := o.logLines(t, func(m map[string]any) bool { return m["request_id"] == "shape-test" })
	if len(lines) != 1 {
		t.Fatalf("want one line for the request, got %v", lines)
	}
	l := lines[0]
	want := map[string]any{"level": "INFO", "msg": "request", "method": "GET", "route": "GET /briefs/{slug}",
		"path": "/briefs/" + o.slug, "status": float64(200), "remote": "127.0.0.1"}
	for k, v := range want {
		if l[k] != v {
			t.Errorf("%s = %#v, want %#v", k, l[k], v)
		}
	}
	for _, k := range []string{"time", "bytes", "duration"} {
		if _, ok := l[k]; !ok {
			t.Errorf("no %q in %v", k, l)
		}
	}
	if b, _ := l["bytes"].(float64); b <= 0 {
		t.Errorf("bytes = %v", l["bytes"])
	}
	if d, _ := l["duration"].(float64); d <= 0 {
		t.Errorf("duration = %v", l["duration"])
	}
	probe := o.logLines(t, func(m map[string]any) bool { return m["request_id"] == "probe" })
	if len(probe) != 1 || probe[0]["level"] != "DEBUG" || probe[0]["route"] != "GET /healthz" {
		t.Errorf("probe line: %v", probe)
	}
}

func TestLogHandlerAddsRequestID(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(LogHandler(slog.NewJSONHandler(&buf, nil))).With("component", "x")
	ctx := WithRequestID(context.Background(), "abc123")
	logger.InfoContext(ctx, "one")
	logger.InfoContext(ctx, "two", "request_id", "explicit")
	logger.Info("three")
	var got []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		got = append(got, m)
	}
	if got[0]["request_id"] != "abc123" || got[0]["component"] != "x" {
		t.Errorf("one: %v", got[0])
	}
	if got[1]["request_id"] != "explicit" || strings.Count(buf.String(), `"request_id"`) != 2 {
		t.Errorf("two: %v (%s)", got[1], buf.String())
	}
	if _, ok := got[2]["request_id"]; ok {
		t.Errorf("three has a request ID: %v", got[2])
	}
	if RequestID(ctx) != "abc123" || RequestID(context.Background()) != "" {
		t.Error("RequestID accessor")
	}
	if _, ok := LogHandler(LogHandler(slog.DiscardHandler)).(logHandler); !ok {
		t.Error("LogHandler twice")
	}
}

func TestReadyzDuringShutdown(t *testing.T) {
	o := newObservedSite(t)
	if resp := o.request(t, http.MethodGet, "/readyz"); resp.StatusCode != 200 {
		t.Fatalf("readyz: %d", resp.StatusCode)
	}
	o.srv.BeginShutdown()
	if resp := o.request(t, http.MethodGet, "/readyz"); resp.StatusCode != 503 {
		t.Errorf("readyz while shutting down: %d", resp.StatusCode)
	}
	if resp := o.request(t, http.MethodGet, "/healthz"); resp.StatusCode != 200 {
		t.Errorf("healthz while shutting down: %d", resp.StatusCode)
	}
}

func TestSchedulerReportsJobs(t *testing.T) {
	o := newObservedSite(t)
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	var kinds []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		o.srv.RunSchedulerWith(ctx, time.Hour, func(kind string) func(error) {
			return func(err error) {
				mu.Lock()
				kinds = append(kinds, kind)
				mu.Unlock()
				cancel()
			}
		})
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("scheduler did not stop")
	}
	if len(kinds) != 1 || kinds[0] != JobPublishScheduled {
		t.Errorf("jobs reported: %v", kinds)
	}
}
