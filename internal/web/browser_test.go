package web

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"legists/internal/brief"
)

// chromium finds Debian's Chromium; the test is skipped without it unless
// LEGISTS_REQUIRE_BROWSER=1 (CI), where it fails.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("LEGISTS_REQUIRE_BROWSER") == "1" {
		t.Fatal("no chromium binary found and LEGISTS_REQUIRE_BROWSER=1 (apt-get install chromium)")
	}
	t.Skip("browser tests skipped: no chromium binary found (apt-get install chromium)")
	return ""
}

// outputDir is test-output/browser at the module root.
func outputDir(t *testing.T) string {
	t.Helper()
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			dir, _ = os.Getwd()
			break
		}
		dir = parent
	}
	out := filepath.Join(dir, "test-output", "browser")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	return out
}

type chrome struct {
	t        *testing.T
	ctx      context.Context
	out      string
	mu       sync.Mutex
	problems []string
}

func newChrome(t *testing.T) *chrome {
	t.Helper()
	bin := chromium(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 120*time.Second)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	c := &chrome{t: t, ctx: ctx, out: outputDir(t)}
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	// Collect CSP violations and script errors.
	entries := chromedp.Events(ctx, cdplog.EntryAdded)
	exceptions := chromedp.Events(ctx, runtime.ExceptionThrown)
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatalf("enable log: %v", err)
	}
	go func() {
		for e, err := range entries {
			if err != nil {
				return
			}
			if e.Entry.Level == cdplog.EntryLevelError && !strings.Contains(e.Entry.Text, "status of 404") {
				c.mu.Lock()
				c.problems = append(c.problems, e.Entry.Text)
				c.mu.Unlock()
			}
		}
	}()
	go func() {
		for e, err := range exceptions {
			if err != nil {
				return
			}
			c.mu.Lock()
			c.problems = append(c.problems, e.ExceptionDetails.Text)
			c.mu.Unlock()
		}
	}()
	return c
}

func (c *chrome) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	c.t.Helper()
	if err := chromedp.Do(c.ctx, actions...); err != nil {
		c.t.Fatalf("%s: %v", step, err)
	}
}

func run[T any](c *chrome, step string, a chromedp.Action[T]) T {
	c.t.Helper()
	v, err := chromedp.Run(c.ctx, a)
	if err != nil {
		c.t.Fatalf("%s: %v", step, err)
	}
	return v
}

func (c *chrome) shot(name string) {
	c.t.Helper()
	buf := run(c, "screenshot "+name, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(c.out, name+".png"), buf, 0o644); err != nil {
		c.t.Fatal(err)
	}
}

func (c *chrome) checkConsole() {
	c.t.Helper()
	time.Sleep(100 * time.Millisecond)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.problems {
		c.t.Errorf("browser console: %s", p)
	}
	c.problems = nil
}

func css(s string) chromedp.CSS { return chromedp.CSS(s) }

func TestBrowserReader(t *testing.T) {
	c := newChrome(t)
	s := newSite(t)

	c.do("open home", chromedp.Navigate(s.ts.URL+"/"), chromedp.WaitVisible(css(`.lead-title a`)))
	c.shot("01-home")
	// Keyboard: the first Tab reaches the skip link.
	c.do("tab", chromedp.KeyEvent(kb.Tab))
	if focused := run(c, "focus", chromedp.Evaluate[string](`document.activeElement.className`)); focused != "skip" {
		t.Errorf("first Tab focuses %q, want the skip link", focused)
	}
	c.do("follow the lead brief", chromedp.Click(css(`.lead-title a`)), chromedp.WaitVisible(css(`#brief-title`)))
	if title := run(c, "title", chromedp.Text(css(`#brief-title`))); title == "" {
		t.Fatal("no brief title")
	}
	if n := run(c, "citations", chromedp.Evaluate[int](`document.querySelectorAll('sup.cite a[href^="#source-"]').length`)); n == 0 {
		t.Error("no citation markers")
	}
	c.shot("02-brief")
	c.do("follow a citation", chromedp.Click(css(`sup.cite a`)))
	if loc := run(c, "location", chromedp.Location()); !strings.Contains(loc, "#source-") {
		t.Errorf("citation leads to %s", loc)
	}
	c.do("click a firm", chromedp.Click(css(`a.firmname`)), chromedp.WaitVisible(css(`svg.activity`)))
	if loc := run(c, "location", chromedp.Location()); !strings.Contains(loc, "/firms/") {
		t.Errorf("the firm link leads to %s", loc)
	}
	c.shot("03-firm")
	c.do("search", chromedp.SetValue(css(`#navq`), "court"), chromedp.Submit(css(`#navq`)), chromedp.WaitVisible(css(`.hits mark`)))
	if loc := run(c, "location", chromedp.Location()); !strings.Contains(loc, "/search?q=court") {
		t.Errorf("search at %s", loc)
	}
	c.shot("04-search")
	c.do("phone", chromedp.EmulateViewport(390, 844), chromedp.Navigate(s.ts.URL+"/"), chromedp.WaitVisible(css(`.lead-title`)))
	c.shot("05-home-phone")
	c.do("phone brief", chromedp.Navigate(s.ts.URL+"/briefs/"+demoBrief(t).Slug), chromedp.WaitVisible(css(`#brief-title`)))
	if run(c, "overflow", chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`)) {
		t.Error("the brief page scrolls sideways on a phone")
	}
	c.shot("06-brief-phone")
	c.checkConsole()
	c.do("404", chromedp.Navigate(s.ts.URL+"/no/such/page"), chromedp.WaitVisible(css(`.errorpage`)))
	c.shot("07-not-found")
}

func TestBrowserEditor(t *testing.T) {
	c := newChrome(t)
	s := newSite(t)
	s.addUser("editor@example.org", brief.RoleEditor, pw)

	c.do("login page", chromedp.Navigate(s.ts.URL+"/admin/"), chromedp.WaitVisible(css(`#email`)))
	if loc := run(c, "location", chromedp.Location()); !strings.Contains(loc, "/admin/login") {
		t.Fatalf("not redirected to login: %s", loc)
	}
	c.shot("10-login")
	c.do("log in", chromedp.SendKeys(css(`#email`), "editor@example.org"), chromedp.SendKeys(css(`#password`), pw),
		chromedp.Submit(css(`#password`)), chromedp.WaitVisible(css(`.tabs`)))
	c.shot("11-desk")
	c.do("new brief", chromedp.Click(css(`a.button[href="/admin/briefs/new"]`)), chromedp.WaitVisible(css(`#text`)),
		chromedp.SetValue(css(`#text`), deskBrief),
		chromedp.Click(css(`button[value="preview"]`)), chromedp.WaitVisible(css(`#preview`)))
	c.shot("12-preview")
	c.do("save", chromedp.Click(css(`button[value="save"]`)), chromedp.WaitVisible(css(`.notice.ok`)))
	if text := run(c, "notice", chromedp.Text(css(`.notice.ok`))); !strings.Contains(text, "Created") {
		t.Errorf("after save: %q", text)
	}
	c.shot("13-saved")
	c.do("publish", chromedp.Click(css(`button[value="published"]`)), chromedp.WaitVisible(css(`.badge.published`)))
	c.shot("14-published")
	slug := "regulator-fines-shipping-broker-over-sanctions-breaches"
	c.do("home shows it", chromedp.Navigate(s.ts.URL+"/"), chromedp.WaitVisible(css(`.lead-title a[href="/briefs/`+slug+`"]`)))
	c.shot("15-home-after-publish")
	c.do("follow it", chromedp.Click(css(`.lead-title a`)), chromedp.WaitVisible(css(`sup.cite a[href="#source-1"]`)))
	c.shot("16-published-brief")
	c.do("atom feed", chromedp.Navigate(s.ts.URL+"/feed.xml"), chromedp.Sleep(300*time.Millisecond))
	text := run(c, "feed text", chromedp.Evaluate[string](`document.documentElement.outerHTML`))
	if !strings.Contains(text, s.ts.URL+"/briefs/"+slug) || !strings.Contains(text, "Regulator fines shipping broker") {
		t.Errorf("the Atom feed lacks the new brief")
	}
	c.do("revisions", chromedp.Navigate(s.ts.URL+"/admin/briefs/"+slug+"/revisions"), chromedp.WaitVisible(css(`.difftable`)))
	c.shot("17-revisions")
	c.do("audit", chromedp.Navigate(s.ts.URL+"/admin/audit"), chromedp.WaitVisible(css(`.desktable`)))
	if text := run(c, "audit", chromedp.Text(css(`.desktable`))); !strings.Contains(text, "brief.status") || !strings.Contains(text, "editor@example.org") {
		t.Errorf("audit log: %q", text)
	}
	c.shot("18-audit")
	c.checkConsole()
}
