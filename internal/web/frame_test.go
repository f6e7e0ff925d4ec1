package web

import (
	"strings"
	"testing"

	"legists/internal/store/storetest"
)

// TestNewsletterPagesInSiteFrame: /events, /subscribe and /preferences have
// the site's navigation, search and footer like every public page, and the
// subscribe page says "Stay Tuned" once, with a firm finder instead of a wall
// of checkboxes.
func TestNewsletterPagesInSiteFrame(t *testing.T) {
	s := newNewsletterSite(t, storetest.OpenSQLite(t), t.TempDir())
	for _, path := range []string{"/events", "/subscribe", s.preferencesLink("reader@example.org"), "/preferences?token=nonsense"} {
		_, page := s.get(path)
		mustContain(t, page, `<nav class="sitenav"`, `class="navsearch"`, `<footer class="sitefooter">`, `<a class="skip" href="#content">`)
		if n := strings.Count(page, "<main"); n != 1 {
			t.Errorf("%s: %d <main> elements", path, n)
		}
		if strings.HasPrefix(path, "/preferences") {
			mustContain(t, page, `<meta name="robots" content="noindex">`)
		}
	}
	_, events := s.get("/events")
	mustContain(t, events, `<a href="/events" aria-current="page">`, `type="text/calendar"`)
	_, subscribe := s.get("/subscribe")
	if n := strings.Count(subscribe, "Stay Tuned"); n != 2 { // the <title> and the heading
		t.Errorf("/subscribe says Stay Tuned %d times (title included), want the title and one heading", n)
	}
	if n := strings.Count(subscribe, ">Stay Tuned<"); n != 1 {
		t.Errorf("/subscribe has %d Stay Tuned headings", n)
	}
	mustContain(t, subscribe, `data-filter="firms"`, `class="choice-scroll"`, `/static/choose.js?v=`)
	mustNotContain(t, subscribe, "<script>")
}
