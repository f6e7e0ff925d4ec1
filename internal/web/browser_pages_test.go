package web

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"legists/internal/digest"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

// publicPage is one page a reader can reach, and an element that shows it
// has rendered.
type publicPage struct {
	name, path, ready string
}

// publicPages lists every kind of public page of the demo site.
// lawHrefRE finds the first link to a legal instrument's page.
var lawHrefRE = regexp.MustCompile(`href="(/law/[^"#]+)"`)

func publicPages(t *testing.T, s *testSite) []publicPage {
	t.Helper()
	ctx := context.Background()
	e := demoBrief(t)
	b, err := s.st.GetBrief(ctx, e.Slug)
	if err != nil {
		t.Fatal(err)
	}
	_, page := s.get("/briefs/" + e.Slug)
	firm := hrefRE.FindStringSubmatch(page)
	if firm == nil {
		t.Fatal("the brief links no firm")
	}
	law := lawHrefRE.FindStringSubmatch(page)
	if law == nil {
		t.Fatal("the brief links no legal instrument")
	}
	return []publicPage{
		{"home", "/", ".lead-title"},
		{"brief", "/briefs/" + e.Slug, "#brief-title"},
		{"source", "/briefs/" + e.Slug + "/sources/1", "main h1"},
		{"firm", firm[1], "svg.activity"},
		{"topic", "/topics/sanctions-export-controls", "svg.activity"},
		{"firms", "/firms/", "main h1"},
		{"topics", "/topics/", "main h1"},
		{"law", law[1], "main h1"},
		{"search", "/search?q=sanctions&topic=sanctions-export-controls&firm=" + url.QueryEscape(strings.TrimPrefix(firm[1], "/firms/")), ".hits"},
		{"search-words", "/search?q=" + url.QueryEscape(b.Title[:strings.Index(b.Title, " ")]), "main h1"},
		{"events", "/events", "main h1"},
		{"subscribe", "/subscribe", "#sub-email"},
		{"preferences", s.preferencesLink("reader@example.org"), "main h1"},
		{"not-found", "/no/such/page", ".errorpage"},
	}
}

// preferencesLink subscribes email (following a firm) and returns the
// signed link to its preferences page that its mail would carry.
func (s *testSite) preferencesLink(email string) string {
	s.t.Helper()
	ctx := context.Background()
	if _, err := s.st.ImportSubscribers(ctx, []store.Subscriber{{Email: email, Firms: []string{"linklaters-llp"}}}); err != nil {
		s.t.Fatal(err)
	}
	sub, err := s.st.GetSubscriberByEmail(ctx, email)
	if err != nil {
		s.t.Fatal(err)
	}
	tok, err := digest.LoadTokens(ctx, s.st)
	if err != nil {
		s.t.Fatal(err)
	}
	return digest.Links{Tokens: tok}.Preferences(sub)
}

// TestBrowserEveryPublicPage opens every public page at desktop and phone
// widths, takes a screenshot of each into test-output/browser/, and fails
// on sideways scrolling, console errors or CSP reports.
func TestBrowserEveryPublicPage(t *testing.T) {
	c := newChrome(t)
	s := newNewsletterSite(t, storetest.OpenSQLite(t), t.TempDir())
	pages := publicPages(t, s)
	axe := axeSource(t)
	for _, width := range []int64{1280, 390, 360} {
		for _, p := range pages {
			c.do(fmt.Sprintf("%s at %d px", p.name, width), chromedp.EmulateViewport(width, 844),
				chromedp.Navigate(s.ts.URL+p.path), chromedp.WaitVisible(css(p.ready)))
			// The widest element, when the page is wider than the screen.
			wide := run(c, "overflow", chromedp.Evaluate[string](`(function () {
				if (document.documentElement.scrollWidth <= window.innerWidth) return "";
				var worst = "", right = 0;
				document.querySelectorAll("body *").forEach(function (el) {
					var r = el.getBoundingClientRect();
					if (r.right > right) { right = r.right; worst = el.tagName.toLowerCase() + (el.className ? "." + String(el.className).split(" ").join(".") : ""); }
				});
				return document.documentElement.scrollWidth + " px wide; widest: " + worst + " to " + Math.round(right) + " px";
			})()`))
			if wide != "" {
				t.Errorf("%s scrolls sideways at %d px: %s", p.path, width, wide)
			}
			if p.name == "firm" || p.name == "topic" {
				// Axis labels are drawn in the chart's coordinates and
				// shrink with it: on screen they must stay readable.
				px := run(c, "label size", chromedp.Evaluate[float64](`(function () {
					var svg = document.querySelector("svg.activity"), text = svg.querySelector("text");
					return parseFloat(getComputedStyle(text).fontSize) * svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
				})()`))
				if px < 10 {
					t.Errorf("%s at %d px: chart labels are %.1f px on screen, want at least 10", p.path, width, px)
				}
			}
			if axe != "" {
				c.axe(axe, p.path, width)
			}
			c.shot(fmt.Sprintf("page-%s-%d", p.name, width))
			if width < 1000 {
				// What a phone shows first, at its own size.
				top := run(c, "first screen", chromedp.CaptureScreenshot())
				if err := os.WriteFile(filepath.Join(c.out, fmt.Sprintf("page-%s-%d-top.png", p.name, width)), top, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			c.checkConsole()
		}
	}
}

// axeSource returns axe-core's script when LEGISTS_AXE_JS names it (CI
// installs axe-core from npm and sets it), or "" to skip the audit.
func axeSource(t *testing.T) string {
	t.Helper()
	path := os.Getenv("LEGISTS_AXE_JS")
	if path == "" {
		t.Log("LEGISTS_AXE_JS is not set: no axe-core audit")
		return ""
	}
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("LEGISTS_AXE_JS: %v", err)
	}
	return string(src)
}

// axe runs axe-core on the open page and fails the test on any violation.
func (c *chrome) axe(src, path string, width int64) {
	c.t.Helper()
	c.do("load axe-core", chromedp.Evaluate[chromedp.Void](src))
	found := run(c, "axe "+path, chromedp.Evaluate[[]string](`axe.run(document, {resultTypes: ["violations"]}).then(r =>
		r.violations.map(v => v.id + " (" + v.impact + "): " + v.help + " at " + v.nodes.map(n => n.target.join(" ")).slice(0, 3).join(", ")))`,
		chromedp.EvalAwaitPromise))
	for _, v := range found {
		c.t.Errorf("axe-core, %s at %d px: %s", path, width, v)
	}
}

// TestBrowserFirmFinder types part of a firm's name on the subscribe page:
// the list narrows as the reader types, ticked firms stay, and the form
// submits the firm.
func TestBrowserFirmFinder(t *testing.T) {
	c := newChrome(t)
	s := newNewsletterSite(t, storetest.OpenSQLite(t), t.TempDir())
	c.do("subscribe", chromedp.Navigate(s.ts.URL+"/subscribe"), chromedp.WaitVisible(css(`#filter-firms`)))
	all := run(c, "firms", chromedp.Evaluate[int](`document.querySelectorAll('fieldset[data-filter] label.choice').length`))
	if all < 100 {
		t.Fatalf("%d firms on the form", all)
	}
	c.do("tick one", chromedp.Click(css(`input[name="firms"][value="clifford-chance-llp"]`)))
	c.do("type", chromedp.SendKeys(css(`#filter-firms`), "linkl"), chromedp.Sleep(200*time.Millisecond))
	visible := run(c, "visible", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('fieldset[data-filter] label.choice')).filter(l => !l.hidden).map(l => l.textContent.trim())`))
	if len(visible) != 2 || !strings.Contains(strings.Join(visible, "|"), "Linklaters") || !strings.Contains(strings.Join(visible, "|"), "Clifford Chance") {
		t.Errorf("after typing \"linkl\", the list shows %q; want Linklaters and the ticked Clifford Chance", visible)
	}
	if status := run(c, "status", chromedp.Text(css(`.filter-status`))); !strings.Contains(status, fmt.Sprintf("2 of %d", all)) {
		t.Errorf("status %q", status)
	}
	c.do("tick Linklaters", chromedp.Click(css(`input[name="firms"][value="linklaters-llp"]`)))
	c.do("phone", chromedp.EmulateViewport(360, 800))
	c.shot("subscribe-firm-finder-360")
	if ticked := run(c, "ticked", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('input[name="firms"]:checked')).map(b => b.value)`)); len(ticked) != 2 {
		t.Errorf("ticked %q", ticked)
	}
	c.do("submit", chromedp.SendKeys(css(`#sub-email`), "finder@example.org"), chromedp.Submit(css(`#sub-email`)))
	// The subscribe page has a main h1 too: wait for the stored
	// subscriber, not for a heading that may be the old page's.
	var sub *store.Subscriber
	var err error
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		sub, err = s.st.GetSubscriberByEmail(context.Background(), "finder@example.org")
		if err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	c.do("confirmation page", chromedp.WaitVisible(css(`main h1`)))
	if strings.Join(sub.Firms, ",") != "clifford-chance-llp,linklaters-llp" {
		t.Errorf("subscribed to firms %q", sub.Firms)
	}
	c.checkConsole()
}
