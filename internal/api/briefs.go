package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"legists/internal/auth"
	"legists/internal/brief"
	"legists/internal/store"
	"net/http"
	"strconv"
	"strings"
	"time"
)

func parseLimit(v string, def, maxN int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxN {
		return 0, fmt.Errorf("limit must be a whole number from 1 to %d", maxN)
	}
	return n, nil
}

// queryDate reads the date parameter name into dst, answering 400 itself
// (and reporting false) when it is not a date.
func (a *API) queryDate(w http.ResponseWriter, r *http.Request, name string, dst *time.Time) bool {
	t, err := parseDate(r.URL.Query().Get(name))
	if err != nil {
		a.problem(w, r, http.StatusBadRequest, name+": "+err.Error())
		return false
	}
	*dst = t
	return true
}

// parseDate reads a date (2025-03-31) or an RFC 3339 time.
func parseDate(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	t, err := time.Parse("2006-01-02", v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date (2025-03-31) or an RFC 3339 time", v)
	}
	return t, nil
}

func (a *API) listBriefs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := parseLimit(q.Get("limit"), 20, 100)
	if err != nil {
		a.problem(w, r, http.StatusBadRequest, err.Error())
		return
	}
	f := store.BriefFilter{Status: brief.StatusPublished, Firm: q.Get("firm"), Topic: q.Get("topic"), Limit: limit, Cursor: q.Get("cursor")}
	if st := q.Get("status"); st != "" {
		if !brief.Status(st).Valid() {
			a.problem(w, r, http.StatusBadRequest, "status must be draft, review or published")
			return
		}
		f.Status = brief.Status(st)
		if f.Status != brief.StatusPublished {
			if _, ok := a.writer(w, r, auth.PermWrite); !ok {
				return
			}
		}
	}
	if !a.queryDate(w, r, "since", &f.Since) || !a.queryDate(w, r, "until", &f.Until) {
		return
	}
	pg, err := a.o.Store.ListBriefs(r.Context(), f)
	if a.pageFailed(w, r, err) {
		return
	}
	out := BriefList{Briefs: []Brief{}, Next: pg.Next}
	for i := range pg.Briefs {
		out.Briefs = append(out.Briefs, FromBrief(&pg.Briefs[i], a.o.BaseURL))
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) getBrief(w http.ResponseWriter, r *http.Request) {
	b, err := a.o.Store.GetBrief(r.Context(), r.PathValue("slug"))
	if errors.Is(err, store.ErrNotFound) {
		a.notFound(w, r, "brief", "slug")
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if b.Status != brief.StatusPublished {
		if u := a.reader(r); u == nil {
			a.notFound(w, r, "brief", "slug")
			return
		}
	}
	writeJSON(w, http.StatusOK, FromBrief(b, a.o.BaseURL))
}

// readBrief decodes a request body: JSON (the Brief shape), or a brief in
// the house text format (text/plain) or the editing format
// (text/markdown).
func (a *API) readBrief(w http.ResponseWriter, r *http.Request) (*brief.Brief, bool) {
	mt := strings.ToLower(strings.TrimSpace(strings.Split(r.Header.Get("Content-Type"), ";")[0]))
	var b *brief.Brief
	var err error
	switch mt {
	case "application/json", "":
		var in Brief
		dec := json.NewDecoder(r.Body)
		if err = dec.Decode(&in); err == nil {
			b = in.ToBrief()
		}
	case "text/plain":
		b, err = brief.Parse(r.Body)
	case "text/markdown":
		b, err = brief.ParseMarkdown(r.Body)
	default:
		a.problem(w, r, http.StatusUnsupportedMediaType, "Send application/json, text/plain (the house format) or text/markdown (the editing format).")
		return nil, false
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) || errors.Is(err, brief.ErrTooLarge) {
			a.problem(w, r, http.StatusRequestEntityTooLarge, "The body is too large.")
			return nil, false
		}
		a.problem(w, r, http.StatusBadRequest, "The body is not a brief: "+err.Error())
		return nil, false
	}
	return b, true
}

func (a *API) validate(w http.ResponseWriter, r *http.Request, b *brief.Brief) bool {
	a.o.Normalizer(b)
	b.Normalize()
	if err := b.Validate(); err != nil {
		a.problem(w, r, http.StatusUnprocessableEntity, "The brief is not valid.", strings.Split(err.Error(), "\n")...)
		return false
	}
	return true
}

// mayStatus answers 403 when u's role may not give b the status it has.
func (a *API) mayStatus(w http.ResponseWriter, r *http.Request, u *store.User, b *brief.Brief, old *brief.Brief) bool {
	if auth.Can(u.Role, auth.PermPublish) {
		return true
	}
	if b.Status == brief.StatusPublished || (old != nil && old.Status == brief.StatusPublished) {
		a.problem(w, r, http.StatusForbidden, fmt.Sprintf("Your role (%s) may not publish or change a published brief.", u.Role))
		return false
	}
	return true
}

func (a *API) createBrief(w http.ResponseWriter, r *http.Request) {
	u, ok := a.writer(w, r, auth.PermWrite)
	if !ok {
		return
	}
	b, ok := a.readBrief(w, r)
	if !ok || !a.validate(w, r, b) || !a.mayStatus(w, r, u, b, nil) {
		return
	}
	if _, err := a.o.Store.GetBrief(r.Context(), b.Slug); err == nil {
		a.problem(w, r, http.StatusConflict, "A brief "+strconv.Quote(b.Slug)+" exists; PUT /api/v1/briefs/"+b.Slug+" to change it.")
		return
	} else if !errors.Is(err, store.ErrNotFound) {
		a.serverError(w, r, err)
		return
	}
	_, err := a.o.Store.SaveBrief(savingAudited(r, u, b), b, store.SaveOptions{Author: u.Email, Note: "created through the API"})
	if errors.Is(err, store.ErrInvalid) {
		a.problem(w, r, http.StatusUnprocessableEntity, err.Error())
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	a.o.OnChange()
	saved, err := a.o.Store.GetBrief(r.Context(), b.Slug)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	w.Header().Set("Location", Prefix+"/briefs/"+b.Slug)
	writeJSON(w, http.StatusCreated, FromBrief(saved, a.o.BaseURL))
}

func (a *API) putBrief(w http.ResponseWriter, r *http.Request) {
	u, ok := a.writer(w, r, auth.PermWrite)
	if !ok {
		return
	}
	slug := r.PathValue("slug")
	b, ok := a.readBrief(w, r)
	if !ok {
		return
	}
	if b.Slug == "" {
		b.Slug = slug
	}
	if b.Slug != slug {
		a.problem(w, r, http.StatusUnprocessableEntity, "The slug in the body ("+b.Slug+") differs from the one in the path ("+slug+").")
		return
	}
	old, err := a.o.Store.GetBrief(r.Context(), slug)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		a.serverError(w, r, err)
		return
	}
	if old == nil && errors.Is(err, store.ErrNotFound) {
		old = nil
	}
	if b.PublishedAt == nil && old != nil && b.Status == brief.StatusPublished {
		b.PublishedAt = old.PublishedAt
	}
	if !a.validate(w, r, b) || !a.mayStatus(w, r, u, b, old) {
		return
	}
	// Sources keep their archived text unless the body brings new text.
	if old != nil {
		for i := range b.Sources {
			if b.Sources[i].Text == "" {
				if os, ok := old.Source(b.Sources[i].N); ok && os.URL == b.Sources[i].URL {
					b.Sources[i].Text, b.Sources[i].FetchedAt = os.Text, cmpTime(b.Sources[i].FetchedAt, os.FetchedAt)
				}
			}
		}
	}
	res, err := a.o.Store.SaveBrief(savingAudited(r, u, b), b, store.SaveOptions{Author: u.Email, Note: "saved through the API"})
	if errors.Is(err, store.ErrInvalid) {
		a.problem(w, r, http.StatusUnprocessableEntity, err.Error())
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if res.Action != store.SaveUnchanged {
		a.o.OnChange()
	}
	saved, err := a.o.Store.GetBrief(r.Context(), slug)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	status := http.StatusOK
	if res.Action == store.SaveCreated {
		status = http.StatusCreated
		w.Header().Set("Location", Prefix+"/briefs/"+slug)
	}
	writeJSON(w, status, FromBrief(saved, a.o.BaseURL))
}

func cmpTime(a, b *time.Time) *time.Time {
	if a != nil {
		return a
	}
	return b
}

func (a *API) deleteBrief(w http.ResponseWriter, r *http.Request) {
	u, ok := a.writer(w, r, auth.PermPublish)
	if !ok {
		return
	}
	slug := r.PathValue("slug")
	err := a.o.Store.DeleteBrief(store.WithAudit(r.Context(), store.AuditEntry{Actor: u.Email, Action: "brief.delete", Target: slug, Detail: "via API"}), slug)
	if errors.Is(err, store.ErrNotFound) {
		a.problem(w, r, http.StatusNotFound, "No brief "+strconv.Quote(slug)+".")
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	a.o.OnChange()
	w.WriteHeader(http.StatusNoContent)
}

// RevisionList is a brief's saved versions, newest first.
type RevisionList struct {
	Revisions []store.Revision `json:"revisions"`
}

func (a *API) revisions(w http.ResponseWriter, r *http.Request) {
	if _, ok := a.writer(w, r, auth.PermWrite); !ok {
		return
	}
	revs, err := a.o.Store.Revisions(r.Context(), r.PathValue("slug"))
	if errors.Is(err, store.ErrNotFound) || (err == nil && len(revs) == 0) {
		a.notFound(w, r, "brief", "slug")
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	// A revision's text and hash say what it was; the decoded brief the
	// store keeps beside them is not part of the API's Revision.
	for i := range revs {
		revs[i].Brief = nil
	}
	writeJSON(w, http.StatusOK, RevisionList{Revisions: revs})
}
