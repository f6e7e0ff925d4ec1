package api

import (
	"context"
	"errors"
	"fmt"
	"legists/internal/auth"
	"legists/internal/brief"
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

// savingAudited returns the request's context carrying the audit entry of
// a brief save through the API: the store appends it in the save's
// transaction ("brief.created" or "brief.updated"; nothing for an
// unchanged save).
func savingAudited(r *http.Request, u *store.User, b *brief.Brief) context.Context {
	return store.WithSaveAudit(r.Context(), store.AuditEntry{Actor: u.Email, Target: b.Slug}, func(e *store.AuditEntry, res store.SaveResult) {
		e.Action = "brief." + string(res.Action)
		e.Detail = fmt.Sprintf("via API, status %s, revision %d", b.Status, res.Revision)
	})
}
