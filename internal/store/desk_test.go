package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"legists/internal/brief"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

func TestDeskSQLite(t *testing.T)   { testDesk(t, storetest.OpenSQLite(t)) }
func TestDeskPostgres(t *testing.T) { testDesk(t, storetest.OpenPostgres(t)) }

func testDesk(t *testing.T, st store.Store) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)

	// Users: unique email ignoring case.
	u := &store.User{Email: "Ed@Example.org", Name: "Ed", Role: brief.RoleEditor, PasswordHash: "$argon2id$x"}
	if err := st.CreateUser(ctx, u); err != nil || u.ID == 0 {
		t.Fatalf("create user: %v (id %d)", err, u.ID)
	}
	if err := st.CreateUser(ctx, &store.User{Email: "ed@example.org", Role: brief.RoleAuthor, PasswordHash: "h"}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate email: %v", err)
	}
	if err := st.CreateUser(ctx, &store.User{Email: "x@example.org", Role: "king", PasswordHash: "h"}); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("bad role: %v", err)
	}
	got, err := st.GetUserByEmail(ctx, "ED@example.ORG")
	if err != nil || got.ID != u.ID || got.Role != brief.RoleEditor || got.PasswordHash != u.PasswordHash {
		t.Fatalf("by email: %+v %v", got, err)
	}
	got.Role, got.Disabled, got.Name = brief.RoleAdmin, true, "Edward"
	if err := st.UpdateUser(ctx, got); err != nil {
		t.Fatal(err)
	}
	if g, _ := st.GetUser(ctx, u.ID); g.Role != brief.RoleAdmin || !g.Disabled || g.Name != "Edward" {
		t.Fatalf("updated: %+v", g)
	}
	if _, err := st.GetUser(ctx, 9999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing user: %v", err)
	}
	if n, _ := st.CountUsers(ctx); n != 1 {
		t.Fatalf("count %d", n)
	}
	if us, _ := st.ListUsers(ctx); len(us) != 1 {
		t.Fatalf("list %d", len(us))
	}

	// Sessions: expired ones are not found and are swept.
	if err := st.CreateSession(ctx, &store.Session{ID: "live", UserID: u.ID, CSRF: "c", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateSession(ctx, &store.Session{ID: "dead", UserID: u.ID, CSRF: "c", CreatedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if s, err := st.GetSession(ctx, "live"); err != nil || s.UserID != u.ID || s.CSRF != "c" {
		t.Fatalf("session: %+v %v", s, err)
	}
	if _, err := st.GetSession(ctx, "dead"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("expired session: %v", err)
	}
	if n, err := st.DeleteExpiredSessions(ctx, now); err != nil || n != 1 {
		t.Fatalf("sweep: %d %v", n, err)
	}
	if err := st.DeleteSession(ctx, "live"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.GetSession(ctx, "live"); !errors.Is(err, store.ErrNotFound) {
		t.Fatal("deleted session found")
	}

	// API tokens.
	tok := &store.APIToken{UserID: u.ID, Name: "ci", Prefix: "lgt_abc", Hash: "h1", CreatedAt: now}
	if err := st.CreateAPIToken(ctx, tok); err != nil || tok.ID == 0 {
		t.Fatal(err)
	}
	if err := st.TouchAPIToken(ctx, tok.ID, now); err != nil {
		t.Fatal(err)
	}
	g, err := st.GetAPITokenByHash(ctx, "h1")
	if err != nil || g.LastUsedAt == nil || !g.LastUsedAt.Equal(now) {
		t.Fatalf("token: %+v %v", g, err)
	}
	if ts, _ := st.ListAPITokens(ctx, u.ID); len(ts) != 1 {
		t.Fatal("list tokens")
	}
	if err := st.DeleteAPIToken(ctx, u.ID+1, tok.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("other user's token deleted: %v", err)
	}
	if err := st.DeleteAPIToken(ctx, u.ID, tok.ID); err != nil {
		t.Fatal(err)
	}

	// Audit log: newest first, filters, cursor.
	for i, a := range []string{"login", "brief.save", "brief.status"} {
		if err := st.AppendAudit(ctx, &store.AuditEntry{At: now.Add(time.Duration(i) * time.Second), Actor: "ed@example.org", Action: a, Target: "s"}); err != nil {
			t.Fatal(err)
		}
	}
	es, err := st.ListAudit(ctx, store.AuditFilter{Target: "s", Limit: 2})
	if err != nil || len(es) != 2 || es[0].Action != "brief.status" {
		t.Fatalf("audit: %+v %v", es, err)
	}
	more, _ := st.ListAudit(ctx, store.AuditFilter{Before: es[1].ID})
	if len(more) != 1 || more[0].Action != "login" {
		t.Fatalf("audit page 2: %+v", more)
	}

	// Scheduled publishing: upsert, list, claim exactly once.
	if err := st.SchedulePublish(ctx, store.ScheduledPublish{Slug: "a", At: now.Add(time.Hour), By: "ed"}); err != nil {
		t.Fatal(err)
	}
	if err := st.SchedulePublish(ctx, store.ScheduledPublish{Slug: "a", At: now.Add(-time.Minute), By: "ed"}); err != nil {
		t.Fatal(err)
	}
	if err := st.SchedulePublish(ctx, store.ScheduledPublish{Slug: "b", At: now.Add(time.Hour), By: "ed"}); err != nil {
		t.Fatal(err)
	}
	if ss, _ := st.ListSchedules(ctx); len(ss) != 2 || ss[0].Slug != "a" {
		t.Fatalf("schedules: %+v", ss)
	}
	due, err := st.ClaimDueSchedules(ctx, now)
	if err != nil || len(due) != 1 || due[0].Slug != "a" || !due[0].At.Equal(now.Add(-time.Minute)) {
		t.Fatalf("claim: %+v %v", due, err)
	}
	if again, _ := st.ClaimDueSchedules(ctx, now); len(again) != 0 {
		t.Fatal("claimed twice")
	}
	if err := st.CancelSchedule(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if ss, _ := st.ListSchedules(ctx); len(ss) != 0 {
		t.Fatal("cancel")
	}
}
