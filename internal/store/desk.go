package store

// The Desk methods of db (migration 00003_desk): users, sessions, API
// tokens, the audit log and scheduled publishing.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"legists/internal/brief"
)

var _ Desk = (*db)(nil)

func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	m := err.Error()
	return strings.Contains(m, "UNIQUE constraint failed") || strings.Contains(m, "23505") || strings.Contains(m, "duplicate key")
}

const userCols = `id, email, name, role, password_hash, disabled, created_at`

func scanUser(sc interface{ Scan(...any) error }) (*User, error) {
	var (
		u    User
		role string
		at   dbTime
	)
	if err := sc.Scan(&u.ID, &u.Email, &u.Name, &role, &u.PasswordHash, &u.Disabled, &at); err != nil {
		return nil, err
	}
	u.Role = brief.Role(role)
	u.CreatedAt = at.Time
	return &u, nil
}

// CreateUser implements Desk.
func (s *db) CreateUser(ctx context.Context, u *User) error {
	email := strings.TrimSpace(u.Email)
	if email == "" || u.PasswordHash == "" {
		return fmt.Errorf("store: user needs an email and a password hash: %w", ErrInvalid)
	}
	switch u.Role {
	case brief.RoleAdmin, brief.RoleEditor, brief.RoleAuthor:
	default:
		return fmt.Errorf("store: user role %q: %w", u.Role, ErrInvalid)
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt = s.now()
	}
	u.Email = email
	err := s.write(ctx, func(tx runner) error {
		var n int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM users WHERE email_key = ?`, strings.ToLower(email)).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrConflict
		}
		return tx.queryRow(ctx, `INSERT INTO users (email, email_key, name, role, password_hash, disabled, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			email, strings.ToLower(email), u.Name, string(u.Role), u.PasswordHash, u.Disabled, s.d.timeArg(u.CreatedAt)).Scan(&u.ID)
	})
	if errors.Is(err, ErrConflict) || isUniqueViolation(err) {
		return fmt.Errorf("store: user %s: %w", email, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("store: create user: %w", err)
	}
	return nil
}

// GetUser implements Desk.
func (s *db) GetUser(ctx context.Context, id int64) (*User, error) {
	u, err := scanUser(s.reader().queryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: user %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get user: %w", err)
	}
	return u, nil
}

// GetUserByEmail implements Desk; the email is compared ignoring case.
func (s *db) GetUserByEmail(ctx context.Context, email string) (*User, error) {
	u, err := scanUser(s.reader().queryRow(ctx, `SELECT `+userCols+` FROM users WHERE email_key = ?`, strings.ToLower(strings.TrimSpace(email))))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: user %s: %w", email, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get user: %w", err)
	}
	return u, nil
}

// ListUsers implements Desk: users in order of email.
func (s *db) ListUsers(ctx context.Context) ([]User, error) {
	rows, err := s.reader().query(ctx, `SELECT `+userCols+` FROM users ORDER BY email_key`)
	if err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	defer rows.Close()
	out := []User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list users: %w", err)
		}
		out = append(out, *u)
	}
	return out, rows.Err()
}

// UpdateUser implements Desk.
func (s *db) UpdateUser(ctx context.Context, u *User) error {
	switch u.Role {
	case brief.RoleAdmin, brief.RoleEditor, brief.RoleAuthor:
	default:
		return fmt.Errorf("store: user role %q: %w", u.Role, ErrInvalid)
	}
	var n int64
	err := s.write(ctx, func(tx runner) error {
		res, err := tx.exec(ctx, `UPDATE users SET name = ?, role = ?, password_hash = ?, disabled = ? WHERE id = ?`,
			u.Name, string(u.Role), u.PasswordHash, u.Disabled, u.ID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("store: update user: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("store: user %d: %w", u.ID, ErrNotFound)
	}
	return nil
}

// CountUsers implements Desk.
func (s *db) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.reader().queryRow(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count users: %w", err)
	}
	return n, nil
}

// CreateSession implements Desk.
func (s *db) CreateSession(ctx context.Context, ss *Session) error {
	err := s.write(ctx, func(tx runner) error {
		_, err := tx.exec(ctx, `INSERT INTO sessions (id, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			ss.ID, ss.UserID, ss.CSRF, s.d.timeArg(ss.CreatedAt), s.d.timeArg(ss.ExpiresAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

// GetSession implements Desk.
func (s *db) GetSession(ctx context.Context, id string) (*Session, error) {
	var (
		ss      Session
		cat, ex dbTime
	)
	err := s.reader().queryRow(ctx, `SELECT id, user_id, csrf, created_at, expires_at FROM sessions WHERE id = ? AND expires_at > ?`,
		id, s.d.timeArg(s.now())).Scan(&ss.ID, &ss.UserID, &ss.CSRF, &cat, &ex)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: session: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get session: %w", err)
	}
	ss.CreatedAt, ss.ExpiresAt = cat.Time, ex.Time
	return &ss, nil
}

func (s *db) execWrite(ctx context.Context, what, q string, args ...any) (int64, error) {
	var n int64
	err := s.write(ctx, func(tx runner) error {
		res, err := tx.exec(ctx, q, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		noteOutcome(ctx, RowsChanged(n))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: %s: %w", what, err)
	}
	return n, nil
}

// DeleteSession implements Desk.
func (s *db) DeleteSession(ctx context.Context, id string) error {
	_, err := s.execWrite(ctx, "delete session", `DELETE FROM sessions WHERE id = ?`, id)
	return err
}

// DeleteUserSessions implements Desk.
func (s *db) DeleteUserSessions(ctx context.Context, userID int64) error {
	_, err := s.execWrite(ctx, "delete sessions", `DELETE FROM sessions WHERE user_id = ?`, userID)
	return err
}

// DeleteExpiredSessions implements Desk.
func (s *db) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	n, err := s.execWrite(ctx, "expire sessions", `DELETE FROM sessions WHERE expires_at <= ?`, s.d.timeArg(now))
	return int(n), err
}

// CreateAPIToken implements Desk.
func (s *db) CreateAPIToken(ctx context.Context, t *APIToken) error {
	if t.CreatedAt.IsZero() {
		t.CreatedAt = s.now()
	}
	err := s.write(ctx, func(tx runner) error {
		return tx.queryRow(ctx, `INSERT INTO api_tokens (user_id, name, prefix, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			t.UserID, t.Name, t.Prefix, t.Hash, s.d.timeArg(t.CreatedAt), s.d.timePtrArg(t.ExpiresAt)).Scan(&t.ID)
	})
	if isUniqueViolation(err) {
		return fmt.Errorf("store: api token: %w", ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("store: create api token: %w", err)
	}
	return nil
}

const tokenCols = `id, user_id, name, prefix, hash, created_at, last_used_at, expires_at`

func scanToken(sc interface{ Scan(...any) error }) (*APIToken, error) {
	var (
		t             APIToken
		cat, lat, exp dbTime
	)
	if err := sc.Scan(&t.ID, &t.UserID, &t.Name, &t.Prefix, &t.Hash, &cat, &lat, &exp); err != nil {
		return nil, err
	}
	t.CreatedAt = cat.Time
	t.LastUsedAt = lat.Ptr()
	t.ExpiresAt = exp.Ptr()
	return &t, nil
}

// GetAPITokenByHash implements Desk.
func (s *db) GetAPITokenByHash(ctx context.Context, hash string) (*APIToken, error) {
	t, err := scanToken(s.reader().queryRow(ctx, `SELECT `+tokenCols+` FROM api_tokens WHERE hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: api token: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get api token: %w", err)
	}
	return t, nil
}

// ListAPITokens implements Desk: a user's tokens, newest first.
func (s *db) ListAPITokens(ctx context.Context, userID int64) ([]APIToken, error) {
	rows, err := s.reader().query(ctx, `SELECT `+tokenCols+` FROM api_tokens WHERE user_id = ? ORDER BY id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: list api tokens: %w", err)
	}
	defer rows.Close()
	out := []APIToken{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list api tokens: %w", err)
		}
		out = append(out, *t)
	}
	return out, rows.Err()
}

// DeleteAPIToken implements Desk: only the owner's token is deleted.
func (s *db) DeleteAPIToken(ctx context.Context, userID, id int64) error {
	n, err := s.execWrite(ctx, "delete api token", `DELETE FROM api_tokens WHERE id = ? AND user_id = ?`, id, userID)
	if err == nil && n == 0 {
		return fmt.Errorf("store: api token %d: %w", id, ErrNotFound)
	}
	return err
}

// TouchAPIToken implements Desk. It writes at most once a minute per token
// so a busy API client does not turn every read into a write.
func (s *db) TouchAPIToken(ctx context.Context, id int64, at time.Time) error {
	_, err := s.execWrite(ctx, "touch api token",
		`UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`,
		s.d.timeArg(at), id, s.d.timeArg(at.Add(-time.Minute)))
	return err
}

// ListAudit implements Desk.
func (s *db) ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	q := `SELECT id, at, actor, action, target, detail FROM audit_log WHERE 1 = 1`
	var args []any
	if f.Actor != "" {
		q += ` AND actor = ?`
		args = append(args, f.Actor)
	}
	if f.Target != "" {
		q += ` AND target = ?`
		args = append(args, f.Target)
	}
	if f.Before > 0 {
		q += ` AND id < ?`
		args = append(args, f.Before)
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	q += fmt.Sprintf(` ORDER BY id DESC LIMIT %d`, limit)
	rows, err := s.reader().query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list audit: %w", err)
	}
	defer rows.Close()
	out := []AuditEntry{}
	for rows.Next() {
		var (
			e  AuditEntry
			at dbTime
		)
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Target, &e.Detail); err != nil {
			return nil, fmt.Errorf("store: list audit: %w", err)
		}
		e.At = at.Time
		out = append(out, e)
	}
	return out, rows.Err()
}

// SchedulePublish implements Desk.
func (s *db) SchedulePublish(ctx context.Context, sp ScheduledPublish) error {
	if sp.Slug == "" || sp.At.IsZero() {
		return fmt.Errorf("store: schedule needs a slug and a time: %w", ErrInvalid)
	}
	if sp.CreatedAt.IsZero() {
		sp.CreatedAt = s.now()
	}
	_, err := s.execWrite(ctx, "schedule publication", `INSERT INTO scheduled_publications (slug, publish_at, scheduled_by, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (slug) DO UPDATE SET publish_at = excluded.publish_at, scheduled_by = excluded.scheduled_by, created_at = excluded.created_at`,
		sp.Slug, s.d.timeArg(sp.At), sp.By, s.d.timeArg(sp.CreatedAt))
	return err
}

// CancelSchedule implements Desk.
func (s *db) CancelSchedule(ctx context.Context, slug string) error {
	_, err := s.execWrite(ctx, "cancel schedule", `DELETE FROM scheduled_publications WHERE slug = ?`, slug)
	return err
}

func scanSchedules(rows *sql.Rows) ([]ScheduledPublish, error) {
	defer rows.Close()
	out := []ScheduledPublish{}
	for rows.Next() {
		var (
			sp      ScheduledPublish
			at, cat dbTime
		)
		if err := rows.Scan(&sp.Slug, &at, &sp.By, &cat); err != nil {
			return nil, err
		}
		sp.At, sp.CreatedAt = at.Time, cat.Time
		out = append(out, sp)
	}
	return out, rows.Err()
}

// ListSchedules implements Desk: soonest first.
func (s *db) ListSchedules(ctx context.Context) ([]ScheduledPublish, error) {
	rows, err := s.reader().query(ctx, `SELECT slug, publish_at, scheduled_by, created_at FROM scheduled_publications ORDER BY publish_at, slug`)
	if err != nil {
		return nil, fmt.Errorf("store: list schedules: %w", err)
	}
	out, err := scanSchedules(rows)
	if err != nil {
		return nil, fmt.Errorf("store: list schedules: %w", err)
	}
	return out, nil
}

// ClaimDueSchedules implements Desk: DELETE ... RETURNING hands each due
// schedule to exactly one caller.
func (s *db) ClaimDueSchedules(ctx context.Context, now time.Time) ([]ScheduledPublish, error) {
	var out []ScheduledPublish
	err := s.write(ctx, func(tx runner) error {
		rows, err := tx.query(ctx, `DELETE FROM scheduled_publications WHERE publish_at <= ? RETURNING slug, publish_at, scheduled_by, created_at`, s.d.timeArg(now))
		if err != nil {
			return err
		}
		out, err = scanSchedules(rows)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim schedules: %w", err)
	}
	return out, nil
}
