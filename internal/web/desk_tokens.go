package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"legists/internal/store"
)

// ---- API tokens ----

type tokensPage struct {
	Desk
	Tokens  []store.APIToken
	Secret  string
	Expires []tokenExpiry
}

// tokenExpiry is a choice of lifetime for a new token.
type tokenExpiry struct {
	Days  int
	Label string
}

// tokenExpiries are the lifetimes the desk offers; the first is the
// default.
var tokenExpiries = []tokenExpiry{{90, "90 days"}, {30, "30 days"}, {7, "7 days"}, {365, "1 year"}, {0, "never"}}

func (s *Server) handleTokens(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	s.renderTokens(w, r, dc, http.StatusOK, "", "", "")
}

func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, dc *deskCtx, status int, secret, notice, errMsg string) {
	toks, err := s.st.ListAPITokens(r.Context(), dc.User.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data := tokensPage{Desk: s.deskCommon(dc, "API tokens", "tokens"), Tokens: toks, Secret: secret, Expires: tokenExpiries}
	data.Notice, data.Error = notice, errMsg
	s.deskRender(w, r, status, "tokens", data)
}

func (s *Server) handleNewToken(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	name := strings.TrimSpace(r.PostForm.Get("name"))
	if name == "" {
		name = "token"
	}
	name = truncate(name, 80)
	days := 90
	if v := r.PostForm.Get("expires_days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 3650 {
			s.renderTokens(w, r, dc, http.StatusUnprocessableEntity, "", "", "Choose how long the token lasts: a number of days from 0 (never expires) to 3650.")
			return
		}
		days = n
	}
	detail := name + ", never expires"
	if days > 0 {
		detail = name + ", expires in " + strconv.Itoa(days) + " days"
	}
	secret, _, err := s.auth.NewAPIToken(r.Context(), dc.User, name, time.Duration(days)*24*time.Hour,
		&store.AuditEntry{Actor: dc.User.Email, Action: "token.create", Detail: detail})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.renderTokens(w, r, dc, http.StatusOK, secret, "Token created. Copy it now: it is shown only once.", "")
}

// handleDeleteToken revokes one of the user's own tokens. Another user's
// token, or one already revoked, is "not found": nothing changes and
// nothing is audited.
func (s *Server) handleDeleteToken(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.deskMessage(w, r, dc, http.StatusNotFound, "No such token", "You have no token with that number.")
		return
	}
	err = s.st.DeleteAPIToken(audited(r.Context(), dc.User.Email, "token.revoke", strconv.FormatInt(id, 10), ""), dc.User.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		s.deskMessage(w, r, dc, http.StatusNotFound, "No such token", "You have no token with that number; it may have been revoked already.")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.renderTokens(w, r, dc, http.StatusOK, "", "Token revoked.", "")
}
