package store

// Migrations
//
// The schema is a numbered series of SQL files per dialect, embedded in the
// binary and applied by goose on every Open:
//
//	migrations/sqlite/NNNNN_name.sql
//	migrations/postgres/NNNNN_name.sql
//
// Rules for adding one:
//   - Every migration exists for both dialects, with the same number and name.
//   - Numbers are 5 digits; 00001 is briefs, firms and topics. Take the next
//     free number; never edit or renumber a file that has been committed;
//     change the schema with a new file instead.
//   - Each file has "-- +goose Up" and "-- +goose Down" sections; statements
//     with inner semicolons (triggers, functions) go between
//     "-- +goose StatementBegin" and "-- +goose StatementEnd".
//   - A file runs in one transaction. Times are TEXT in SQLite (written by
//     dialect.timeArg: fixed-width UTC, so text order is time order) and
//     timestamptz in PostgreSQL; JSON is TEXT in SQLite and jsonb in
//     PostgreSQL; ids are INTEGER PRIMARY KEY / bigint identity.
//   - Out-of-order files are allowed (two branches may each add a number),
//     so a migration must not depend on one with a higher number.

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationsFS embed.FS

// sqliteMigrateMu serialises migrations of SQLite files opened in this
// process; other processes are handled by retrying (see migrate).
var sqliteMigrateMu sync.Map // path -> *sync.Mutex

// migrate applies pending migrations. For PostgreSQL a session-level
// advisory lock, keyed by database and schema, makes concurrent Opens wait
// for each other.
func migrate(ctx context.Context, d *dialect, pool *sql.DB, path string) error {
	opts := []goose.ProviderOption{
		goose.WithDisableGlobalRegistry(true),
		goose.WithAllowOutofOrder(true),
	}
	if d.name == dialectPostgres {
		var dbName, schema string
		if err := pool.QueryRowContext(ctx, "SELECT current_database(), coalesce(current_schema(), '')").Scan(&dbName, &schema); err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
		h := fnv.New64a()
		h.Write([]byte("legists-migrate\x00" + dbName + "\x00" + schema))
		locker, err := lock.NewPostgresSessionLocker(
			lock.WithLockID(int64(h.Sum64()>>1)),
			lock.WithLockTimeout(1, 600), // retry every second for 10 minutes
		)
		if err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(d.goose, pool, d.migrations, opts...)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if d.name == dialectSQLite && path != ":memory:" {
		mu, _ := sqliteMigrateMu.LoadOrStore(path, &sync.Mutex{})
		mu.(*sync.Mutex).Lock()
		defer mu.(*sync.Mutex).Unlock()
	}
	// SQLite has no lock goose can use: when another process migrates the
	// same file at the same moment, one of the two fails (table already
	// exists) and, on retry, finds the work done.
	attempts := 1
	if d.name == dialectSQLite {
		attempts = 5
	}
	for i := 1; ; i++ {
		_, err = p.Up(ctx)
		if err == nil || i >= attempts || ctx.Err() != nil {
			break
		}
		time.Sleep(time.Duration(i) * 50 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("store: migrate %s database: %w", d.name, err)
	}
	return nil
}

// schemaVersion returns the version of the newest applied migration.
func schemaVersion(ctx context.Context, d *dialect, pool *sql.DB) (int64, error) {
	p, err := goose.NewProvider(d.goose, pool, d.migrations, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return 0, err
	}
	return p.GetDBVersion(ctx)
}

// migrationNames lists the embedded migration files of a dialect.
func migrationNames(d *dialect) ([]string, error) {
	var out []string
	entries, err := migrationsFS.ReadDir("migrations/" + d.name)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			out = append(out, e.Name())
		}
	}
	return out, nil
}
