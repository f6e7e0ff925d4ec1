package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"legists/internal/auth"
	"legists/internal/brief"
	"legists/internal/store"
)

// ---- workflow ----

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	ctx := r.Context()
	slug := r.PathValue("slug")
	b, ok := s.deskBrief(w, r, dc, slug)
	if !ok {
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
		actx := audited(ctx, dc.User.Email, "brief.schedule", slug, "for "+at.Format(time.RFC3339))
		if err := s.st.SchedulePublish(actx, store.ScheduledPublish{Slug: slug, At: at, By: dc.User.Email, CreatedAt: time.Now().UTC()}); err != nil {
			s.serverError(w, r, err)
			return
		}
		http.Redirect(w, r, back+"?done=scheduled", http.StatusSeeOther)
		return
	case "unschedule":
		if !canPublish {
			s.deskMessage(w, r, dc, http.StatusForbidden, "Not allowed", "Only editors may change the schedule.")
			return
		}
		if err := s.st.CancelSchedule(audited(ctx, dc.User.Email, "brief.unschedule", slug, ""), slug); err != nil && !errors.Is(err, store.ErrNotFound) {
			s.serverError(w, r, err)
			return
		}
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
	actx := audited(ctx, dc.User.Email, "brief.status", slug, fmt.Sprintf("%s → %s", from, st))
	if _, err := s.st.SaveBrief(actx, b, store.SaveOptions{Author: dc.User.Email, Note: fmt.Sprintf("status %s → %s", from, st)}); err != nil {
		s.serverError(w, r, err)
		return
	}
	if st == brief.StatusPublished {
		_ = s.st.CancelSchedule(ctx, slug)
	}
	s.Invalidate()
	http.Redirect(w, r, back+"?done=status", http.StatusSeeOther)
}

func (s *Server) handleDelete(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	slug := r.PathValue("slug")
	if r.PostForm.Get("confirm") != slug {
		s.deskMessage(w, r, dc, http.StatusBadRequest, "Not deleted", "Type the brief's slug to confirm deletion.")
		return
	}
	if err := s.st.DeleteBrief(audited(r.Context(), dc.User.Email, "brief.delete", slug, ""), slug); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	_ = s.st.CancelSchedule(r.Context(), slug)
	s.Invalidate()
	http.Redirect(w, r, "/admin/?done=deleted", http.StatusSeeOther)
}

// PublishDue publishes the briefs whose scheduled time has come; the
// background worker calls it every few seconds. It returns how many it
// published.
//
// It publishes first and removes the schedules after, so that a crash in
// between loses nothing (the next run finds the brief published and only
// removes its schedule). Several instances may publish the same brief at
// once: the saves are identical, so the second changes nothing and
// records nothing (its audit entry goes with the save that changed).
func (s *Server) PublishDue(ctx context.Context, now time.Time) (int, error) {
	scheds, err := s.st.ListSchedules(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, sc := range scheds {
		if sc.At.After(now) {
			break // soonest first
		}
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
		actx := audited(ctx, "system", "brief.status", sc.Slug, fmt.Sprintf("%s → published (scheduled by %s)", from, sc.By))
		res, err := s.st.SaveBrief(actx, b, store.SaveOptions{Author: sc.By, Note: "scheduled publication"})
		if err != nil {
			return n, err
		}
		if res.Action != store.SaveUnchanged {
			n++
		}
	}
	if n > 0 {
		s.Invalidate()
	}
	// The due schedules are done (published now, earlier, or by another
	// instance); a schedule moved to a later time since stays.
	if _, err := s.st.ClaimDueSchedules(ctx, now); err != nil {
		return n, err
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
	b, ok := s.deskBrief(w, r, dc, slug)
	if !ok {
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

// deskBrief loads the brief slug for a desk page, answering 404 (no such
// brief) or 500 itself when it cannot.
func (s *Server) deskBrief(w http.ResponseWriter, r *http.Request, dc *deskCtx, slug string) (*brief.Brief, bool) {
	b, err := s.st.GetBrief(r.Context(), slug)
	return deskFound(s, w, r, dc, b, err, "No such brief", "There is no brief "+strconv.Quote(slug)+".")
}

// deskFound finishes a desk page's lookup: v when err is nil; otherwise
// it answers 404 with title and message (store.ErrNotFound) or 500, and
// reports false.
func deskFound[T any](s *Server, w http.ResponseWriter, r *http.Request, dc *deskCtx, v T, err error, title, message string) (T, bool) {
	var zero T
	if errors.Is(err, store.ErrNotFound) {
		s.deskMessage(w, r, dc, http.StatusNotFound, title, message)
		return zero, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return zero, false
	}
	return v, true
}
