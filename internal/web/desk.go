package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"legists/internal/auth"
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
	mux.HandleFunc("POST /admin/users/{id}", s.desk(auth.PermAdmin, s.handleChangeUser))
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

// badListPosition answers a malformed cursor in a desk list.
func (s *Server) badListPosition(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	s.deskMessage(w, r, dc, http.StatusBadRequest, "Bad page", "This list position is not valid. Start again from the first page.")
}

// audited returns ctx carrying an audit entry: the store appends it in the
// transaction of the next write under ctx, so the change and its entry are
// committed together (and a write that changed nothing records nothing).
func audited(ctx context.Context, actor, action, target, detail string) context.Context {
	return store.WithAudit(ctx, store.AuditEntry{Actor: actor, Action: action, Target: target, Detail: detail})
}

// auditAlone records an event that changes nothing stored (a failed login).
func (s *Server) auditAlone(ctx context.Context, actor, action, target, detail string) {
	if err := s.st.AppendAudit(ctx, &store.AuditEntry{Actor: actor, Action: action, Target: target, Detail: detail}); err != nil {
		s.log.ErrorContext(ctx, "audit", "err", err)
	}
}

// retryLater answers 429 (throttled) or 503 (busy hashing) with a
// Retry-After header and a desk page that says so.
func (s *Server) retryLater(w http.ResponseWriter, err error) (status int, msg string) {
	w.Header().Set("Retry-After", strconv.Itoa(auth.RetryAfterSeconds(err)))
	if errors.Is(err, auth.ErrThrottled) {
		return http.StatusTooManyRequests, "Too many failed attempts. Wait a few minutes and try again."
	}
	return http.StatusServiceUnavailable, "The server is busy checking other passwords. Try again in a few seconds."
}
