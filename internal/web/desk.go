package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"legists/internal/auth"
	"legists/internal/brief"
	"legists/internal/store"
)

// deskCtx is who is at the desk for one request.
type deskCtx struct {
	User    *store.User
	Session *store.Session
}

// Desk is the part of every desk page the desk layout reads.
type Desk struct {
	Title   string
	Section string
	User    *store.User
	CSRF    string
	Notice  string
	Error   string
	Now     time.Time
}

func (s *Server) deskRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/login", s.handleLoginForm)
	mux.HandleFunc("POST /admin/login", s.handleLogin)
	mux.HandleFunc("POST /admin/logout", s.desk(auth.PermWrite, s.handleLogout))
	mux.HandleFunc("GET /admin/{$}", s.desk(auth.PermWrite, s.handleDeskList))
	mux.HandleFunc("GET /admin", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/admin/", http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /admin/briefs/new", s.desk(auth.PermWrite, s.handleNewBrief))
	mux.HandleFunc("POST /admin/briefs/new", s.desk(auth.PermWrite, s.handleEditPost))
	mux.HandleFunc("GET /admin/briefs/{slug}", s.desk(auth.PermWrite, s.handleEditBrief))
	mux.HandleFunc("POST /admin/briefs/{slug}", s.desk(auth.PermWrite, s.handleEditPost))
	mux.HandleFunc("POST /admin/briefs/{slug}/status", s.desk(auth.PermWrite, s.handleStatus))
	mux.HandleFunc("POST /admin/briefs/{slug}/delete", s.desk(auth.PermPublish, s.handleDelete))
	mux.HandleFunc("GET /admin/briefs/{slug}/revisions", s.desk(auth.PermWrite, s.handleRevisions))
	mux.HandleFunc("GET /admin/audit", s.desk(auth.PermPublish, s.handleAudit))
	mux.HandleFunc("GET /admin/users", s.desk(auth.PermAdmin, s.handleUsers))
	mux.HandleFunc("POST /admin/users", s.desk(auth.PermAdmin, s.handleAddUser))
	mux.HandleFunc("GET /admin/tokens", s.desk(auth.PermWrite, s.handleTokens))
	mux.HandleFunc("POST /admin/tokens", s.desk(auth.PermWrite, s.handleNewToken))
	mux.HandleFunc("POST /admin/tokens/{id}/delete", s.desk(auth.PermWrite, s.handleDeleteToken))
	mux.HandleFunc("GET /admin/password", s.desk(auth.PermWrite, s.handlePasswordForm))
	mux.HandleFunc("POST /admin/password", s.desk(auth.PermWrite, s.handlePassword))
	s.storyRoutes(mux)  // desk_stories.go
	s.sourceRoutes(mux) // desk_sources.go
	s.eventRoutes(mux)  // desk_events.go
	s.digestRoutes(mux) // desk_digest.go
}

// desk wraps a desk handler: it needs a session (else a redirect to the
// login page), the role's permission (else 403) and, for POSTs, the
// session's CSRF token (else 403).
func (s *Server) desk(perm auth.Permission, h func(http.ResponseWriter, *http.Request, *deskCtx)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Robots-Tag", "noindex, nofollow")
		u, sess, err := s.auth.Authenticate(r.Context(), r)
		if errors.Is(err, auth.ErrNoSession) {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, "/admin/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.deskMessage(w, r, nil, http.StatusUnauthorized, "Please log in", "Your session has ended. Log in again and repeat the action.")
			return
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		dc := &deskCtx{User: u, Session: sess}
		if r.Method == http.MethodPost {
			if err := r.ParseForm(); err != nil {
				if isTooLarge(err) {
					s.tooLarge(w, r)
					return
				}
				s.deskMessage(w, r, dc, http.StatusBadRequest, "Bad request", "The form could not be read.")
				return
			}
			if !auth.CheckCSRF(sess, r.PostForm.Get("csrf")) {
				s.deskMessage(w, r, dc, http.StatusForbidden, "Form expired", "The form was not sent from this session (CSRF check failed). Go back, reload the page and try again.")
				return
			}
		}
		if !auth.Can(u.Role, perm) {
			s.deskMessage(w, r, dc, http.StatusForbidden, "Not allowed", fmt.Sprintf("Your role (%s) may not do this.", u.Role))
			return
		}
		h(w, r, dc)
	}
}

func (s *Server) deskCommon(dc *deskCtx, title, section string) Desk {
	d := Desk{Title: title, Section: section, Now: time.Now()}
	if dc != nil {
		d.User = dc.User
		d.CSRF = dc.Session.CSRF
	}
	return d
}

// deskRender writes a desk view.
func (s *Server) deskRender(w http.ResponseWriter, r *http.Request, status int, view string, data any) {
	body, err := s.tmpl.render("desk/"+view, data)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

type messagePage struct {
	Desk
	Heading, Message string
}

func (s *Server) deskMessage(w http.ResponseWriter, r *http.Request, dc *deskCtx, status int, heading, msg string) {
	d := s.deskCommon(dc, heading, "")
	s.deskRender(w, r, status, "message", messagePage{Desk: d, Heading: heading, Message: msg})
}

func (s *Server) audit(ctx context.Context, actor, action, target, detail string) {
	if err := s.st.AppendAudit(ctx, &store.AuditEntry{Actor: actor, Action: action, Target: target, Detail: detail}); err != nil {
		s.log.ErrorContext(ctx, "audit", "err", err)
	}
}

// ---- login ----

type loginPage struct {
	Desk
	Email, Next, LoginCSRF string
}

func safeNext(next string) string {
	if strings.HasPrefix(next, "/admin/") && !strings.HasPrefix(next, "//") && !strings.Contains(next, "\\") {
		return next
	}
	return "/admin/"
}

func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Robots-Tag", "noindex, nofollow")
	if u, _, err := s.auth.Authenticate(r.Context(), r); err == nil && u != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	d := loginPage{Desk: s.deskCommon(nil, "Log in", "login"), Next: safeNext(r.URL.Query().Get("next"))}
	d.LoginCSRF = s.auth.LoginCSRF(w, r)
	if r.URL.Query().Get("out") == "1" {
		d.Notice = "You are logged out."
	}
	s.deskRender(w, r, http.StatusOK, "login", d)
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if err := r.ParseForm(); err != nil {
		if isTooLarge(err) {
			s.tooLarge(w, r)
			return
		}
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	d := loginPage{Desk: s.deskCommon(nil, "Log in", "login"), Email: r.PostForm.Get("email"), Next: safeNext(r.PostForm.Get("next"))}
	d.LoginCSRF = s.auth.LoginCSRF(w, r)
	if !auth.CheckLoginCSRF(r, r.PostForm.Get("csrf")) {
		d.Error = "The form expired. Please try again."
		s.deskRender(w, r, http.StatusForbidden, "login", d)
		return
	}
	u, _, err := s.auth.Login(r.Context(), w, r.PostForm.Get("email"), r.PostForm.Get("password"), clientIP(r))
	switch {
	case errors.Is(err, auth.ErrInvalidLogin):
		s.audit(r.Context(), strings.ToLower(strings.TrimSpace(d.Email)), "login.failed", "", "from "+clientIP(r))
		d.Error = "Wrong email or password."
		s.deskRender(w, r, http.StatusUnauthorized, "login", d)
		return
	case errors.Is(err, auth.ErrThrottled):
		d.Error = "Too many failed attempts. Wait a few minutes and try again."
		s.deskRender(w, r, http.StatusTooManyRequests, "login", d)
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	s.audit(r.Context(), u.Email, "login", "", "from "+clientIP(r))
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	if err := s.auth.Logout(r.Context(), w, r); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.audit(r.Context(), dc.User.Email, "logout", "", "")
	http.Redirect(w, r, "/admin/login?out=1", http.StatusSeeOther)
}

// ---- brief list ----

type deskTab struct {
	Key, Label, URL string
	Current         bool
}

type deskRow struct {
	Brief     brief.Brief
	Scheduled *time.Time
}

type listDeskPage struct {
	Desk
	Tabs  []deskTab
	Tab   string
	Rows  []deskRow
	Next  string
	Empty string
}

func (s *Server) handleDeskList(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	ctx := r.Context()
	tab := r.URL.Query().Get("status")
	if tab == "" {
		tab = "draft"
	}
	data := listDeskPage{Desk: s.deskCommon(dc, "Briefs", "briefs"), Tab: tab}
	switch r.URL.Query().Get("done") {
	case "deleted":
		data.Notice = "The brief was deleted."
	}
	for _, t := range [][2]string{{"draft", "Drafts"}, {"review", "In review"}, {"scheduled", "Scheduled"}, {"published", "Published"}} {
		data.Tabs = append(data.Tabs, deskTab{Key: t[0], Label: t[1], URL: "/admin/?status=" + t[0], Current: t[0] == tab})
	}
	scheds, err := s.st.ListSchedules(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	schedAt := map[string]time.Time{}
	for _, sc := range scheds {
		schedAt[sc.Slug] = sc.At
	}
	if tab == "scheduled" {
		for _, sc := range scheds {
			b, err := s.st.GetBrief(ctx, sc.Slug)
			if err != nil {
				continue
			}
			at := sc.At
			data.Rows = append(data.Rows, deskRow{Brief: *b, Scheduled: &at})
		}
		data.Empty = "Nothing is scheduled. Schedule a brief in review from its editor page."
		s.deskRender(w, r, http.StatusOK, "list", data)
		return
	}
	st := brief.Status(tab)
	if !st.Valid() {
		s.deskMessage(w, r, dc, http.StatusNotFound, "No such list", "Choose drafts, in review, scheduled or published.")
		return
	}
	pg, err := s.st.ListBriefs(ctx, store.BriefFilter{Status: st, Limit: 50, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, b := range pg.Briefs {
		row := deskRow{Brief: b}
		if at, ok := schedAt[b.Slug]; ok {
			row.Scheduled = &at
		}
		data.Rows = append(data.Rows, row)
	}
	if pg.Next != "" {
		data.Next = "/admin/?status=" + tab + "&cursor=" + url.QueryEscape(pg.Next)
	}
	data.Empty = map[string]string{
		"draft":     "No drafts. Start one with “New brief”.",
		"review":    "Nothing is waiting for review.",
		"published": "Nothing is published yet.",
	}[tab]
	s.deskRender(w, r, http.StatusOK, "list", data)
}

// ---- editor ----

type editPage struct {
	Desk
	New        bool
	Slug       string
	Text       string
	Note       string
	Brief      *brief.Brief // the stored brief (nil for a new one)
	Status     brief.Status
	Scheduled  *time.Time
	ParseError string
	ErrorLine  int
	Problems   []string
	Preview    *briefPage
	Findings   []Finding
	CheckRan   bool
	CheckError string
	FirmSugg   []Suggestion
	TopicSugg  []Suggestion
	TagRan     bool
	CanPublish bool
	CanEdit    bool
	Revision   int
	HasChecker bool
	HasTagger  bool
}

const newBriefTemplate = `---
byline: The Legists Content Team
topics:
  - 
firms:
  - 
---

# Headline of the brief

## What just happened?

One or two sentences on the news, each cited to its source. [1]

## What does this mean?

The context a lawyer needs. [1]

## How will this affect the legal sector?

What firms and in-house teams should watch. [1]

## Sources

1. [Title of the article](https://example.com/article) — Publisher
`

func (s *Server) handleNewBrief(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	data := editPage{Desk: s.deskCommon(dc, "New brief", "new"), New: true, Text: newBriefTemplate, CanEdit: true,
		CanPublish: auth.Can(dc.User.Role, auth.PermPublish), Status: brief.StatusDraft,
		HasChecker: s.opts.Checker != nil, HasTagger: s.opts.Tagger != nil}
	s.deskRender(w, r, http.StatusOK, "edit", data)
}

func (s *Server) handleEditBrief(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	ctx := r.Context()
	b, err := s.st.GetBrief(ctx, r.PathValue("slug"))
	if errors.Is(err, store.ErrNotFound) {
		s.deskMessage(w, r, dc, http.StatusNotFound, "No such brief", "There is no brief "+strconv.Quote(r.PathValue("slug"))+".")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data, err := s.editData(ctx, dc, b)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data.Text = brief.RenderMarkdown(b)
	switch r.URL.Query().Get("done") {
	case "saved":
		data.Notice = "Saved."
	case "unchanged":
		data.Notice = "No changes to save."
	case "created":
		data.Notice = "Created as a draft."
	case "status":
		data.Notice = "Status changed to " + string(b.Status) + "."
	case "scheduled":
		data.Notice = "Scheduled."
	case "unscheduled":
		data.Notice = "Schedule cancelled."
	case "drafted":
		// Started from a story (desk_stories.go): show the check at once.
		data.Notice = "Drafted from the story's articles and saved as a draft: every sentence is quoted from a source and cited to it. Check it, edit it, then submit it for review."
		s.fillChecks(ctx, &data, b, "preview")
	}
	s.deskRender(w, r, http.StatusOK, "edit", data)
}

func (s *Server) editData(ctx context.Context, dc *deskCtx, b *brief.Brief) (editPage, error) {
	data := editPage{Desk: s.deskCommon(dc, "Edit: "+b.Title, "briefs"), Slug: b.Slug, Brief: b, Status: b.Status,
		CanPublish: auth.Can(dc.User.Role, auth.PermPublish), HasChecker: s.opts.Checker != nil, HasTagger: s.opts.Tagger != nil}
	data.CanEdit = data.CanPublish || b.Status != brief.StatusPublished
	scheds, err := s.st.ListSchedules(ctx)
	if err != nil {
		return data, err
	}
	for _, sc := range scheds {
		if sc.Slug == b.Slug {
			at := sc.At
			data.Scheduled = &at
		}
	}
	if revs, err := s.st.Revisions(ctx, b.Slug); err == nil {
		for _, rv := range revs {
			data.Revision = max(data.Revision, rv.Number)
		}
	}
	return data, nil
}

// carrySources keeps the archived text of sources the edit did not change.
func carrySources(b, old *brief.Brief) {
	if old == nil {
		return
	}
	for i := range b.Sources {
		if os, ok := old.Source(b.Sources[i].N); ok && os.URL == b.Sources[i].URL && b.Sources[i].Text == "" {
			b.Sources[i].Text = os.Text
			b.Sources[i].ContentHash = os.ContentHash
			if b.Sources[i].FetchedAt == nil {
				b.Sources[i].FetchedAt = os.FetchedAt
			}
		}
	}
}

// handleEditPost saves, previews or checks the text of the editor.
func (s *Server) handleEditPost(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	ctx := r.Context()
	slug := r.PathValue("slug")
	isNew := slug == ""
	var old *brief.Brief
	var data editPage
	if isNew {
		data = editPage{Desk: s.deskCommon(dc, "New brief", "new"), New: true, CanEdit: true, Status: brief.StatusDraft,
			CanPublish: auth.Can(dc.User.Role, auth.PermPublish), HasChecker: s.opts.Checker != nil, HasTagger: s.opts.Tagger != nil}
	} else {
		var err error
		old, err = s.st.GetBrief(ctx, slug)
		if errors.Is(err, store.ErrNotFound) {
			s.deskMessage(w, r, dc, http.StatusNotFound, "No such brief", "There is no brief "+strconv.Quote(slug)+".")
			return
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if data, err = s.editData(ctx, dc, old); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	data.Text = strings.ReplaceAll(r.PostForm.Get("text"), "\r\n", "\n")
	data.Note = r.PostForm.Get("note")
	action := r.PostForm.Get("action")
	if !data.CanEdit && action == "save" {
		s.deskMessage(w, r, dc, http.StatusForbidden, "Not allowed", "Only editors may change a published brief.")
		return
	}
	b, err := brief.ParseMarkdown(strings.NewReader(data.Text))
	if err != nil {
		data.ParseError = err.Error()
		var pe *brief.ParseError
		if errors.As(err, &pe) {
			data.ErrorLine = pe.Line
		}
		data.Error = "The brief could not be read; nothing was saved."
		s.deskRender(w, r, http.StatusUnprocessableEntity, "edit", data)
		return
	}
	// The workflow, not the text, decides status and publication time.
	if old != nil {
		b.Slug = old.Slug
		b.Status = old.Status
		b.PublishedAt = old.PublishedAt
	} else {
		b.Status = brief.StatusDraft
		b.PublishedAt = nil
	}
	carrySources(b, old)
	s.normalizeBrief(b)
	if err := b.Validate(); err != nil {
		data.Problems = strings.Split(err.Error(), "\n")
		data.Error = "The brief is not valid; nothing was saved."
		s.deskRender(w, r, http.StatusUnprocessableEntity, "edit", data)
		return
	}
	switch action {
	case "preview", "check", "tags":
		s.fillChecks(ctx, &data, b, action)
		pv := s.briefView(ctx, b, data.Findings)
		pv.Draft = true
		data.Preview = &pv
		s.deskRender(w, r, http.StatusOK, "edit", data)
		return
	case "save":
	default:
		data.Error = "Unknown action."
		s.deskRender(w, r, http.StatusBadRequest, "edit", data)
		return
	}
	if isNew {
		if _, err := s.st.GetBrief(ctx, b.Slug); err == nil {
			data.Error = "A brief with the slug " + strconv.Quote(b.Slug) + " exists. Set another “slug:” in the front matter or change the headline."
			s.deskRender(w, r, http.StatusConflict, "edit", data)
			return
		} else if !errors.Is(err, store.ErrNotFound) {
			s.serverError(w, r, err)
			return
		}
	}
	res, err := s.st.SaveBrief(ctx, b, store.SaveOptions{Author: dc.User.Email, Note: strings.TrimSpace(data.Note)})
	if errors.Is(err, store.ErrInvalid) {
		data.Problems = []string{err.Error()}
		data.Error = "The brief is not valid; nothing was saved."
		s.deskRender(w, r, http.StatusUnprocessableEntity, "edit", data)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	done := "saved"
	switch res.Action {
	case store.SaveCreated:
		done = "created"
		s.audit(ctx, dc.User.Email, "brief.create", b.Slug, fmt.Sprintf("revision %d", res.Revision))
	case store.SaveUpdated:
		s.audit(ctx, dc.User.Email, "brief.save", b.Slug, fmt.Sprintf("revision %d%s", res.Revision, noteSuffix(data.Note)))
	case store.SaveUnchanged:
		done = "unchanged"
	}
	if res.Action != store.SaveUnchanged {
		s.Invalidate()
	}
	http.Redirect(w, r, "/admin/briefs/"+url.PathEscape(b.Slug)+"?done="+done, http.StatusSeeOther)
}

func noteSuffix(n string) string {
	if n = strings.TrimSpace(n); n != "" {
		return ": " + n
	}
	return ""
}

// fillChecks runs the fidelity check and the tagger when they are wired.
func (s *Server) fillChecks(ctx context.Context, data *editPage, b *brief.Brief, action string) {
	if s.opts.Checker != nil && (action == "check" || action == "preview") {
		data.CheckRan = true
		f, err := s.opts.Checker(ctx, b)
		if err != nil {
			data.CheckError = err.Error()
		}
		data.Findings = f
	}
	if s.opts.Tagger != nil && (action == "tags" || action == "preview") {
		data.TagRan = true
		firms, topics, err := s.opts.Tagger(ctx, b)
		if err == nil {
			data.FirmSugg, data.TopicSugg = firms, topics
		}
	}
}

// ---- workflow ----

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	ctx := r.Context()
	slug := r.PathValue("slug")
	b, err := s.st.GetBrief(ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		s.deskMessage(w, r, dc, http.StatusNotFound, "No such brief", "There is no brief "+strconv.Quote(slug)+".")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	canPublish := auth.Can(dc.User.Role, auth.PermPublish)
	to := r.PostForm.Get("to")
	back := "/admin/briefs/" + url.PathEscape(slug)
	switch to {
	case "schedule":
		if !canPublish {
			s.deskMessage(w, r, dc, http.StatusForbidden, "Not allowed", "Only editors may schedule publication.")
			return
		}
		at, err := time.ParseInLocation("2006-01-02T15:04", r.PostForm.Get("at"), time.UTC)
		if err != nil {
			s.deskMessage(w, r, dc, http.StatusBadRequest, "No time given", "Give the publication time as a date and time (UTC).")
			return
		}
		if !at.After(time.Now()) {
			s.deskMessage(w, r, dc, http.StatusBadRequest, "Time in the past", "A scheduled time must be in the future; use “Publish now” instead.")
			return
		}
		if b.Status == brief.StatusPublished {
			s.deskMessage(w, r, dc, http.StatusConflict, "Already published", "This brief is already published.")
			return
		}
		if err := s.st.SchedulePublish(ctx, store.ScheduledPublish{Slug: slug, At: at, By: dc.User.Email, CreatedAt: time.Now().UTC()}); err != nil {
			s.serverError(w, r, err)
			return
		}
		s.audit(ctx, dc.User.Email, "brief.schedule", slug, "for "+at.Format(time.RFC3339))
		http.Redirect(w, r, back+"?done=scheduled", http.StatusSeeOther)
		return
	case "unschedule":
		if !canPublish {
			s.deskMessage(w, r, dc, http.StatusForbidden, "Not allowed", "Only editors may change the schedule.")
			return
		}
		if err := s.st.CancelSchedule(ctx, slug); err != nil && !errors.Is(err, store.ErrNotFound) {
			s.serverError(w, r, err)
			return
		}
		s.audit(ctx, dc.User.Email, "brief.unschedule", slug, "")
		http.Redirect(w, r, back+"?done=unscheduled", http.StatusSeeOther)
		return
	}
	st := brief.Status(to)
	if !st.Valid() {
		s.deskMessage(w, r, dc, http.StatusBadRequest, "Unknown status", "Choose draft, review or published.")
		return
	}
	if (st == brief.StatusPublished || b.Status == brief.StatusPublished) && !canPublish {
		s.deskMessage(w, r, dc, http.StatusForbidden, "Not allowed", "Only editors may publish or unpublish.")
		return
	}
	if st == b.Status {
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	from := b.Status
	b.Status = st
	if st == brief.StatusPublished {
		now := time.Now().UTC().Truncate(time.Second)
		b.PublishedAt = &now
	}
	if _, err := s.st.SaveBrief(ctx, b, store.SaveOptions{Author: dc.User.Email, Note: fmt.Sprintf("status %s → %s", from, st)}); err != nil {
		s.serverError(w, r, err)
		return
	}
	if st == brief.StatusPublished {
		_ = s.st.CancelSchedule(ctx, slug)
	}
	s.audit(ctx, dc.User.Email, "brief.status", slug, fmt.Sprintf("%s → %s", from, st))
	s.Invalidate()
	http.Redirect(w, r, back+"?done=status", http.StatusSeeOther)
}

func (s *Server) handleDelete(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	slug := r.PathValue("slug")
	if r.PostForm.Get("confirm") != slug {
		s.deskMessage(w, r, dc, http.StatusBadRequest, "Not deleted", "Type the brief's slug to confirm deletion.")
		return
	}
	if err := s.st.DeleteBrief(r.Context(), slug); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	_ = s.st.CancelSchedule(r.Context(), slug)
	s.audit(r.Context(), dc.User.Email, "brief.delete", slug, "")
	s.Invalidate()
	http.Redirect(w, r, "/admin/?done=deleted", http.StatusSeeOther)
}

// PublishDue publishes the briefs whose scheduled time has come; the
// background worker calls it every few seconds. It returns how many it
// published.
func (s *Server) PublishDue(ctx context.Context, now time.Time) (int, error) {
	due, err := s.st.ClaimDueSchedules(ctx, now)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, sc := range due {
		b, err := s.st.GetBrief(ctx, sc.Slug)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return n, err
		}
		if b.Status == brief.StatusPublished {
			continue
		}
		from := b.Status
		b.Status = brief.StatusPublished
		at := sc.At.UTC().Truncate(time.Second)
		b.PublishedAt = &at
		if _, err := s.st.SaveBrief(ctx, b, store.SaveOptions{Author: sc.By, Note: "scheduled publication"}); err != nil {
			return n, err
		}
		s.audit(ctx, "system", "brief.status", sc.Slug, fmt.Sprintf("%s → published (scheduled by %s)", from, sc.By))
		n++
	}
	if n > 0 {
		s.Invalidate()
	}
	return n, nil
}

// RunScheduler publishes due briefs every interval until ctx ends.
func (s *Server) RunScheduler(ctx context.Context, interval time.Duration) {
	s.RunSchedulerWith(ctx, interval, nil)
}

// ---- revisions ----

type revView struct {
	store.Revision
	Current bool
	URL     string
}

type revisionsPage struct {
	Desk
	Slug      string
	Title     string
	Revisions []revView
	A, B      *store.Revision
	Diff      []diffLine
	Adds      int
	Dels      int
}

func (s *Server) handleRevisions(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	ctx := r.Context()
	slug := r.PathValue("slug")
	b, err := s.st.GetBrief(ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		s.deskMessage(w, r, dc, http.StatusNotFound, "No such brief", "There is no brief "+strconv.Quote(slug)+".")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	revs, err := s.st.Revisions(ctx, slug)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	slices.SortFunc(revs, func(a, b store.Revision) int { return b.Number - a.Number })
	data := revisionsPage{Desk: s.deskCommon(dc, "Revisions: "+b.Title, "briefs"), Slug: slug, Title: b.Title}
	byNum := map[int]*store.Revision{}
	for i := range revs {
		byNum[revs[i].Number] = &revs[i]
	}
	show := 0
	if len(revs) > 0 {
		show = revs[0].Number
	}
	if v := r.URL.Query().Get("rev"); v != "" {
		show, _ = strconv.Atoi(v)
	}
	for _, rv := range revs {
		data.Revisions = append(data.Revisions, revView{Revision: rv, Current: rv.Number == show,
			URL: fmt.Sprintf("/admin/briefs/%s/revisions?rev=%d", url.PathEscape(slug), rv.Number)})
	}
	if cur, ok := byNum[show]; ok {
		data.B = cur
		prevNum := 0
		for _, rv := range revs {
			if rv.Number < show && rv.Number > prevNum {
				prevNum = rv.Number
			}
		}
		prevText := ""
		if prev, ok := byNum[prevNum]; ok {
			data.A = prev
			prevText = prev.Text
		}
		data.Diff = diffLines(prevText, cur.Text)
		for _, d := range data.Diff {
			switch d.Op {
			case "add":
				data.Adds++
			case "del":
				data.Dels++
			}
		}
	}
	s.deskRender(w, r, http.StatusOK, "revisions", data)
}

// ---- audit log ----

type auditPage struct {
	Desk
	Entries []store.AuditEntry
	Target  string
	Actor   string
	Next    string
}

func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	q := r.URL.Query()
	f := store.AuditFilter{Target: q.Get("target"), Actor: q.Get("actor"), Limit: 100}
	if b := q.Get("before"); b != "" {
		f.Before, _ = strconv.ParseInt(b, 10, 64)
	}
	entries, err := s.st.ListAudit(r.Context(), f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data := auditPage{Desk: s.deskCommon(dc, "Audit log", "audit"), Entries: entries, Target: f.Target, Actor: f.Actor}
	if len(entries) == f.Limit {
		v := url.Values{}
		if f.Target != "" {
			v.Set("target", f.Target)
		}
		if f.Actor != "" {
			v.Set("actor", f.Actor)
		}
		v.Set("before", strconv.FormatInt(entries[len(entries)-1].ID, 10))
		data.Next = "/admin/audit?" + v.Encode()
	}
	s.deskRender(w, r, http.StatusOK, "audit", data)
}

// ---- users ----

type usersPage struct {
	Desk
	Users             []store.User
	Email, Name, Role string
	Roles             []brief.Role
}

func (s *Server) handleUsers(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	s.renderUsers(w, r, dc, http.StatusOK, usersPage{Role: string(brief.RoleAuthor)})
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, dc *deskCtx, status int, data usersPage) {
	users, err := s.st.ListUsers(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	notice, errMsg := data.Notice, data.Error
	data.Desk = s.deskCommon(dc, "Users", "users")
	data.Notice, data.Error = notice, errMsg
	data.Users = users
	data.Roles = []brief.Role{brief.RoleAuthor, brief.RoleEditor, brief.RoleAdmin}
	s.deskRender(w, r, status, "users", data)
}

func (s *Server) handleAddUser(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	f := r.PostForm
	data := usersPage{Email: strings.TrimSpace(f.Get("email")), Name: strings.TrimSpace(f.Get("name")), Role: f.Get("role")}
	u, err := NewUser(data.Email, data.Name, brief.Role(data.Role), f.Get("password"))
	if err != nil {
		data.Error = err.Error()
		s.renderUsers(w, r, dc, http.StatusUnprocessableEntity, data)
		return
	}
	if err := s.st.CreateUser(r.Context(), u); errors.Is(err, store.ErrConflict) {
		data.Error = "A user with that email exists."
		s.renderUsers(w, r, dc, http.StatusConflict, data)
		return
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.audit(r.Context(), dc.User.Email, "user.add", u.Email, "role "+string(u.Role))
	s.renderUsers(w, r, dc, http.StatusOK, usersPage{Desk: Desk{Notice: "Added " + u.Email + " as " + string(u.Role) + "."}, Role: string(brief.RoleAuthor)})
}

// NewUser validates a new user's fields and hashes the password.
func NewUser(email, name string, role brief.Role, password string) (*store.User, error) {
	email = strings.TrimSpace(email)
	if at := strings.IndexByte(email, '@'); at < 1 || at == len(email)-1 || strings.ContainsAny(email, " <>\"") || len(email) > 254 {
		return nil, errors.New("give a valid email address")
	}
	if strings.TrimSpace(name) == "" {
		name = email[:strings.IndexByte(email, '@')]
	}
	if !auth.ValidRole(role) {
		return nil, errors.New("the role must be admin, editor or author")
	}
	if len(password) < auth.MinPasswordLen {
		return nil, fmt.Errorf("the password must have at least %d characters", auth.MinPasswordLen)
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return nil, err
	}
	return &store.User{Email: email, Name: strings.TrimSpace(name), Role: role, PasswordHash: hash, CreatedAt: time.Now().UTC()}, nil
}

// ---- API tokens ----

type tokensPage struct {
	Desk
	Tokens []store.APIToken
	Secret string
}

func (s *Server) handleTokens(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	s.renderTokens(w, r, dc, "", "")
}

func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, dc *deskCtx, secret, notice string) {
	toks, err := s.st.ListAPITokens(r.Context(), dc.User.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data := tokensPage{Desk: s.deskCommon(dc, "API tokens", "tokens"), Tokens: toks, Secret: secret}
	data.Notice = notice
	s.deskRender(w, r, http.StatusOK, "tokens", data)
}

func (s *Server) handleNewToken(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	name := strings.TrimSpace(r.PostForm.Get("name"))
	if name == "" {
		name = "token"
	}
	secret, t, err := s.auth.NewAPIToken(r.Context(), dc.User, truncate(name, 80))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.audit(r.Context(), dc.User.Email, "token.create", t.Prefix, name)
	s.renderTokens(w, r, dc, secret, "Token created. Copy it now: it is shown only once.")
}

func (s *Server) handleDeleteToken(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.deskMessage(w, r, dc, http.StatusNotFound, "No such token", "")
		return
	}
	if err := s.st.DeleteAPIToken(r.Context(), dc.User.ID, id); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	s.audit(r.Context(), dc.User.Email, "token.revoke", strconv.FormatInt(id, 10), "")
	s.renderTokens(w, r, dc, "", "Token revoked.")
}

// ---- password ----

func (s *Server) handlePasswordForm(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	s.deskRender(w, r, http.StatusOK, "password", s.deskCommon(dc, "Change password", "password"))
}

func (s *Server) handlePassword(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	d := s.deskCommon(dc, "Change password", "password")
	ok, _ := auth.VerifyPassword(dc.User.PasswordHash, r.PostForm.Get("current"))
	if !ok {
		d.Error = "The current password is wrong."
		s.deskRender(w, r, http.StatusUnprocessableEntity, "password", d)
		return
	}
	pw := r.PostForm.Get("new")
	if len(pw) < auth.MinPasswordLen {
		d.Error = fmt.Sprintf("The new password must have at least %d characters.", auth.MinPasswordLen)
		s.deskRender(w, r, http.StatusUnprocessableEntity, "password", d)
		return
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	dc.User.PasswordHash = hash
	if err := s.st.UpdateUser(r.Context(), dc.User); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.audit(r.Context(), dc.User.Email, "user.password", dc.User.Email, "")
	d.Notice = "Password changed."
	s.deskRender(w, r, http.StatusOK, "password", d)
}

var _ = template.HTML("")
