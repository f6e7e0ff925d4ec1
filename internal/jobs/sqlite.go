package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

type sqliteBackend struct {
	db *sql.DB
}

func (b *sqliteBackend) dialect() string { return "sqlite" }
func (b *sqliteBackend) close()          { b.db.Close() }

func (b *sqliteBackend) counts(ctx context.Context) ([]Count, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT kind, state, count(*) FROM river_job GROUP BY kind, state ORDER BY kind, state`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Count
	for rows.Next() {
		var c Count
		if err := rows.Scan(&c.Kind, &c.State, &c.N); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// openSQLite opens River's own connection to the store's SQLite file.
//
// SQLite has one writer at a time. River gets one connection of its own
// (River's advice for SQLite: its internal work runs in parallel, and one
// connection queues it in Go), separate from the store's writer and
// readers, so that neither pool ever waits for a connection the other
// holds: the two only meet at SQLite's file lock, where busy_timeout makes
// each wait for the other's (short) transactions. Transactions take the
// write lock when they begin (_txlock=immediate), so that one never has to
// upgrade a read lock in WAL mode, which fails at once instead of waiting.
//
// sqlite::memory: (a private database of one store) gets a private
// in-memory queue: it cannot share the store's.
func (q *Queue) openSQLite(ctx context.Context, rest string) error {
	path, extra, _ := strings.Cut(rest, "?")
	if strings.HasPrefix(path, "//") {
		path = path[2:]
	}
	if path == "" {
		return fmt.Errorf("jobs: DSN sqlite:%s names no file", rest)
	}
	memory := path == ":memory:"
	params := url.Values{}
	params.Add("_pragma", "busy_timeout(10000)")
	params.Add("_pragma", "synchronous(NORMAL)")
	params.Add("_pragma", "foreign_keys(1)")
	if !memory {
		params.Add("_pragma", "journal_mode(WAL)")
	}
	if extra != "" {
		more, err := url.ParseQuery(extra)
		if err != nil {
			return fmt.Errorf("jobs: DSN sqlite:%s: %w", rest, err)
		}
		for k, vs := range more {
			for _, v := range vs {
				params.Add(k, v)
			}
		}
	}
	params.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", path+"?"+params.Encode())
	if err != nil {
		return fmt.Errorf("jobs: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	ok := false
	defer func() {
		if !ok {
			db.Close()
		}
	}()
	if err := db.PingContext(ctx); err != nil {
		return fmt.Errorf("jobs: open sqlite:%s: %w", path, err)
	}
	if err := migrateSQLite(ctx, db, path, q); err != nil {
		return err
	}
	rcfg, err := q.riverConfig("")
	if err != nil {
		return err
	}
	c, err := river.NewClient(riversqlite.New(db), rcfg)
	if err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	q.client = c
	q.db = &sqliteBackend{db: db}
	ok = true
	return nil
}

// sqliteMigrateMu serialises River migrations of one SQLite file within
// this process.
var sqliteMigrateMu sync.Map // path -> *sync.Mutex

// migrateSQLite brings River's tables up to date. rivermigrate reads the
// applied versions before it applies the next, so two processes migrating
// one file at once can both try the same version: one fails (its
// transaction began after the other's committed), and on retry finds the
// work done.
func migrateSQLite(ctx context.Context, db *sql.DB, path string, q *Queue) error {
	if path != ":memory:" {
		mu, _ := sqliteMigrateMu.LoadOrStore(path, &sync.Mutex{})
		mu.(*sync.Mutex).Lock()
		defer mu.(*sync.Mutex).Unlock()
	}
	m, err := rivermigrate.New(riversqlite.New(db), &rivermigrate.Config{Logger: q.riverLogger()})
	if err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	for attempt := 1; ; attempt++ {
		res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		if err == nil {
			if len(res.Versions) > 0 {
				q.log.Info("job queue tables migrated", "db", "sqlite", "versions", len(res.Versions))
			}
			return nil
		}
		if attempt >= 5 || ctx.Err() != nil {
			return fmt.Errorf("jobs: migrate River's tables: %w", err)
		}
		time.Sleep(time.Duration(attempt) * 100 * time.Millisecond)
	}
}
