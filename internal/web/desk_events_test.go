package web

import (
	"context"
	"fmt"
	"html"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"legists/internal/brief"
	"legists/internal/demo"
	"legists/internal/mail"
	"legists/internal/newsletter"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

// newNewsletterSite starts the site on st (with the demo content) and the
// newsletter's routes (/subscribe, /events, /events.ics, ...) on the same
// mux, as `legists serve` registers them. Mail goes to outbox, at once.
func newNewsletterSite(t *testing.T, st store.Store, outbox string) *testSite {
	t.Helper()
	ws, ok := st.(Store)
	if !ok {
		t.Fatal("store lacks the desk")
	}
	if err := demo.Load(context.Background(), st); err != nil {
		t.Fatalf("demo.Load: %v", err)
	}
	ts := httptest.NewUnstartedServer(nil)
	ts.Start()
	t.Cleanup(ts.Close)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	var srv *Server
	nl := newsletter.New(newsletter.Deps{Store: st, Mailer: mail.NewOutbox(outbox), BaseURL: ts.URL, Logger: logger, SyncMail: true,
		Wrap: func(w http.ResponseWriter, r *http.Request, status int, title string, main template.HTML) {
			srv.Frame(w, r, status, title, main)
		}})
	srv, err := New(Options{Store: ws, BaseURL: ts.URL, Logger: logger, Extra: nl.Register})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv
	return &testSite{t: t, srv: srv, st: ws, ts: ts}
}

func TestDeskEventsSQLite(t *testing.T) { testDeskEvents(t, storetest.OpenSQLite(t)) }

func TestDeskEventsPostgres(t *testing.T) { testDeskEvents(t, storetest.OpenPostgres(t)) }

// eventForm is a valid form for an event in Paris two summers ahead.
func eventFormValues(csrf string, year int) url.Values {
	return url.Values{
		"csrf":        {csrf},
		"title":       {"Paris Arbitration Week: Sanctions Day"},
		"start_date":  {fmt.Sprintf("%d-07-15", year)},
		"start_time":  {"09:30"},
		"end_date":    {""},
		"end_time":    {"17:45"},
		"time_zone":   {"Europe/Paris"},
		"place":       {"Maison du Barreau, Paris"},
		"online_url":  {""},
		"description": {"A day on sanctions in\r\ninternational arbitration."},
		"topics":      {"Sanctions & Export Controls", "France", "No Such Topic"},
	}
}

func testDeskEvents(t *testing.T, st store.Store) {
	ctx := context.Background()
	s := newNewsletterSite(t, st, t.TempDir())
	s.addUser("editor@example.org", brief.RoleEditor, pw)
	s.addUser("author@example.org", brief.RoleAuthor, pw)
	year := time.Now().Year() + 2
	paris, _ := time.LoadLocation("Europe/Paris")
	wantStart := time.Date(year, 7, 15, 9, 30, 0, 0, paris) // 07:30 UTC (CEST)
	if wantStart.UTC().Hour() != 7 {
		t.Fatalf("the zone database puts %v at %v", wantStart, wantStart.UTC())
	}

	// An author sees the list but may not create, edit or delete.
	au := s.browser()
	acsrf := au.login("author@example.org", pw)
	resp, page := au.get("/admin/events")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("author: /admin/events: %d", resp.StatusCode)
	}
	mustContain(t, page, `aria-current="page">Events</a>`, "Sanctions Enforcement Forum London")
	mustNotContain(t, page, `href="/admin/events/new"`)
	if resp, _ := au.get("/admin/events/new"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("author: GET /admin/events/new: %d, want 403", resp.StatusCode)
	}
	if resp, body := au.post("/admin/events/new", eventFormValues(acsrf, year)); resp.StatusCode != http.StatusForbidden {
		t.Errorf("author: POST /admin/events/new: %d, want 403\n%s", resp.StatusCode, body)
	}
	if evs, _ := st.ListEvents(ctx, store.EventFilter{}); eventByTitle(evs, "Paris Arbitration Week: Sanctions Day") != nil {
		t.Fatal("an author created an event")
	}

	ed := s.browser()
	csrf := ed.login("editor@example.org", pw)
	resp, page = ed.get("/admin/events/new")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /admin/events/new: %d", resp.StatusCode)
	}
	mustContain(t, page, `<option value="Europe/London" selected>`, `name="start_date" type="date"`, `name="start_time" type="time"`,
		`value="Sanctions &amp; Export Controls"`, `<optgroup label="Europe">`)

	// Without the CSRF token: refused.
	noCSRF := eventFormValues("", year)
	if resp, _ := ed.post("/admin/events/new", noCSRF); resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST without CSRF: %d, want 403", resp.StatusCode)
	}

	// Bad input comes back with the field named and the values kept.
	for _, tc := range []struct {
		name   string
		change map[string]string
		want   []string
	}{
		{"end before start", map[string]string{"end_time": "08:00"},
			[]string{`id="err-end"`, "<strong>End:</strong>", "The event ends before it starts", `href="#f-end_date">End</a>`}},
		{"end on an earlier day", map[string]string{"end_date": fmt.Sprintf("%d-07-14", year), "end_time": "18:00"},
			[]string{"The event ends before it starts"}},
		{"unknown zone", map[string]string{"time_zone": "Mars/Olympus_Mons"},
			[]string{`id="err-time_zone"`, "<strong>Time zone:</strong>", "“Mars/Olympus_Mons” is not a known IANA time zone",
				`<option value="Mars/Olympus_Mons" selected>`}},
		{"neither place nor link", map[string]string{"place": " ", "online_url": ""},
			[]string{`id="err-place"`, "<strong>Place or online link:</strong>", "Give a place, an online link, or both."}},
		{"bad link", map[string]string{"online_url": "zoom meeting 123"},
			[]string{`id="err-online_url"`, "<strong>Online link:</strong>"}},
		{"no title", map[string]string{"title": ""}, []string{"<strong>Title:</strong> Give the event a title."}},
		{"no start", map[string]string{"start_date": ""}, []string{"<strong>Start:</strong> Give a date and a time."}},
		{"a time the clocks skip", map[string]string{"start_date": fmt.Sprintf("%d-03-%02d", year, lastSunday(year, time.March)), "start_time": "02:30", "end_time": "04:00"},
			[]string{"<strong>Start:</strong> 02:30 does not exist on"}},
	} {
		f := eventFormValues(csrf, year)
		for k, v := range tc.change {
			f.Set(k, v)
		}
		resp, body := ed.post("/admin/events/new", f)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422", tc.name, resp.StatusCode)
			continue
		}
		mustContain(t, body, tc.want...)
		mustContain(t, body, "The event was not saved", `aria-invalid="true"`)
		if tc.name != "no title" {
			mustContain(t, body, `value="Paris Arbitration Week: Sanctions Day"`)
		}
	}
	if evs, _ := st.ListEvents(ctx, store.EventFilter{}); eventByTitle(evs, "Paris Arbitration Week: Sanctions Day") != nil {
		t.Fatal("bad input saved an event")
	}

	// Create: stored as the UTC instant of 09:30 in Paris.
	resp, body := ed.post("/admin/events/new", eventFormValues(csrf, year))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", resp.StatusCode, body)
	}
	loc := resp.Header.Get("Location")
	slug := fmt.Sprintf("%d-07-15-paris-arbitration-week-sanctions-day", year)
	if loc != "/admin/events/"+slug+"?done=created" {
		t.Fatalf("create redirects to %q", loc)
	}
	ev, err := st.GetEvent(ctx, slug)
	if err != nil {
		t.Fatal(err)
	}
	if !ev.StartsAt.Equal(wantStart) || !ev.EndsAt.Equal(time.Date(year, 7, 15, 17, 45, 0, 0, paris)) || ev.TimeZone != "Europe/Paris" {
		t.Errorf("stored %v – %v in %s; want %v", ev.StartsAt.UTC(), ev.EndsAt.UTC(), ev.TimeZone, wantStart.UTC())
	}
	if topics := slices.Sorted(slices.Values(ev.Topics)); strings.Join(topics, "|") != "France|Sanctions & Export Controls" {
		t.Errorf("topics %q", ev.Topics)
	}
	if ev.Place != "Maison du Barreau, Paris" || ev.Description != "A day on sanctions in\ninternational arbitration." {
		t.Errorf("place %q, description %q", ev.Place, ev.Description)
	}
	_, page = ed.get(loc)
	mustContain(t, page, "Event created.", `value="09:30"`, `value="17:45"`, `<option value="Europe/Paris" selected>`,
		fmt.Sprintf("15 Jul %d, 07:30 UTC", year), `value="France" checked`, `action="/admin/events/`+slug+`/delete"`)

	// The reader's side: /events shows the local time, /events.ics the
	// UTC instant.
	_, evPage := s.get("/events")
	evPage = html.UnescapeString(evPage)
	mustContain(t, evPage, "Paris Arbitration Week: Sanctions Day", fmt.Sprintf(`datetime="%d-07-15T09:30:00+02:00"`, year),
		"09:30–17:45 CEST", "Maison du Barreau, Paris", `id="`+slug+`"`)
	resp, ics := s.get("/events.ics")
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		t.Errorf("/events.ics: %s", ct)
	}
	vevent := icsEvent(t, ics, slug)
	mustContain(t, vevent, fmt.Sprintf("DTSTART:%d0715T073000Z\r\n", year), fmt.Sprintf("DTEND:%d0715T154500Z\r\n", year),
		"SUMMARY:Paris Arbitration Week: Sanctions Day\r\n", `LOCATION:Maison du Barreau\, Paris`)

	// A second event with the same title and day gets its own slug
	// rather than overwriting the first.
	resp, _ = ed.post("/admin/events/new", eventFormValues(csrf, year))
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), slug+"-2?") {
		t.Errorf("second event: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, err := st.GetEvent(ctx, slug+"-2"); err != nil {
		t.Errorf("second event: %v", err)
	}

	// Edit: online only, an hour later, in London; the slug stays.
	f := eventFormValues(csrf, year)
	f.Set("place", "")
	f.Set("online_url", "https://events.example/paris-sanctions")
	f.Set("time_zone", "Europe/London")
	f.Set("start_time", "10:30")
	f.Set("end_time", "12:00")
	f.Set("end_date", fmt.Sprintf("%d-07-15", year))
	resp, body = ed.post("/admin/events/"+slug, f)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/events/"+slug+"?done=saved" {
		t.Fatalf("edit: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	ev, _ = st.GetEvent(ctx, slug)
	if !ev.StartsAt.Equal(time.Date(year, 7, 15, 9, 30, 0, 0, time.UTC)) || ev.Place != "" || ev.OnlineURL == "" || ev.TimeZone != "Europe/London" {
		t.Errorf("after edit: %+v", ev)
	}
	// Bad input on an edit also comes back inline, at the event's address.
	f.Set("online_url", "")
	resp, body = ed.post("/admin/events/"+slug, f)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("edit with neither place nor link: %d", resp.StatusCode)
	}
	mustContain(t, body, "Give a place, an online link, or both.", `action="/admin/events/`+slug+`"`)

	// The list: upcoming first, past collapsed.
	past := &store.Event{Slug: "past-seminar", Title: "Past Seminar", StartsAt: time.Now().Add(-72 * time.Hour),
		EndsAt: time.Now().Add(-70 * time.Hour), TimeZone: "Europe/Paris", Place: "Paris"}
	if _, err := st.SaveEvent(ctx, past); err != nil {
		t.Fatal(err)
	}
	_, page = ed.get("/admin/events")
	up, pastPart, ok := strings.Cut(page, `<details class="pastevents">`)
	if !ok {
		t.Fatalf("no past events section:\n%s", page)
	}
	mustContain(t, up, `href="/admin/events/`+slug+`"`, `href="/admin/events/new"`)
	mustNotContain(t, up, "Past Seminar")
	mustContain(t, pastPart, "Past Seminar", "<summary>Past events (")
	if strings.Index(up, "Sanctions Enforcement Forum London") > strings.Index(up, "Paris Arbitration Week") {
		t.Error("upcoming events are not soonest first")
	}

	// Delete.
	resp, _ = ed.post("/admin/events/"+slug+"/delete", url.Values{"csrf": {csrf}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/events?done=deleted" {
		t.Fatalf("delete: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, err := st.GetEvent(ctx, slug); err == nil {
		t.Error("the event is still stored")
	}
	_, ics = s.get("/events.ics")
	if strings.Contains(ics, "UID:"+slug+"@") {
		t.Error("the deleted event is still in /events.ics")
	}
	if resp, _ := ed.get("/admin/events/" + slug); resp.StatusCode != http.StatusNotFound {
		t.Errorf("deleted event's page: %d", resp.StatusCode)
	}
	if resp, _ := au.post("/admin/events/"+slug+"-2/delete", url.Values{"csrf": {acsrf}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("author delete: %d, want 403", resp.StatusCode)
	}

	// The audit log has each change.
	entries, err := st.ListAudit(ctx, store.AuditFilter{Actor: "editor@example.org", Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		if strings.HasPrefix(e.Action, "event.") {
			got = append(got, e.Action+" "+e.Target)
		}
	}
	want := []string{"event.delete " + slug, "event.save " + slug, "event.create " + slug + "-2", "event.create " + slug}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("audit: %q, want %q", got, want)
	}
}

func eventByTitle(evs []store.Event, title string) *store.Event {
	for i := range evs {
		if evs[i].Title == title {
			return &evs[i]
		}
	}
	return nil
}

// icsEvent is the VEVENT of the calendar with UID slug@host, unfolded.
func icsEvent(t *testing.T, ics, slug string) string {
	t.Helper()
	ics = strings.ReplaceAll(ics, "\r\n ", "")
	for _, part := range strings.Split(ics, "BEGIN:VEVENT\r\n")[1:] {
		if strings.Contains(part, "UID:"+slug+"@") {
			return part
		}
	}
	t.Fatalf("no VEVENT %s in\n%s", slug, ics)
	return ""
}

// lastSunday is the day of the last Sunday of month m (when Europe moves
// its clocks).
func lastSunday(year int, m time.Month) int {
	d := time.Date(year, m+1, 0, 12, 0, 0, 0, time.UTC)
	for d.Weekday() != time.Sunday {
		d = d.AddDate(0, 0, -1)
	}
	return d.Day()
}

func TestDeskDigestPreview(t *testing.T) {
	s := newSite(t)
	s.addUser("author@example.org", brief.RoleAuthor, pw)

	// Behind the desk's login.
	for _, p := range []string{"/admin/digest", "/admin/digest/preview"} {
		resp, _ := s.get(p)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/admin/login?next=") {
			t.Errorf("%s without a session: %d %s", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}

	b := s.browser()
	b.login("author@example.org", pw)
	resp, page := b.get("/admin/digest")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/admin/digest: %d", resp.StatusCode)
	}
	// Defaults: every topic ticked, weekly.
	mustContain(t, page, `aria-current="page">Digest</a>`, `<iframe sandbox src="/admin/digest/preview?frequency=weekly&amp;topics=all"`,
		`href="/admin/digest/preview?format=text&amp;frequency=weekly&amp;topics=all"`, `name="frequency" value="weekly" checked`,
		`value="sanctions-export-controls" checked`, "a weekly reader of everything")
	mustNotContain(t, page, `name="firms" value="clifford-chance-llp" checked`)
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("the page's CSP: %s", csp)
	}

	// The chosen sample goes into the frame's address.
	_, page = b.get("/admin/digest?frequency=daily&topics=sanctions-export-controls&firms=clifford-chance-llp")
	mustContain(t, page, `src="/admin/digest/preview?firms=clifford-chance-llp&amp;frequency=daily&amp;topics=sanctions-export-controls"`,
		`name="frequency" value="daily" checked`, `value="sanctions-export-controls" checked`, `value="clifford-chance-llp" checked`,
		"a daily reader of 1 topic and 1 firm")
	mustNotContain(t, page, `value="competition-antitrust" checked`)

	// The preview: the mail's HTML, framable by the desk only.
	resp, mailHTML := b.get("/admin/digest/preview?frequency=weekly&topics=all")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("preview: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	csp = resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'self'") || strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "script-src") {
		t.Errorf("preview CSP: %s", csp)
	}
	if xfo := resp.Header.Get("X-Frame-Options"); xfo != "SAMEORIGIN" {
		t.Errorf("preview X-Frame-Options: %q", xfo)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("preview Cache-Control: %q", cc)
	}
	newest, err := s.st.GetBrief(context.Background(), demoBrief(t).Slug)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, mailHTML, "<html", html.EscapeString(newest.Title), s.ts.URL+"/briefs/")
	mustNotContain(t, mailHTML, "token=")
	resp, text := b.get("/admin/digest/preview?format=text&frequency=daily&topics=all")
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") || !strings.Contains(strings.Join(strings.Fields(text), " "), newest.Title) {
		t.Errorf("text preview: %s\n%s", resp.Header.Get("Content-Type"), text)
	}

	// A reader with nothing new is told so; one with news is not.
	fresh := storetest.GenerateBriefs(1, 11)[0]
	now := time.Now().UTC().Add(-time.Hour)
	fresh.Slug, fresh.Title, fresh.Status, fresh.PublishedAt, fresh.Topics = "fresh-tax-news", "Fresh tax news", brief.StatusPublished, &now, []string{"Tax"}
	if _, err := s.st.SaveBrief(context.Background(), fresh, store.SaveOptions{Author: "test"}); err != nil {
		t.Fatal(err)
	}
	_, page = b.get("/admin/digest?frequency=daily&topics=tax")
	mustNotContain(t, page, `id="nothing-new"`)
	_, page = b.get("/admin/digest?frequency=daily&topics=private-equity")
	mustContain(t, page, `id="nothing-new"`, "No brief published in the last day matches this reader")
	_, mailText := b.get("/admin/digest/preview?format=text&frequency=daily&topics=tax")
	mustContain(t, mailText, "Fresh tax news")
}
