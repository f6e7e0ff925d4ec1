package web

import (
	"html/template"
	"net/http"
	"strings"
)

// framedPage is a page whose content another package rendered (the
// newsletter's subscribe, preferences and events pages).
type framedPage struct {
	Common
	Main template.HTML
}

// Frame writes main, trusted HTML rendered by another package, inside the
// site's layout: the same masthead, navigation, search and footer as every
// public page. It is the newsletter's Deps.Wrap.
func (s *Server) Frame(w http.ResponseWriter, r *http.Request, status int, title string, main template.HTML) {
	section := ""
	if strings.HasPrefix(r.URL.Path, "/events") {
		section = "events"
	}
	c := s.common(title, section)
	if strings.HasPrefix(r.URL.Path, "/events") {
		c.Feeds = []feedLink{{Type: "text/calendar", Title: "Legists events", Href: "/events.ics"}}
		c.Canonical = s.abs("/events")
		c.Description = "Conferences, webinars and deadlines for the legal sector, with an iCalendar feed."
	}
	switch {
	case r.URL.Path == "/subscribe":
		c.Canonical = s.abs("/subscribe")
		c.Description = "Subscribe to the Legists digest: the briefs on the practice areas, jurisdictions and firms you follow, daily or weekly."
	case strings.HasPrefix(r.URL.Path, "/events"):
	default:
		// Preferences, confirmation and unsubscribe pages are reached
		// through a personal link: keep them out of search engines.
		c.Robots = "noindex"
	}
	if strings.Contains(string(main), "data-filter=") {
		c.Scripts = []string{"choose.js"}
	}
	body, err := s.tmpl.render("framed", framedPage{Common: c, Main: main})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
