package web

import (
	"errors"
	"net/http"
	"strings"

	"legists/internal/auth"
)

// ---- login and logout ----

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
	from := s.clientIP(r)
	email := strings.ToLower(strings.TrimSpace(d.Email))
	// Login records the "login" entry with the session it creates.
	_, _, err := s.auth.Login(r.Context(), w, r.PostForm.Get("email"), r.PostForm.Get("password"), from)
	switch {
	case errors.Is(err, auth.ErrInvalidLogin):
		s.auditAlone(r.Context(), truncate(email, 254), "login.failed", "", "from "+from)
		d.Error = "Wrong email or password."
		s.deskRender(w, r, http.StatusUnauthorized, "login", d)
		return
	case errors.Is(err, auth.ErrThrottled), errors.Is(err, auth.ErrBusy):
		var status int
		status, d.Error = s.retryLater(w, err)
		s.deskRender(w, r, status, "login", d)
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	if err := s.auth.Logout(audited(r.Context(), dc.User.Email, "logout", "", ""), w, r); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/login?out=1", http.StatusSeeOther)
}
