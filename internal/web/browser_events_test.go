package web

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"legists/internal/brief"
	"legists/internal/store/storetest"
)

// TestBrowserEventsAndDigest: an editor adds an event (after a rejected
// first try) and opens the digest preview; a reader finds the event from
// the site's navigation.
func TestBrowserEventsAndDigest(t *testing.T) {
	c := newChrome(t)
	s := newNewsletterSite(t, storetest.OpenSQLite(t), t.TempDir())
	s.addUser("editor@example.org", brief.RoleEditor, pw)
	year := time.Now().Year() + 1
	date := fmt.Sprintf("%d-06-18", year)

	c.do("log in", chromedp.Navigate(s.ts.URL+"/admin/login?next=/admin/events"), chromedp.WaitVisible(css(`#email`)),
		chromedp.SendKeys(css(`#email`), "editor@example.org"), chromedp.SendKeys(css(`#password`), pw),
		chromedp.Submit(css(`#password`)), chromedp.WaitVisible(css(`table.deskevents`)))
	c.shot("30-desk-events")

	c.do("new event", chromedp.Click(css(`a.button[href="/admin/events/new"]`)), chromedp.WaitVisible(css(`#f-title`)))
	if zone := run(c, "default zone", chromedp.Evaluate[string](`document.getElementById('f-time_zone').value`)); zone != "Europe/London" {
		t.Errorf("the default time zone is %q", zone)
	}
	// First try: no place and no link.
	c.do("fill", chromedp.SendKeys(css(`#f-title`), "Paris Sanctions Roundtable"),
		chromedp.SetValue(css(`#f-start_date`), date), chromedp.SetValue(css(`#f-start_time`), "09:30"),
		chromedp.SetValue(css(`#f-end_time`), "17:45"), chromedp.SetValue(css(`#f-time_zone`), "Europe/Paris"),
		chromedp.SendKeys(css(`#f-description`), "Enforcement trends in France and the EU, with in-house counsel."),
		chromedp.Click(css(`input[name="topics"][value="Sanctions & Export Controls"]`)),
		chromedp.Click(css(`input[name="topics"][value="France"]`)),
		chromedp.Click(css(`#save-event`)), chromedp.WaitVisible(css(`#err-place`)))
	if msg := run(c, "error", chromedp.Text(css(`#err-place`))); !strings.Contains(msg, "Place or online link") {
		t.Errorf("inline error: %q", msg)
	}
	// The form keeps what was typed.
	if v := run(c, "kept", chromedp.Evaluate[string](`document.getElementById('f-time_zone').value + ' ' + document.getElementById('f-start_time').value + ' ' + document.querySelector('input[value="France"]').checked`)); v != "Europe/Paris 09:30 true" {
		t.Errorf("the form came back with %q", v)
	}
	c.shot("31-event-form-errors")
	c.forget("status of 422") // the form came back as 422 on purpose
	c.do("fix", chromedp.SendKeys(css(`#f-place`), "Maison du Barreau, Paris"), chromedp.Click(css(`#save-event`)),
		chromedp.WaitVisible(css(`.notice.ok`)))
	if text := run(c, "stored", chromedp.Text(css(`.facts`))); !strings.Contains(text, fmt.Sprintf("18 Jun %d, 07:30 UTC", year)) {
		t.Errorf("stored as %q, want 07:30 UTC", text)
	}
	c.shot("32-event-created")

	// The digest preview: the form and the mail in a sandboxed frame.
	c.do("digest", chromedp.Click(css(`.deskbar a[href="/admin/digest"]`)), chromedp.WaitVisible(css(`#digest-frame`)),
		chromedp.Sleep(500*time.Millisecond))
	if n := run(c, "boxes", chromedp.Evaluate[int](`document.querySelectorAll('input[name="topics"]:checked').length`)); n == 0 {
		t.Error("no topic ticked by default")
	}
	c.do("daily, sanctions only", chromedp.Click(css(`input[name="frequency"][value="daily"]`)),
		chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('input[name="topics"]').forEach(b => { b.checked = b.value === 'sanctions-export-controls' })`),
		chromedp.Click(css(`#show-digest`)), chromedp.WaitVisible(css(`#digest-frame`)), chromedp.Sleep(700*time.Millisecond))
	src := run(c, "frame src", chromedp.Evaluate[string](`document.getElementById('digest-frame').getAttribute('src')`))
	if !strings.Contains(src, "frequency=daily") || !strings.Contains(src, "topics=sanctions-export-controls") {
		t.Errorf("frame src %q", src)
	}
	if h := run(c, "frame height", chromedp.Evaluate[float64](`document.getElementById('digest-frame').getBoundingClientRect().height`)); h < 400 {
		t.Errorf("the frame is %.0f px high", h)
	}
	// The frame loaded (a refused frame logs an error, which checkConsole
	// reports) and its text version is reachable.
	status := run(c, "text version", chromedp.Evaluate[int](`fetch(document.getElementById('digest-text').href).then(r => r.status)`,
		chromedp.EvalAwaitPromise))
	if status != 200 {
		t.Errorf("text version: %d", status)
	}
	c.shot("33-digest-preview")
	c.checkConsole()

	// A reader: the site's navigation leads to the events.
	c.do("home", chromedp.Navigate(s.ts.URL+"/"), chromedp.WaitVisible(css(`.sitenav a[href="/events"]`)),
		chromedp.Click(css(`.sitenav a[href="/events"]`)), chromedp.WaitVisible(css(`.event`)))
	slug := fmt.Sprintf("%d-06-18-paris-sanctions-roundtable", year)
	text := run(c, "event", chromedp.Text(css(`[id="`+slug+`"]`)))
	if !strings.Contains(text, "Paris Sanctions Roundtable") || !strings.Contains(text, "09:30–17:45 CEST") || !strings.Contains(text, "Maison du Barreau") {
		t.Errorf("the event on /events: %q", text)
	}
	c.shot("34-events")
	c.do("phone", chromedp.EmulateViewport(390, 844), chromedp.Navigate(s.ts.URL+"/events"), chromedp.WaitVisible(css(`.event`)))
	if run(c, "overflow", chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`)) {
		t.Error("/events scrolls sideways on a phone")
	}
	c.shot("35-events-phone")
	c.checkConsole()
}

// forget drops the console problems that contain substr.
func (c *chrome) forget(substr string) {
	time.Sleep(100 * time.Millisecond)
	c.mu.Lock()
	defer c.mu.Unlock()
	kept := c.problems[:0]
	for _, p := range c.problems {
		if !strings.Contains(p, substr) {
			kept = append(kept, p)
		}
	}
	c.problems = kept
}
