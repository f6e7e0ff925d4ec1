package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"legists/internal/brief"
)

// TestAuditInChangeTransaction: the audit entry of a change (WithAudit)
// is written in the change's transaction. When the entry cannot be
// written, the change is rolled back; when the change fails after it
// wrote, the entry goes too; a write that changed nothing records nothing.
func TestAuditInChangeTransaction(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s *db) {
		var err error
		count := func(action string) int {
			var n int
			if err := s.w.QueryRowContext(ctx, s.d.rebind(`SELECT count(*) FROM audit_log WHERE action = ?`), action).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		admin := &User{Email: "admin@example.org", Role: brief.RoleAdmin, PasswordHash: "h"}
		ed := &User{Email: "ed@example.org", Role: brief.RoleEditor, PasswordHash: "h"}
		for _, u := range []*User{admin, ed} {
			if err := s.CreateUser(WithAudit(ctx, AuditEntry{Actor: "t", Action: "user.add", Target: u.Email}), u); err != nil {
				t.Fatal(err)
			}
		}
		if count("user.add") != 2 {
			t.Fatalf("%d user.add entries, want 2 (committed with the users)", count("user.add"))
		}

		// A failure after the change: both roll back.
		actx := WithAudit(ctx, AuditEntry{Actor: "t", Action: "user.disable", Target: ed.Email})
		boom := errors.New("boom")
		err = s.write(actx, func(tx runner) error {
			if _, err := tx.exec(ctx, `UPDATE users SET disabled = ? WHERE id = ?`, true, ed.ID); err != nil {
				return err
			}
			if err := s.appendPendingAudit(actx, tx); err != nil {
				return err
			}
			return boom // fails after the change and its entry
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if u, _ := s.GetUser(ctx, ed.ID); u.Disabled || count("user.disable") != 0 || AuditWritten(actx) {
			t.Fatalf("half-committed: disabled %v, %d entries", u.Disabled, count("user.disable"))
		}

		// A change whose entry cannot be written is rolled back.
		fail := []string{`CREATE TRIGGER audit_down BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit down'); END`}
		undo := []string{`DROP TRIGGER audit_down`}
		if s.d.name == "postgres" {
			fail = []string{
				`CREATE FUNCTION audit_down() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit down'; END $$`,
				`CREATE TRIGGER audit_down BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_down()`,
			}
			undo = []string{`DROP TRIGGER audit_down ON audit_log`}
		}
		for _, q := range fail {
			if _, err := s.w.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.SetUserAccess(WithAudit(ctx, AuditEntry{Actor: "t", Action: "user.role", Target: ed.Email}), ed.ID, brief.RoleAuthor, false); err == nil {
			t.Fatal("the change committed although its audit entry failed")
		}
		if u, _ := s.GetUser(ctx, ed.ID); u.Role != brief.RoleEditor {
			t.Fatalf("role changed without its audit entry: %s", u.Role)
		}
		for _, q := range undo {
			if _, err := s.w.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}

		// Together: the change and one entry, however many writes follow.
		actx = WithAudit(ctx, AuditEntry{Actor: "t", Action: "user.role", Target: ed.Email})
		if err := s.SetUserAccess(actx, ed.ID, brief.RoleAuthor, false); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteUserSessions(actx, ed.ID); err != nil {
			t.Fatal(err)
		}
		if u, _ := s.GetUser(ctx, ed.ID); u.Role != brief.RoleAuthor || count("user.role") != 1 || !AuditWritten(actx) {
			t.Fatalf("role %s, %d entries", u.Role, count("user.role"))
		}
		// Nothing changed, nothing recorded: the same role again, a
		// delete of nothing.
		if err := s.SetUserAccess(WithAudit(ctx, AuditEntry{Actor: "t", Action: "user.role", Target: ed.Email}), ed.ID, brief.RoleAuthor, false); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteAPIToken(WithAudit(ctx, AuditEntry{Actor: "t", Action: "token.revoke"}), ed.ID, 12345); !errors.Is(err, ErrNotFound) {
			t.Fatalf("revoke of nothing: %v", err)
		}
		if count("user.role") != 1 || count("token.revoke") != 0 {
			t.Errorf("no-op writes audited: %d role, %d revoke", count("user.role"), count("token.revoke"))
		}
	})
}

func TestLastAdminAndPasswords(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s *db) {
		a1 := &User{Email: "a1@example.org", Role: brief.RoleAdmin, PasswordHash: "h"}
		a2 := &User{Email: "a2@example.org", Role: brief.RoleAdmin, PasswordHash: "h"}
		for _, u := range []*User{a1, a2} {
			if err := s.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		now := time.Now().UTC()
		for _, id := range []string{"s1", "s2"} {
			if err := s.CreateSession(ctx, &Session{ID: id, UserID: a1.ID, CSRF: "c", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
		exp := now.Add(time.Hour).Truncate(time.Second)
		if err := s.CreateAPIToken(ctx, &APIToken{UserID: a1.ID, Name: "t", Prefix: "p", Hash: "hash1", ExpiresAt: &exp}); err != nil {
			t.Fatal(err)
		}
		if tok, err := s.GetAPITokenByHash(ctx, "hash1"); err != nil || tok.ExpiresAt == nil || !tok.ExpiresAt.Equal(exp) {
			t.Fatalf("token expiry not kept: %+v %v", tok, err)
		}
		// Password change: other sessions end, the kept one stays;
		// tokens go only when asked.
		if err := s.SetPassword(ctx, a1.ID, "h2", "s1", false); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetSession(ctx, "s2"); !errors.Is(err, ErrNotFound) {
			t.Error("another session survived a password change")
		}
		if _, err := s.GetSession(ctx, "s1"); err != nil {
			t.Error("the kept session ended")
		}
		if _, err := s.GetAPITokenByHash(ctx, "hash1"); err != nil {
			t.Error("token revoked without being asked")
		}
		if err := s.SetPassword(ctx, a1.ID, "h3", "", true); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetAPITokenByHash(ctx, "hash1"); !errors.Is(err, ErrNotFound) {
			t.Error("token kept although revocation was asked")
		}
		if u, _ := s.GetUser(ctx, a1.ID); u.PasswordHash != "h3" {
			t.Errorf("hash %q", u.PasswordHash)
		}
		// Two admins: one may go; the last may not be demoted,
		// disabled or removed.
		if err := s.SetUserAccess(ctx, a2.ID, brief.RoleAdmin, true); err != nil {
			t.Fatal(err)
		}
		for what, err := range map[string]error{
			"demote":  s.SetUserAccess(ctx, a1.ID, brief.RoleEditor, false),
			"disable": s.SetUserAccess(ctx, a1.ID, brief.RoleAdmin, true),
			"remove":  s.DeleteUser(ctx, a1.ID),
		} {
			if !errors.Is(err, ErrLastAdmin) {
				t.Errorf("%s the last enabled admin: %v", what, err)
			}
		}
		// A disabled admin may be removed; removal takes sessions and
		// tokens along.
		if err := s.DeleteUser(ctx, a2.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetUser(ctx, a2.ID); !errors.Is(err, ErrNotFound) {
			t.Error("removed user still there")
		}
		if err := s.DeleteUser(ctx, 9999); !errors.Is(err, ErrNotFound) {
			t.Errorf("remove unknown: %v", err)
		}
	})
}
