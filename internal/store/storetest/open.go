package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"legists/internal/brief"
	"legists/internal/store"
)

// PostgresEnv names the environment variable holding the DSN of a
// PostgreSQL database tests may use, e.g.
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable. Tests that need
// PostgreSQL skip when it is unset.
const PostgresEnv = "LEGISTS_TEST_POSTGRES"

// OpenSQLite returns a store on a fresh SQLite file in t's temporary
// directory, closed when the test ends.
func OpenSQLite(t testing.TB) store.Store {
	t.Helper()
	return open(t, SQLiteDSN(t))
}

// SQLiteDSN returns the DSN of a fresh SQLite file in t's temporary directory.
func SQLiteDSN(t testing.TB) string {
	t.Helper()
	return "sqlite:" + filepath.Join(t.TempDir(), "legists.db")
}

// OpenPostgres returns a store on a fresh schema of the database named by
// LEGISTS_TEST_POSTGRES, closed and dropped when the test ends. It skips the
// test when the variable is unset.
func OpenPostgres(t testing.TB) store.Store {
	t.Helper()
	return open(t, PostgresDSN(t))
}

// PostgresDSN creates a schema with a random name in the database named by
// LEGISTS_TEST_POSTGRES and returns a DSN whose search_path is that schema,
// so that tests running in parallel, in any package, never see each other's
// tables. The schema is dropped when the test ends (register store Close
// after calling PostgresDSN so that it runs first). It skips the test when
// the variable is unset.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skip(PostgresEnv + " is not set")
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	schema := "legists_test_" + hex.EncodeToString(rnd[:])

	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func open(t testing.TB, dsn string) store.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Load saves briefs into s, 500 to a transaction, and fails tb on any error:
// the quick way to fill a store for a test or a benchmark, e.g.
//
//	s := storetest.OpenSQLite(b)
//	storetest.Load(b, s, storetest.GenerateBriefs(100000, 1))
func Load(tb testing.TB, s store.Store, briefs []*brief.Brief) {
	tb.Helper()
	ctx := context.Background()
	for i := 0; i < len(briefs); i += 500 {
		if _, err := s.SaveBriefs(ctx, briefs[i:min(i+500, len(briefs))], store.SaveOptions{Author: "storetest"}); err != nil {
			tb.Fatalf("load briefs: %v", err)
		}
	}
}
