package api

import (
	"errors"
	"fmt"
	"legists/internal/auth"
	"legists/internal/store"
	"net/http"
)

// writer returns the user behind the request's API token, answering 401
// or 403 itself when there is none or it lacks perm.
func (a *API) writer(w http.ResponseWriter, r *http.Request, perm auth.Permission) (*store.User, bool) {
	u, _, err := a.o.Auth.BearerUser(r.Context(), r)
	switch {
	case errors.Is(err, auth.ErrNoSession):
		a.problem(w, r, http.StatusUnauthorized, "This request needs an API token: send Authorization: Bearer TOKEN (create one at /admin/tokens).")
		return nil, false
	case errors.Is(err, auth.ErrBadToken):
		a.problem(w, r, http.StatusUnauthorized, "The API token is not valid.")
		return nil, false
	case err != nil:
		a.serverError(w, r, err)
		return nil, false
	}
	if !auth.Can(u.Role, perm) {
		a.problem(w, r, http.StatusForbidden, fmt.Sprintf("Your role (%s) may not do this.", u.Role))
		return nil, false
	}
	return u, true
}

// reader returns the token's user when the request carries one (reads of
// unpublished briefs need it), nil otherwise.
func (a *API) reader(r *http.Request) *store.User {
	u, _, err := a.o.Auth.BearerUser(r.Context(), r)
	if err != nil {
		return nil
	}
	return u
}

func (a *API) audit(r *http.Request, u *store.User, action, target, detail string) {
	e := &store.AuditEntry{Actor: u.Email, Action: action, Target: target, Detail: detail}
	if err := a.o.Store.AppendAudit(r.Context(), e); err != nil {
		a.o.Logger.Error("audit", "err", err)
	}
}
