package store

// Account changes of the Desk (issue 11): passwords that end other
// sessions, roles, disabling and removal, guarded so that the desk always
// keeps an enabled admin.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"legists/internal/brief"
)

// SetPassword implements Desk.
func (s *db) SetPassword(ctx context.Context, userID int64, hash, keepSession string, revokeTokens bool) error {
	if hash == "" {
		return fmt.Errorf("store: empty password hash: %w", ErrInvalid)
	}
	err := s.write(ctx, func(tx runner) error {
		res, err := tx.exec(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: user %d: %w", userID, ErrNotFound)
		}
		if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND id <> ?`, userID, keepSession); err != nil {
			return err
		}
		if revokeTokens {
			if _, err := tx.exec(ctx, `DELETE FROM api_tokens WHERE user_id = ?`, userID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: set password: %w", err)
	}
	return nil
}

// lockUser reads a user's role and disabled flag in tx, locking the row on
// PostgreSQL.
func (s *db) lockUser(ctx context.Context, tx runner, userID int64) (brief.Role, bool, error) {
	var (
		role     string
		disabled bool
	)
	err := tx.queryRow(ctx, `SELECT role, disabled FROM users WHERE id = ?`+s.d.forUpdate, userID).Scan(&role, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, fmt.Errorf("store: user %d: %w", userID, ErrNotFound)
	}
	return brief.Role(role), disabled, err
}

// otherAdmins counts the enabled admins but userID, locking their rows on
// PostgreSQL so that two transactions cannot each demote "the other" admin.
func (s *db) otherAdmins(ctx context.Context, tx runner, userID int64) (int, error) {
	rows, err := tx.query(ctx, `SELECT id FROM users WHERE role = 'admin' AND disabled = ? AND id <> ? ORDER BY id`+s.d.forUpdate, false, userID)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	return n, rows.Err()
}

// SetUserAccess implements Desk.
func (s *db) SetUserAccess(ctx context.Context, userID int64, role brief.Role, disabled bool) error {
	switch role {
	case brief.RoleAdmin, brief.RoleEditor, brief.RoleAuthor:
	default:
		return fmt.Errorf("store: user role %q: %w", role, ErrInvalid)
	}
	err := s.write(ctx, func(tx runner) error {
		oldRole, oldDisabled, err := s.lockUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		if oldRole == role && oldDisabled == disabled {
			noteOutcome(ctx, RowsChanged(0))
			return nil
		}
		if oldRole == brief.RoleAdmin && !oldDisabled && (role != brief.RoleAdmin || disabled) {
			n, err := s.otherAdmins(ctx, tx, userID)
			if err != nil {
				return err
			}
			if n == 0 {
				return ErrLastAdmin
			}
		}
		if _, err := tx.exec(ctx, `UPDATE users SET role = ?, disabled = ? WHERE id = ?`, string(role), disabled, userID); err != nil {
			return err
		}
		if disabled {
			if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
				return err
			}
		}
		noteOutcome(ctx, RowsChanged(1))
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: change user %d: %w", userID, err)
	}
	return nil
}

// DeleteUser implements Desk.
func (s *db) DeleteUser(ctx context.Context, userID int64) error {
	err := s.write(ctx, func(tx runner) error {
		role, disabled, err := s.lockUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		if role == brief.RoleAdmin && !disabled {
			n, err := s.otherAdmins(ctx, tx, userID)
			if err != nil {
				return err
			}
			if n == 0 {
				return ErrLastAdmin
			}
		}
		for _, q := range []string{`DELETE FROM sessions WHERE user_id = ?`, `DELETE FROM api_tokens WHERE user_id = ?`, `DELETE FROM users WHERE id = ?`} {
			if _, err := tx.exec(ctx, q, userID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: remove user %d: %w", userID, err)
	}
	return nil
}
