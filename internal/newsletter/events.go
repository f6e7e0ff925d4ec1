package newsletter

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"legists/internal/digest"
	"legists/internal/store"
)

type eventView struct {
	Slug, Title, When, Start, TimeZone string
	Place, OnlineURL, Description      string
	Topics                             []string
}

type monthView struct {
	ID, Label string
	Events    []eventView
}

// handleEvents lists the upcoming events (and those under way), grouped by
// month in each event's own time zone.
func (h *Handler) handleEvents(w http.ResponseWriter, r *http.Request) {
	now := h.d.Now()
	evs, err := h.d.Store.ListEvents(r.Context(), store.EventFilter{EndsAfter: now, Limit: 200})
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	d := pageData{Title: "Upcoming events", Body: "events", Feed: true, Webcal: webcalURL(h.d.BaseURL)}
	for i := range evs {
		e := &evs[i]
		v := eventView{Slug: e.Slug, Title: e.Title, When: digest.EventWhen(e), Start: e.StartsAt.In(e.Location()).Format(time.RFC3339),
			TimeZone: e.TimeZone, Place: e.Place, OnlineURL: e.OnlineURL, Description: e.Description, Topics: e.Topics}
		if v.TimeZone == "UTC" {
			v.TimeZone = ""
		}
		d.Events = append(d.Events, v)
		local := e.StartsAt.In(e.Location())
		id := local.Format("2006-01")
		if n := len(d.Months); n == 0 || d.Months[n-1].ID != id {
			d.Months = append(d.Months, monthView{ID: id, Label: local.Format("January 2006")})
		}
		d.Months[len(d.Months)-1].Events = append(d.Months[len(d.Months)-1].Events, v)
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	h.page(w, r, http.StatusOK, d)
}

// webcalURL is the calendar feed as a webcal: link (calendar programs
// subscribe to it and refresh it). It is marked safe for templates: the
// scheme is fixed here, the host and path come from the site's own base URL
// (http or https only), and nothing a visitor sends reaches it.
func webcalURL(base string) template.URL {
	u, err := url.Parse(strings.TrimRight(base, "/") + "/events.ics")
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "/events.ics"
	}
	u.Scheme = "webcal"
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return template.URL(u.String())
}

// handleICS serves the events as iCalendar: the upcoming ones and those of
// the last 30 days (calendars keep what already happened).
func (h *Handler) handleICS(w http.ResponseWriter, r *http.Request) {
	now := h.d.Now()
	evs, err := h.d.Store.ListEvents(r.Context(), store.EventFilter{EndsAfter: now.Add(-30 * 24 * time.Hour), Limit: 1000})
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	var buf bytes.Buffer
	WriteICS(&buf, evs, h.d.BaseURL, now)
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `inline; filename="legists-events.ics"`)
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(buf.Bytes())
}

// WriteICS writes events as an iCalendar object (RFC 5545): CRLF line
// ends, lines folded at 75 octets, TEXT values escaped, times in UTC.
func WriteICS(buf *bytes.Buffer, evs []store.Event, baseURL string, now time.Time) {
	base := strings.TrimRight(baseURL, "/")
	host := "legists.localhost"
	if u, err := url.Parse(base); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	line := func(name, value string) { writeFolded(buf, name+":"+value) }
	line("BEGIN", "VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", "-//Legists//Events calendar//EN")
	line("CALSCALE", "GREGORIAN")
	line("METHOD", "PUBLISH")
	line("X-WR-CALNAME", icsText("Legists events"))
	line("X-WR-CALDESC", icsText("Conferences, webinars and deadlines for the legal sector, from Legists"))
	writeFolded(buf, "REFRESH-INTERVAL;VALUE=DURATION:PT12H")
	line("X-PUBLISHED-TTL", "PT12H")
	for i := range evs {
		e := &evs[i]
		stamp := e.UpdatedAt
		if stamp.IsZero() {
			stamp = now
		}
		line("BEGIN", "VEVENT")
		line("UID", icsText(e.Slug+"@"+host))
		line("DTSTAMP", icsTime(stamp))
		line("DTSTART", icsTime(e.StartsAt))
		line("DTEND", icsTime(e.EndsAt))
		if !e.CreatedAt.IsZero() {
			line("CREATED", icsTime(e.CreatedAt))
			line("LAST-MODIFIED", icsTime(e.UpdatedAt))
		}
		line("SUMMARY", icsText(e.Title))
		desc := e.Description
		if e.TimeZone != "" && e.TimeZone != "UTC" {
			desc = strings.TrimSpace(desc + "\n\nLocal time: " + digest.EventWhen(e) + " (" + e.TimeZone + ")")
		}
		if e.OnlineURL != "" {
			desc = strings.TrimSpace(desc + "\n\nJoin online: " + e.OnlineURL)
		}
		if desc != "" {
			line("DESCRIPTION", icsText(desc))
		}
		switch {
		case e.Place != "":
			line("LOCATION", icsText(e.Place))
		case e.OnlineURL != "":
			line("LOCATION", icsText(e.OnlineURL))
		}
		if e.OnlineURL != "" {
			line("URL", e.OnlineURL)
		} else if base != "" {
			line("URL", base+"/events#"+url.PathEscape(e.Slug))
		}
		if len(e.Topics) > 0 {
			cats := make([]string, len(e.Topics))
			for i, t := range e.Topics {
				cats[i] = icsText(t)
			}
			line("CATEGORIES", strings.Join(cats, ","))
		}
		line("STATUS", "CONFIRMED")
		line("TRANSP", "OPAQUE")
		line("END", "VEVENT")
	}
	line("END", "VCALENDAR")
}

func icsTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// icsText escapes a TEXT value: backslash, semicolon, comma and newlines.
func icsText(s string) string {
	var b strings.Builder
	s = strings.ReplaceAll(s, "\r\n", "\n")
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case ';':
			b.WriteString(`\;`)
		case ',':
			b.WriteString(`\,`)
		case '\n', '\r':
			b.WriteString(`\n`)
		default:
			if r < 0x20 && r != '\t' {
				continue // control characters are not allowed in TEXT
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// writeFolded writes a content line folded at 75 octets (continuation
// lines begin with a space), never inside a UTF-8 sequence, ended by CRLF.
func writeFolded(buf *bytes.Buffer, s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		buf.WriteString(s[:cut])
		buf.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	buf.WriteString(s)
	buf.WriteString("\r\n")
}
