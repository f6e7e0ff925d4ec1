package web

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"legists/internal/auth"
	"legists/internal/brief"
)

// vmHWM is the process's peak resident set size (Linux), in bytes.
func vmHWM(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status:", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	t.Skip("no VmHWM")
	return 0
}

// resetHWM starts a new peak: writing 5 to clear_refs resets VmHWM to the
// current RSS.
func resetHWM(t *testing.T) {
	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Skip("cannot reset the peak RSS:", err)
	}
}

// p99 of durations.
func p99(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*99/100)]
}

// probeHealthz times GET /healthz until stop closes (at least n times).
func probeHealthz(t *testing.T, s *testSite, n int, stop <-chan struct{}) []time.Duration {
	c := &http.Client{Timeout: time.Minute}
	var out []time.Duration
	for i := 0; ; i++ {
		if i >= n {
			if stop == nil {
				return out
			}
			select {
			case <-stop:
				return out
			default:
			}
		}
		start := time.Now()
		resp, err := c.Get(s.ts.URL + "/healthz")
		if err != nil {
			t.Error(err)
			return out
		}
		resp.Body.Close()
		out = append(out, time.Since(start))
		time.Sleep(5 * time.Millisecond)
	}
}

// TestLoginFloodBounded sends 50 parallel bad logins, each from its own
// address (behind a trusted proxy) for its own account, so that neither
// throttle stops them: only the bounded hashing does. It compares, in the
// same run, the process's peak RSS and /healthz's p99 under the flood with
// an idle baseline, with the real argon2id cost (64 MiB, 3 passes).
// Figures: go test -run TestLoginFloodBounded -v ./internal/web/
func TestLoginFloodBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real argon2id hashes")
	}
	oldParams := auth.DefaultParams
	auth.DefaultParams = auth.Params{Memory: 64 * 1024, Time: 3, Threads: 2, SaltLen: 16, KeyLen: 32}
	defer func() { auth.DefaultParams = oldParams }()
	if os.Getenv("LEGISTS_FLOOD_UNBOUNDED") != "" { // the figures of the unfixed behaviour: expect a failure
		old := auth.Hashing
		auth.Hashing = auth.NewHashLimit(1000, time.Hour)
		defer func() { auth.Hashing = old }()
	}
	s := newSiteBehindProxy(t)
	s.addUser("editor@example.org", brief.RoleEditor, pw)
	s.tryLogin("warm@example.org", "wrong password") // the dummy hash, connection set-up

	// Idle baseline.
	resetHWM(t)
	idleLat := probeHealthz(t, s, 200, nil)
	idleRSS := vmHWM(t)

	// The flood.
	const n = 50
	type prepared struct {
		b    *browser
		form url.Values
	}
	ps := make([]prepared, n)
	for i := range ps {
		b := s.browser()
		b.c.Timeout = 5 * time.Minute
		_, page := b.get("/admin/login")
		ps[i] = prepared{b, url.Values{"csrf": {csrfOf(t, page)}, "email": {fmt.Sprintf("guess%d@example.org", i)}, "password": {"wrong password"}}}
	}
	resetHWM(t)
	stop := make(chan struct{})
	latc := make(chan []time.Duration)
	go func() { latc <- probeHealthz(t, s, 50, stop) }()
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	start := time.Now()
	for i, p := range ps {
		wg.Go(func() {
			resp, _ := p.b.postWith("/admin/login", p.form, "X-Forwarded-For", "198.51.100."+strconv.Itoa(i+1))
			if resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") == "" {
				t.Error("503 without Retry-After")
			}
			mu.Lock()
			statuses[resp.StatusCode]++
			mu.Unlock()
		})
	}
	wg.Wait()
	flood := time.Since(start)
	close(stop)
	attackLat := <-latc
	attackRSS := vmHWM(t)

	rssRatio := float64(attackRSS) / float64(idleRSS)
	latRatio := float64(p99(attackLat)) / float64(p99(idleLat))
	t.Logf("50 parallel bad logins in %v: answers %v", flood.Round(time.Millisecond), statuses)
	t.Logf("peak RSS: idle %d MiB, flood %d MiB (ratio %.2f)", idleRSS>>20, attackRSS>>20, rssRatio)
	t.Logf("/healthz p99: idle %v (%d probes), flood %v (%d probes) (ratio %.1f)",
		p99(idleLat).Round(time.Microsecond), len(idleLat), p99(attackLat).Round(time.Microsecond), len(attackLat), latRatio)
	if statuses[http.StatusUnauthorized]+statuses[http.StatusServiceUnavailable] != n {
		t.Errorf("answers %v, want only 401 (evaluated) and 503 (busy)", statuses)
	}
	// At most Capacity hashes of 64 MiB run at once, however many logins
	// come, and the rest wait at most the queue timeout: the peak stays a
	// few times the idle process's (4× measured, on 2 cores; unbounded,
	// 50 hashes at once took it to 78×), and /healthz stays responsive
	// (p99 17-50× idle measured on a busy machine; unbounded, 1,000×: 5 s).
	if rssRatio > 8 {
		t.Errorf("peak RSS under the flood is %.1f× the idle peak, want under 8×", rssRatio)
	}
	if latRatio > 250 {
		t.Errorf("/healthz p99 under the flood is %.0f× the idle p99, want under 250×", latRatio)
	}
}
