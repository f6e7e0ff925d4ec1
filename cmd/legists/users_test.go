package main

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"legists/internal/auth"
	"legists/internal/brief"
	"legists/internal/store"
)

// TestUsersAccountCommands: role, disable, enable, remove, token expiry,
// passwd --revoke-tokens and the password policy, each audited.
func TestUsersAccountCommands(t *testing.T) {
	auth.DefaultParams = auth.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "users.db")
	users := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(append([]string{"users"}, append(args, "--db", dsn)...), &out, &errb)
		return code, out.String(), errb.String()
	}
	t.Setenv("LEGISTS_PASSWORD", "a long enough passphrase")
	for _, e := range []string{"admin@example.org", "ed@example.org"} {
		if code, _, errs := users("add", "--email", e); code != 0 {
			t.Fatalf("add %s: %s", e, errs)
		}
	}
	// The policy counts characters and refuses common passwords.
	for _, bad := range []string{"ééééé", "ééééééééééé", "qwerty123456", "Qwerty123456"} {
		t.Setenv("LEGISTS_PASSWORD", bad)
		if code, _, errs := users("add", "--email", "x@example.org"); code != exitUsage || errs == "" {
			t.Errorf("password %q: exit %d %s", bad, code, errs)
		}
		if code, _, _ := users("passwd", "--email", "ed@example.org"); code != exitUsage {
			t.Errorf("passwd %q: exit %d", bad, code)
		}
	}
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	desk := st.(store.Desk)
	ctx := context.Background()
	m := &auth.Manager{Store: desk}
	bearer := func(tok string) error {
		r, _ := newBearerRequest(tok)
		_, _, err := m.BearerUser(ctx, r)
		return err
	}

	// A token with an expiry: it works now, not after it.
	code, out, errs := users("token", "--email", "ed@example.org", "--expires", "7")
	tok := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(tok, "lgt_") {
		t.Fatalf("token: %d %s", code, errs)
	}
	if err := bearer(tok); err != nil {
		t.Fatalf("fresh token: %v", err)
	}
	m.Now = func() time.Time { return time.Now().Add(8 * 24 * time.Hour) }
	if err := bearer(tok); err != auth.ErrBadToken {
		t.Errorf("token after its expiry: %v", err)
	}
	m.Now = nil
	if code, _, _ := users("token", "--email", "ed@example.org", "--expires", "-1"); code != exitUsage {
		t.Errorf("negative expiry: %d", code)
	}
	_, out, _ = users("token", "--email", "ed@example.org", "--expires", "0")
	forever := strings.TrimSpace(out)

	// Role, disable, enable.
	if code, _, errs := users("role", "--email", "ed@example.org", "--role", "editor"); code != 0 {
		t.Fatalf("role: %s", errs)
	}
	if u, _ := desk.GetUserByEmail(ctx, "ed@example.org"); u.Role != brief.RoleEditor {
		t.Errorf("role %s", u.Role)
	}
	if code, _, _ := users("role", "--email", "ed@example.org", "--role", "emperor"); code != exitUsage {
		t.Errorf("bad role: %d", code)
	}
	users("disable", "--email", "ed@example.org")
	if err := bearer(forever); err != auth.ErrBadToken {
		t.Errorf("a disabled user's token: %v", err)
	}
	users("enable", "--email", "ed@example.org")
	if err := bearer(forever); err != nil {
		t.Errorf("an enabled user's token: %v", err)
	}
	// passwd --revoke-tokens ends the tokens too.
	t.Setenv("LEGISTS_PASSWORD", "another long passphrase")
	if code, out, errs := users("passwd", "--email", "ed@example.org", "--revoke-tokens"); code != 0 || !strings.Contains(out, "API tokens revoked") {
		t.Fatalf("passwd: %d %s %s", code, out, errs)
	}
	if err := bearer(forever); err != auth.ErrBadToken {
		t.Errorf("token after passwd --revoke-tokens: %v", err)
	}
	// The last admin stays.
	for _, args := range [][]string{{"role", "--email", "admin@example.org", "--role", "editor"}, {"disable", "--email", "admin@example.org"}, {"remove", "--email", "admin@example.org"}} {
		if code, _, errs := users(args...); code != 1 || !strings.Contains(errs, "last enabled admin") {
			t.Errorf("%v: %d %s", args, code, errs)
		}
	}
	if code, _, errs := users("remove", "--email", "ed@example.org"); code != 0 {
		t.Fatalf("remove: %s", errs)
	}
	if _, err := desk.GetUserByEmail(ctx, "ed@example.org"); err == nil {
		t.Error("not removed")
	}
	entries, _ := desk.ListAudit(ctx, store.AuditFilter{Limit: 100})
	seen := map[string]int{}
	for _, e := range entries {
		seen[e.Action]++
	}
	for action, want := range map[string]int{"user.add": 2, "token.create": 2, "user.role": 1, "user.disable": 1, "user.enable": 1, "user.password": 1, "user.remove": 1} {
		if seen[action] != want {
			t.Errorf("%d %s entries, want %d (%v)", seen[action], action, want, seen)
		}
	}
}

func newBearerRequest(tok string) (*http.Request, error) {
	r, err := http.NewRequest(http.MethodGet, "http://127.0.0.1/api/v1/me", nil)
	if err == nil {
		r.Header.Set("Authorization", "Bearer "+tok)
	}
	return r, err
}
