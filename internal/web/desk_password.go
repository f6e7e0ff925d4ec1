package web

import (
	"errors"
	"net/http"

	"legists/internal/auth"
)

// ---- password ----

func (s *Server) handlePasswordForm(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	s.deskRender(w, r, http.StatusOK, "password", s.deskCommon(dc, "Change password", "password"))
}

// handlePassword changes the user's password. The current password is
// checked under the login throttle; the change ends every other session
// of the user and, when asked, revokes their API tokens, in the
// transaction that records it in the audit log.
func (s *Server) handlePassword(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	d := s.deskCommon(dc, "Change password", "password")
	err := s.auth.CheckCurrentPassword(dc.User, r.PostForm.Get("current"), s.clientIP(r))
	switch {
	case errors.Is(err, auth.ErrInvalidLogin):
		d.Error = "The current password is wrong."
		s.deskRender(w, r, http.StatusUnprocessableEntity, "password", d)
		return
	case errors.Is(err, auth.ErrThrottled), errors.Is(err, auth.ErrBusy):
		var status int
		status, d.Error = s.retryLater(w, err)
		s.deskRender(w, r, status, "password", d)
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	pw := r.PostForm.Get("new")
	if err := auth.CheckPassword(pw); err != nil {
		d.Error = "The new password is not accepted: " + err.Error() + "."
		s.deskRender(w, r, http.StatusUnprocessableEntity, "password", d)
		return
	}
	hash, err := auth.HashPassword(pw)
	if errors.Is(err, auth.ErrBusy) {
		var status int
		status, d.Error = s.retryLater(w, err)
		s.deskRender(w, r, status, "password", d)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	revoke := r.PostForm.Get("revoke_tokens") == "1"
	detail := "other sessions ended"
	if revoke {
		detail += ", API tokens revoked"
	}
	ctx := audited(r.Context(), dc.User.Email, "user.password", dc.User.Email, detail)
	if err := s.st.SetPassword(ctx, dc.User.ID, hash, dc.Session.ID, revoke); err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Notice = "Password changed. Your other sessions are logged out."
	if revoke {
		d.Notice = "Password changed. Your other sessions are logged out and your API tokens revoked."
	}
	s.deskRender(w, r, http.StatusOK, "password", d)
}
