package store

// The editor's desk: users, sessions, API tokens, the audit log and
// scheduled publishing (migration 00003_desk). The methods are declared in
// the Desk interface, which Store embeds.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"legists/internal/brief"
)

// ErrConflict is returned when a record would duplicate a unique one (a
// second user with the same email).
var ErrConflict = errors.New("conflict")

// ErrLastAdmin is returned when a change would leave the desk without an
// enabled admin.
var ErrLastAdmin = fmt.Errorf("the last admin cannot be removed, demoted or disabled: %w", ErrConflict)

// User is a person who may log in to the editor's desk.
type User struct {
	ID    int64      `json:"id"`
	Email string     `json:"email"`
	Name  string     `json:"name"`
	Role  brief.Role `json:"role"`
	// PasswordHash is an argon2id hash in PHC string format.
	PasswordHash string    `json:"-"`
	Disabled     bool      `json:"disabled,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

// Session is a logged-in browser. ID is the hex SHA-256 of the cookie
// value, so a leaked database does not leak live sessions.
type Session struct {
	ID        string
	UserID    int64
	CSRF      string // per-session anti-forgery token
	CreatedAt time.Time
	ExpiresAt time.Time
}

// APIToken lets a user write through the JSON API. Only the hex SHA-256 of
// the secret is kept; Prefix (the first characters) identifies it in lists.
type APIToken struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	Hash       string     `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	// ExpiresAt, when set, is when the token stops working.
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// Expired reports whether the token no longer works at now.
func (t *APIToken) Expired(now time.Time) bool {
	return t.ExpiresAt != nil && !now.Before(*t.ExpiresAt)
}

// AuditEntry records who did what at the desk or through the API.
type AuditEntry struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`  // user email, or "system"
	Action string    `json:"action"` // e.g. "brief.save", "login"
	Target string    `json:"target"` // e.g. a brief slug or a user email
	Detail string    `json:"detail,omitempty"`
}

// AuditFilter selects audit entries, newest first. Zero fields do not filter.
type AuditFilter struct {
	Actor  string
	Target string
	// Before continues a listing below this entry ID.
	Before int64
	Limit  int
}

// ScheduledPublish is a brief that will be published at a set time.
type ScheduledPublish struct {
	Slug      string    `json:"slug"`
	At        time.Time `json:"at"`
	By        string    `json:"by"`
	CreatedAt time.Time `json:"created_at"`
}

// Desk is what the editor's desk keeps.
type Desk interface {
	// CreateUser stores u and sets u.ID; ErrConflict if the email (compared
	// case-insensitively) is taken.
	CreateUser(ctx context.Context, u *User) error
	GetUser(ctx context.Context, id int64) (*User, error)
	GetUserByEmail(ctx context.Context, email string) (*User, error)
	ListUsers(ctx context.Context) ([]User, error)
	// UpdateUser saves name, role, password hash and disabled.
	UpdateUser(ctx context.Context, u *User) error
	CountUsers(ctx context.Context) (int, error)
	// SetPassword saves a new password hash and ends every session of the
	// user but keepSession (a session ID, or "" for none); with
	// revokeTokens it also deletes the user's API tokens.
	SetPassword(ctx context.Context, userID int64, hash, keepSession string, revokeTokens bool) error
	// SetUserAccess changes a user's role and whether the account is
	// disabled; disabling ends the user's sessions. ErrLastAdmin if no
	// enabled admin would be left.
	SetUserAccess(ctx context.Context, userID int64, role brief.Role, disabled bool) error
	// DeleteUser removes a user with their sessions and tokens;
	// ErrLastAdmin if no enabled admin would be left.
	DeleteUser(ctx context.Context, userID int64) error

	CreateSession(ctx context.Context, s *Session) error
	// GetSession returns ErrNotFound for unknown and expired sessions.
	GetSession(ctx context.Context, id string) (*Session, error)
	DeleteSession(ctx context.Context, id string) error
	DeleteUserSessions(ctx context.Context, userID int64) error
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)

	// CreateAPIToken stores t and sets t.ID.
	CreateAPIToken(ctx context.Context, t *APIToken) error
	GetAPITokenByHash(ctx context.Context, hash string) (*APIToken, error)
	ListAPITokens(ctx context.Context, userID int64) ([]APIToken, error)
	DeleteAPIToken(ctx context.Context, userID, id int64) error
	TouchAPIToken(ctx context.Context, id int64, at time.Time) error

	// AppendAudit stores e and sets e.ID (and e.At when zero).
	AppendAudit(ctx context.Context, e *AuditEntry) error
	ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error)

	// SchedulePublish sets (or moves) the publication time of a brief.
	SchedulePublish(ctx context.Context, s ScheduledPublish) error
	CancelSchedule(ctx context.Context, slug string) error
	ListSchedules(ctx context.Context) ([]ScheduledPublish, error)
	// ClaimDueSchedules removes and returns the schedules due at now; with
	// several instances each schedule is claimed by exactly one.
	ClaimDueSchedules(ctx context.Context, now time.Time) ([]ScheduledPublish, error)
}
