package web

// The desk's events calendar (issue 6): editors add, change and remove
// the conferences, webinars and deadlines that /events, /events.ics and
// the digests list. Start and end are entered as a local date and time in
// the event's IANA time zone and stored as UTC instants; the zone is kept
// for display.

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"legists/internal/auth"
	"legists/internal/brief"
	"legists/internal/digest"
	"legists/internal/store"
)

func (s *Server) eventRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/events", s.desk(auth.PermWrite, s.handleDeskEvents))
	mux.HandleFunc("GET /admin/events/new", s.desk(auth.PermPublish, s.handleNewEvent))
	mux.HandleFunc("POST /admin/events/new", s.desk(auth.PermPublish, s.handleSaveEvent))
	mux.HandleFunc("GET /admin/events/{slug}", s.desk(auth.PermPublish, s.handleEditEvent))
	mux.HandleFunc("POST /admin/events/{slug}", s.desk(auth.PermPublish, s.handleSaveEvent))
	mux.HandleFunc("POST /admin/events/{slug}/delete", s.desk(auth.PermPublish, s.handleDeleteEvent))
}

// DefaultEventZone is the time zone a new event starts with.
const DefaultEventZone = "Europe/London"

// eventZones are the zones the form offers, by region. An event saved in
// another zone (by the events command) keeps it: the form adds it.
var eventZones = []struct {
	Region string
	Zones  []string
}{
	{"Europe", []string{"Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Brussels", "Europe/Amsterdam",
		"Europe/Luxembourg", "Europe/Berlin", "Europe/Zurich", "Europe/Madrid", "Europe/Rome", "Europe/Vienna", "Europe/Stockholm",
		"Europe/Copenhagen", "Europe/Warsaw", "Europe/Prague", "Europe/Athens", "Europe/Helsinki", "Europe/Istanbul", "Europe/Kyiv"}},
	{"Americas", []string{"America/New_York", "America/Toronto", "America/Chicago", "America/Denver", "America/Los_Angeles",
		"America/Mexico_City", "America/Bogota", "America/Sao_Paulo", "America/Argentina/Buenos_Aires"}},
	{"Middle East and Africa", []string{"Asia/Dubai", "Asia/Riyadh", "Asia/Qatar", "Asia/Jerusalem", "Africa/Cairo",
		"Africa/Lagos", "Africa/Nairobi", "Africa/Johannesburg"}},
	{"Asia and Pacific", []string{"Asia/Kolkata", "Asia/Singapore", "Asia/Hong_Kong", "Asia/Shanghai", "Asia/Seoul", "Asia/Tokyo",
		"Australia/Perth", "Australia/Sydney", "Pacific/Auckland"}},
	{"Other", []string{"UTC"}},
}

func knownZone(z string) bool {
	for _, g := range eventZones {
		if slices.Contains(g.Zones, z) {
			return true
		}
	}
	return false
}

// ---- list ----

type deskEventRow struct {
	Slug, Title, When, Zone, UTC, Where string
	Online                              bool
	Topics                              []string
	Running                             bool
}

// deskEventTable is one table of the list.
type deskEventTable struct {
	Rows      []deskEventRow
	Caption   string
	CanManage bool
}

type deskEventsPage struct {
	Desk
	Upcoming  deskEventTable
	Past      deskEventTable
	PastMore  bool
	CanManage bool
}

// pastShown bounds the past events the list shows.
const pastShown = 100

func eventRow(e *store.Event, now time.Time) deskEventRow {
	row := deskEventRow{Slug: e.Slug, Title: e.Title, When: digest.EventWhen(e), Zone: e.TimeZone,
		UTC:   e.StartsAt.UTC().Format("2 Jan 2006, 15:04") + " UTC",
		Where: e.Place, Online: e.OnlineURL != "", Topics: e.Topics,
		Running: !e.StartsAt.After(now) && e.EndsAt.After(now)}
	return row
}

func (s *Server) handleDeskEvents(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	ctx := r.Context()
	now := time.Now()
	upcoming, err := s.st.ListEvents(ctx, store.EventFilter{EndsAfter: now, Limit: 1000})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	started, err := s.st.ListEvents(ctx, store.EventFilter{StartsBefore: now, Limit: 1000})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	canManage := auth.Can(dc.User.Role, auth.PermPublish)
	data := deskEventsPage{Desk: s.deskCommon(dc, "Events", "events"), CanManage: canManage,
		Upcoming: deskEventTable{Caption: "Upcoming events, soonest first", CanManage: canManage},
		Past:     deskEventTable{Caption: "Past events, most recent first", CanManage: canManage}}
	switch r.URL.Query().Get("done") {
	case "deleted":
		data.Notice = "Event deleted. It is gone from /events, the calendar feed and the next digests."
	}
	for i := range upcoming {
		data.Upcoming.Rows = append(data.Upcoming.Rows, eventRow(&upcoming[i], now))
	}
	// Past events, most recent first.
	for i := len(started) - 1; i >= 0; i-- {
		e := &started[i]
		if e.EndsAt.After(now) {
			continue // under way: listed as upcoming
		}
		if len(data.Past.Rows) == pastShown {
			data.PastMore = true
			break
		}
		data.Past.Rows = append(data.Past.Rows, eventRow(e, now))
	}
	s.deskRender(w, r, http.StatusOK, "events", data)
}

// ---- form ----

// eventForm is the edit form's values, as typed.
type eventForm struct {
	Title                string
	StartDate, StartTime string
	EndDate, EndTime     string
	TimeZone             string
	Place, OnlineURL     string
	Description          string
	Topics               []string                 // names
	Errors               map[string]*fieldProblem // by field
	Problems             []*fieldProblem          // in the form's order
}

// fieldProblem is a validation message; Anchor is the id of the input it
// is about.
type fieldProblem struct{ Field, Anchor, Label, Message string }

// fieldAnchors are the inputs problems point to (default f-FIELD).
var fieldAnchors = map[string]string{"start": "f-start_date", "end": "f-end_date"}

type zoneGroup struct {
	Region string
	Zones  []zoneOption
}

type zoneOption struct {
	Name     string
	Selected bool
}

type topicChoice struct {
	Name, Slug string
	Checked    bool
}

type eventEditPage struct {
	Desk
	New     bool
	Slug    string
	Action  string
	Form    eventForm
	Zones   []zoneGroup
	Areas   []topicChoice
	Regions []topicChoice
	Event   *store.Event
	Public  string
}

func (s *Server) handleNewEvent(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	f := eventForm{TimeZone: DefaultEventZone}
	s.renderEventForm(w, r, dc, http.StatusOK, nil, f)
}

func (s *Server) loadEvent(w http.ResponseWriter, r *http.Request, dc *deskCtx) (*store.Event, bool) {
	slug := r.PathValue("slug")
	e, err := s.st.GetEvent(r.Context(), slug)
	return deskFound(s, w, r, dc, e, err, "No such event", "There is no event "+strconv.Quote(slug)+". It may have been deleted.")
}

func (s *Server) handleEditEvent(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	e, ok := s.loadEvent(w, r, dc)
	if !ok {
		return
	}
	loc := e.Location()
	st, en := e.StartsAt.In(loc), e.EndsAt.In(loc)
	f := eventForm{Title: e.Title, TimeZone: e.TimeZone, Place: e.Place, OnlineURL: e.OnlineURL, Description: e.Description,
		Topics:    e.Topics,
		StartDate: st.Format("2006-01-02"), StartTime: st.Format("15:04"),
		EndDate: en.Format("2006-01-02"), EndTime: en.Format("15:04")}
	status := http.StatusOK
	d := s.deskCommon(dc, e.Title, "events")
	switch r.URL.Query().Get("done") {
	case "created":
		d.Notice = "Event created. It is listed on /events, in the calendar feed and in the digests of readers who follow its topics."
	case "saved":
		d.Notice = "Event saved."
	}
	s.renderEventFormWith(w, r, d, status, e, f)
}

func (s *Server) renderEventForm(w http.ResponseWriter, r *http.Request, dc *deskCtx, status int, e *store.Event, f eventForm) {
	title := "New event"
	if e != nil {
		title = e.Title
	}
	s.renderEventFormWith(w, r, s.deskCommon(dc, title, "events"), status, e, f)
}

func (s *Server) renderEventFormWith(w http.ResponseWriter, r *http.Request, d Desk, status int, e *store.Event, f eventForm) {
	data := eventEditPage{Desk: d, New: e == nil, Form: f, Event: e, Action: "/admin/events/new"}
	if e != nil {
		data.Slug = e.Slug
		data.Action = "/admin/events/" + url.PathEscape(e.Slug)
		data.Public = "/events#" + url.PathEscape(e.Slug)
	}
	// Time zones: the common ones, and the event's own when it is not
	// among them (a zone that does not exist is shown as typed, so the
	// message beside it makes sense).
	zone := f.TimeZone
	for _, g := range eventZones {
		zg := zoneGroup{Region: g.Region}
		for _, z := range g.Zones {
			zg.Zones = append(zg.Zones, zoneOption{Name: z, Selected: z == zone})
		}
		data.Zones = append(data.Zones, zg)
	}
	if zone != "" && !knownZone(zone) {
		data.Zones = append([]zoneGroup{{Region: "This event", Zones: []zoneOption{{Name: zone, Selected: true}}}}, data.Zones...)
	}
	// Topics: the taxonomy, ticked by name; names the taxonomy no longer
	// has stay ticked so saving does not drop them silently.
	_, topics, _ := s.directory(r.Context())
	ticked := map[string]bool{}
	for _, t := range f.Topics {
		ticked[strings.ToLower(t)] = true
	}
	seen := map[string]bool{}
	for _, t := range topics {
		c := topicChoice{Name: t.Name, Slug: t.Slug, Checked: ticked[strings.ToLower(t.Name)]}
		seen[strings.ToLower(t.Name)] = true
		if t.Kind == brief.TopicJurisdiction {
			data.Regions = append(data.Regions, c)
		} else {
			data.Areas = append(data.Areas, c)
		}
	}
	for _, t := range f.Topics {
		if !seen[strings.ToLower(t)] {
			data.Areas = append(data.Areas, topicChoice{Name: t, Slug: brief.Slugify(t), Checked: true})
		}
	}
	s.deskRender(w, r, status, "event_edit", data)
}

// parseEventForm reads and checks the form; problems are keyed by field.
func (s *Server) parseEventForm(r *http.Request) (eventForm, *store.Event) {
	p := r.PostForm
	f := eventForm{
		Title:     strings.TrimSpace(p.Get("title")),
		StartDate: strings.TrimSpace(p.Get("start_date")), StartTime: strings.TrimSpace(p.Get("start_time")),
		EndDate: strings.TrimSpace(p.Get("end_date")), EndTime: strings.TrimSpace(p.Get("end_time")),
		TimeZone:    strings.TrimSpace(p.Get("time_zone")),
		Place:       strings.TrimSpace(p.Get("place")),
		OnlineURL:   strings.TrimSpace(p.Get("online_url")),
		Description: strings.TrimSpace(strings.ReplaceAll(p.Get("description"), "\r\n", "\n")),
		Errors:      map[string]*fieldProblem{},
	}
	// Topics: names of the taxonomy (by name or slug), in its order.
	_, topics, _ := s.directory(r.Context())
	want := map[string]bool{}
	for _, v := range p["topics"] {
		want[strings.ToLower(strings.TrimSpace(v))] = true
	}
	for _, t := range topics {
		if want[strings.ToLower(t.Name)] || want[t.Slug] {
			f.Topics = append(f.Topics, t.Name)
			delete(want, strings.ToLower(t.Name))
			delete(want, t.Slug)
		}
	}
	add := func(field, label, msg string) {
		if _, dup := f.Errors[field]; dup {
			return
		}
		anchor := fieldAnchors[field]
		if anchor == "" {
			anchor = "f-" + field
		}
		fp := &fieldProblem{Field: field, Anchor: anchor, Label: label, Message: msg}
		f.Errors[field] = fp
		f.Problems = append(f.Problems, fp)
	}

	if f.Title == "" {
		add("title", "Title", "Give the event a title.")
	} else if len([]rune(f.Title)) > 200 {
		add("title", "Title", "Keep the title under 200 characters.")
	}
	var loc *time.Location
	switch {
	case f.TimeZone == "":
		add("time_zone", "Time zone", "Choose the time zone the event is held in.")
	default:
		l, err := time.LoadLocation(f.TimeZone)
		if err != nil || strings.EqualFold(f.TimeZone, "local") {
			add("time_zone", "Time zone", fmt.Sprintf("“%s” is not a known IANA time zone (such as Europe/London).", f.TimeZone))
		} else {
			loc = l
		}
	}
	if f.EndDate == "" {
		f.EndDate = f.StartDate
	}
	start, startOK := localTime(f.StartDate, f.StartTime, loc, "start", "Start", add)
	end, endOK := localTime(f.EndDate, f.EndTime, loc, "end", "End", add)
	if startOK && endOK && !end.After(start) {
		add("end", "End", "The event ends before it starts: the end must come after the start.")
	}
	if f.Place == "" && f.OnlineURL == "" {
		add("place", "Place or online link", "Give a place, an online link, or both.")
	}
	if len([]rune(f.Place)) > 300 {
		add("place", "Place", "Keep the place under 300 characters.")
	}
	if f.OnlineURL != "" {
		u, err := url.Parse(f.OnlineURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			add("online_url", "Online link", "Give the full address, starting with https://.")
		}
	}
	if len([]rune(f.Description)) > 5000 {
		add("description", "Description", "Keep the description under 5,000 characters.")
	}
	if len(f.Problems) > 0 {
		return f, nil
	}
	return f, &store.Event{Title: f.Title, StartsAt: start.UTC(), EndsAt: end.UTC(), TimeZone: f.TimeZone,
		Place: f.Place, OnlineURL: f.OnlineURL, Description: f.Description, Topics: f.Topics}
}

// localTime reads a date (YYYY-MM-DD) and a time (HH:MM) as a wall-clock
// time in loc, refusing times the clocks skip.
func localTime(date, clock string, loc *time.Location, field, label string, add func(field, label, msg string)) (time.Time, bool) {
	if date == "" || clock == "" {
		add(field, label, "Give a date and a time.")
		return time.Time{}, false
	}
	d, err := time.Parse("2006-01-02", date)
	if err != nil {
		add(field, label, fmt.Sprintf("“%s” is not a date (YYYY-MM-DD).", date))
		return time.Time{}, false
	}
	c, err := time.Parse("15:04", clock)
	if err != nil {
		if c, err = time.Parse("15:04:05", clock); err != nil {
			add(field, label, fmt.Sprintf("“%s” is not a time of day (HH:MM).", clock))
			return time.Time{}, false
		}
	}
	if loc == nil {
		return time.Time{}, false // the zone's own message says why
	}
	t := time.Date(d.Year(), d.Month(), d.Day(), c.Hour(), c.Minute(), 0, 0, loc)
	if t.Hour() != c.Hour() || t.Minute() != c.Minute() || t.Day() != d.Day() {
		add(field, label, fmt.Sprintf("%s does not exist on %s in %s: the clocks go forward then. Choose another time.",
			c.Format("15:04"), d.Format("2 Jan 2006"), loc))
		return time.Time{}, false
	}
	return t, true
}

func (s *Server) handleSaveEvent(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	ctx := r.Context()
	var old *store.Event
	if slug := r.PathValue("slug"); slug != "" {
		e, ok := s.loadEvent(w, r, dc)
		if !ok {
			return
		}
		old = e
	}
	f, ev := s.parseEventForm(r)
	if ev == nil {
		s.renderEventForm(w, r, dc, http.StatusUnprocessableEntity, old, f)
		return
	}
	if old != nil {
		ev.Slug = old.Slug // the address and the calendar UID stay
	} else {
		slug, err := s.freeEventSlug(r, ev)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		ev.Slug = slug
	}
	action := "event.save"
	if old == nil {
		action = "event.create"
	}
	detail := fmt.Sprintf("%s (%s), %s", digest.EventWhen(ev), ev.TimeZone, ev.StartsAt.UTC().Format(time.RFC3339))
	saved, err := s.st.SaveEvent(audited(ctx, dc.User.Email, action, ev.Slug, detail), ev)
	if errors.Is(err, store.ErrInvalid) {
		fp := &fieldProblem{Field: "title", Anchor: "f-title", Label: "Event", Message: strings.TrimPrefix(err.Error(), "store: ")}
		f.Errors = map[string]*fieldProblem{"title": fp}
		f.Problems = []*fieldProblem{fp}
		s.renderEventForm(w, r, dc, http.StatusUnprocessableEntity, old, f)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.Invalidate() // the home page's rail, the events page and calendar
	done := "saved"
	if old == nil {
		done = "created"
	}
	http.Redirect(w, r, "/admin/events/"+url.PathEscape(saved.Slug)+"?done="+done, http.StatusSeeOther)
}

// freeEventSlug is the store's slug for a new event (its local start
// date and title), with -2, -3, ... when another event has it: a new
// event never overwrites one.
func (s *Server) freeEventSlug(r *http.Request, e *store.Event) (string, error) {
	loc, _ := time.LoadLocation(e.TimeZone)
	base := brief.Slugify(e.StartsAt.In(loc).Format("2006-01-02") + " " + e.Title)
	if len(base) > 72 { // room for a suffix within the slug length
		base = strings.TrimRight(base[:72], "-")
	}
	for i := 1; i < 1000; i++ {
		slug := base
		if i > 1 {
			slug = fmt.Sprintf("%s-%d", base, i)
		}
		_, err := s.st.GetEvent(r.Context(), slug)
		if errors.Is(err, store.ErrNotFound) {
			return slug, nil
		}
		if err != nil {
			return "", err
		}
	}
	return "", errors.New("web: no free event slug")
}

func (s *Server) handleDeleteEvent(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	e, ok := s.loadEvent(w, r, dc)
	if !ok {
		return
	}
	if err := s.st.DeleteEvent(audited(r.Context(), dc.User.Email, "event.delete", e.Slug, e.Title), e.Slug); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	s.Invalidate()
	http.Redirect(w, r, "/admin/events?done=deleted", http.StatusSeeOther)
}
