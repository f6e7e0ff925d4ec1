package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"legists/internal/auth"
	"legists/internal/brief"
	"legists/internal/store"
)

// ---- users (admins only) ----

type usersPage struct {
	Desk
	Users             []store.User
	Email, Name, Role string
	Roles             []brief.Role
	MinPassword       int
}

func (s *Server) handleUsers(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	data := usersPage{Role: string(brief.RoleAuthor)}
	switch r.URL.Query().Get("done") {
	case "role":
		data.Notice = "Role changed."
	case "disable":
		data.Notice = "The user is disabled: their sessions ended and their API tokens no longer work."
	case "enable":
		data.Notice = "The user is enabled again."
	case "remove":
		data.Notice = "The user is removed, with their sessions and API tokens."
	}
	s.renderUsers(w, r, dc, http.StatusOK, data)
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, dc *deskCtx, status int, data usersPage) {
	users, err := s.st.ListUsers(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	notice, errMsg := data.Notice, data.Error
	data.Desk = s.deskCommon(dc, "Users", "users")
	data.Notice, data.Error = notice, errMsg
	data.Users = users
	data.Roles = []brief.Role{brief.RoleAuthor, brief.RoleEditor, brief.RoleAdmin}
	data.MinPassword = auth.MinPasswordLen
	if data.Role == "" {
		data.Role = string(brief.RoleAuthor)
	}
	s.deskRender(w, r, status, "users", data)
}

func (s *Server) handleAddUser(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	f := r.PostForm
	data := usersPage{Email: strings.TrimSpace(f.Get("email")), Name: strings.TrimSpace(f.Get("name")), Role: f.Get("role")}
	u, err := NewUser(data.Email, data.Name, brief.Role(data.Role), f.Get("password"))
	if errors.Is(err, auth.ErrBusy) {
		var status int
		status, data.Error = s.retryLater(w, err)
		s.renderUsers(w, r, dc, status, data)
		return
	}
	if err != nil {
		data.Error = err.Error()
		s.renderUsers(w, r, dc, http.StatusUnprocessableEntity, data)
		return
	}
	ctx := audited(r.Context(), dc.User.Email, "user.add", u.Email, "role "+string(u.Role))
	if err := s.st.CreateUser(ctx, u); errors.Is(err, store.ErrConflict) {
		data.Error = "A user with that email exists."
		s.renderUsers(w, r, dc, http.StatusConflict, data)
		return
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.renderUsers(w, r, dc, http.StatusOK, usersPage{Desk: Desk{Notice: "Added " + u.Email + " as " + string(u.Role) + "."}})
}

// handleChangeUser changes a user's role, disables or enables the account,
// or removes it (action = role, disable, enable or remove; remove needs the
// user's email typed as confirmation). The desk always keeps an enabled
// admin. Each change is audited in its own transaction.
func (s *Server) handleChangeUser(w http.ResponseWriter, r *http.Request, dc *deskCtx) {
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var u *store.User
	if err == nil {
		u, err = s.st.GetUser(ctx, id)
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	if u == nil {
		s.deskMessage(w, r, dc, http.StatusNotFound, "No such user", "There is no user with that number; they may have been removed.")
		return
	}
	f := r.PostForm
	action := f.Get("action")
	role, disabled := u.Role, u.Disabled
	detail := ""
	switch action {
	case "role":
		role = brief.Role(f.Get("role"))
		if !auth.ValidRole(role) {
			s.renderUsers(w, r, dc, http.StatusUnprocessableEntity, usersPage{Desk: Desk{Error: "The role must be admin, editor or author."}})
			return
		}
		detail = fmt.Sprintf("%s → %s", u.Role, role)
	case "disable":
		disabled = true
	case "enable":
		disabled = false
	case "remove":
		if !strings.EqualFold(strings.TrimSpace(f.Get("confirm")), u.Email) {
			s.renderUsers(w, r, dc, http.StatusUnprocessableEntity, usersPage{Desk: Desk{Error: "To remove " + u.Email + ", type their email address to confirm."}})
			return
		}
	default:
		s.renderUsers(w, r, dc, http.StatusBadRequest, usersPage{Desk: Desk{Error: "Unknown change: choose a role, disable, enable or remove."}})
		return
	}
	actx := audited(ctx, dc.User.Email, "user."+action, u.Email, detail)
	if action == "remove" {
		err = s.st.DeleteUser(actx, u.ID)
	} else {
		err = s.st.SetUserAccess(actx, u.ID, role, disabled)
	}
	switch {
	case errors.Is(err, store.ErrLastAdmin):
		s.renderUsers(w, r, dc, http.StatusConflict, usersPage{Desk: Desk{Error: u.Email + " is the last enabled admin: make another user admin first."}})
		return
	case errors.Is(err, store.ErrNotFound):
		s.deskMessage(w, r, dc, http.StatusNotFound, "No such user", "There is no user with that number; they may have been removed.")
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/users?done="+action, http.StatusSeeOther)
}

// NewUser validates a new user's fields (the password with
// auth.CheckPassword) and hashes the password.
func NewUser(email, name string, role brief.Role, password string) (*store.User, error) {
	email = strings.TrimSpace(email)
	if at := strings.IndexByte(email, '@'); at < 1 || at == len(email)-1 || strings.ContainsAny(email, " <>\"") || len(email) > 254 ||
		!utf8.ValidString(email) || strings.ContainsFunc(email, unicode.IsControl) {
		return nil, errors.New("give a valid email address")
	}
	if strings.TrimSpace(name) == "" {
		name = email[:strings.IndexByte(email, '@')]
	}
	if !auth.ValidRole(role) {
		return nil, errors.New("the role must be admin, editor or author")
	}
	if err := auth.CheckPassword(password); err != nil {
		return nil, err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return nil, err
	}
	return &store.User{Email: email, Name: strings.TrimSpace(name), Role: role, PasswordHash: hash, CreatedAt: time.Now().UTC()}, nil
}
