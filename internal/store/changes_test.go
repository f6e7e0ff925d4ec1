package store_test

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"os"
	"testing"
	"time"

	"legists/internal/brief"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

// The change feed reports commits of another store on the same database,
// comes back after its connection is killed (saying anything may have
// changed), and stops when its context ends.
func TestFollowChangesPostgres(t *testing.T) {
	dsn := storetest.PostgresDSN(t) // skips without LEGISTS_TEST_POSTGRES
	ctx := context.Background()
	follower, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer follower.Close()
	writer, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()

	changed := make(chan string, 1000)
	lost := make(chan error, 100)
	fctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- follower.(store.ChangeFeed).FollowChanges(fctx, func(table string) { changed <- table }, func(err error) { lost <- err })
	}()
	defer func() { stop(); <-done }()
	next := func(want string) {
		t.Helper()
		deadline := time.After(60 * time.Second)
		for {
			select {
			case got := <-changed:
				if got == want {
					return
				}
			case <-deadline:
				t.Fatalf("no change %q reported", want)
			}
		}
	}
	next("") // listening

	save := func(slug string) {
		t.Helper()
		b := storetest.GenerateBriefs(1, 3)[0]
		now := time.Now().UTC()
		b.Slug, b.Status, b.PublishedAt = slug, brief.StatusPublished, &now
		if _, err := writer.SaveBrief(ctx, b, store.SaveOptions{Author: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	save("feed-one")
	next("briefs")

	// The feed's connection is killed: it says so, reconnects, reports
	// "anything may have changed", and hears the next commit.
	admin, err := sql.Open("pgx", os.Getenv(storetest.PostgresEnv))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	app := store.ChangeFeedApp + " " + u.Query().Get("search_path") // this test's only
	var killed int
	if err := admin.QueryRowContext(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`, app).Scan(&killed); err != nil || killed != 1 {
		t.Fatalf("killing the feed's connection (%q): %d killed, %v", app, killed, err)
	}
	select {
	case err := <-lost:
		if err == nil {
			t.Error("lost(nil)")
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the killed connection was not reported")
	}
	next("")
	save("feed-two")
	next("briefs")

	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("FollowChanges after its context ended: %v", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("FollowChanges did not return after its context ended")
	}
	done <- nil // for the deferred receive
}

func TestFollowChangesSQLite(t *testing.T) {
	s := storetest.OpenSQLite(t)
	err := s.(store.ChangeFeed).FollowChanges(context.Background(), func(string) {}, nil)
	if !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("FollowChanges on SQLite: %v, want ErrUnsupported", err)
	}
}
