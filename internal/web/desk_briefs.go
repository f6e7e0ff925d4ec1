package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"legists/internal/auth"
	"legists/internal/brief"
	"legists/internal/store"
)

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
	if errors.Is(err, store.ErrInvalid) {
		s.badListPosition(w, r, dc)
		return
	}
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
	b, ok := s.deskBrief(w, r, dc, r.PathValue("slug"))
	if !ok {
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
		var ok bool
		if old, ok = s.deskBrief(w, r, dc, slug); !ok {
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
	actx := store.WithSaveAudit(ctx, store.AuditEntry{Actor: dc.User.Email, Target: b.Slug}, func(e *store.AuditEntry, res store.SaveResult) {
		e.Action, e.Detail = "brief.save", fmt.Sprintf("revision %d%s", res.Revision, noteSuffix(data.Note))
		if res.Action == store.SaveCreated {
			e.Action, e.Detail = "brief.create", fmt.Sprintf("revision %d", res.Revision)
		}
	})
	res, err := s.st.SaveBrief(actx, b, store.SaveOptions{Author: dc.User.Email, Note: strings.TrimSpace(data.Note)})
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
