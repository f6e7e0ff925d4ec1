package web

import (
	"net/http"
	"net/url"
	"strconv"

	"legists/internal/store"
)

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
