package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pressly/goose/v3"
)

// dialect is what differs between SQLite and PostgreSQL. SQL is written once
// with ? placeholders; rebind turns them into $1, $2, ... for PostgreSQL.
// Everything else that differs is a field here or a switch on name (search).
type dialect struct {
	name  string // "sqlite" or "postgres"
	goose goose.Dialect
	// migrations is the folder of NNNNN_name.sql files for this dialect.
	migrations fs.FS
	// forUpdate is appended to a SELECT that must lock the rows it reads in
	// a write transaction (SQLite transactions already hold the write lock).
	forUpdate string
	// readTx are the options of a read-only snapshot transaction.
	readTx *sql.TxOptions
	// dollar: placeholders are $n.
	dollar bool

	mu      sync.RWMutex
	rebound map[string]string
}

const (
	dialectSQLite   = "sqlite"
	dialectPostgres = "postgres"
)

func newSQLiteDialect() *dialect {
	return &dialect{
		name:       dialectSQLite,
		goose:      goose.DialectSQLite3,
		migrations: mustSub(migrationsFS, "migrations/sqlite"),
		readTx:     &sql.TxOptions{ReadOnly: true},
		rebound:    map[string]string{},
	}
}

func newPostgresDialect() *dialect {
	return &dialect{
		name:       dialectPostgres,
		goose:      goose.DialectPostgres,
		migrations: mustSub(migrationsFS, "migrations/postgres"),
		forUpdate:  " FOR UPDATE",
		readTx:     &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead},
		dollar:     true,
		rebound:    map[string]string{},
	}
}

// rebind rewrites the ? placeholders of q for the dialect. Question marks in
// '...' literals, "..." identifiers and -- comments are left alone.
func (d *dialect) rebind(q string) string {
	if !d.dollar {
		return q
	}
	d.mu.RLock()
	out, ok := d.rebound[q]
	d.mu.RUnlock()
	if ok {
		return out
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				j = len(q) - i
			}
			b.WriteString(q[i : i+j])
			i += j - 1
			continue
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	out = b.String()
	d.mu.Lock()
	if len(d.rebound) < 10000 {
		d.rebound[q] = out
	}
	d.mu.Unlock()
	return out
}

// sqliteTimeFormat is fixed-width so that text comparison is time order.
const sqliteTimeFormat = "2006-01-02T15:04:05.000000Z"

// normTime is how every time is stored: UTC, to the microsecond
// (PostgreSQL's precision).
func normTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// timeArg is the query argument for t.
func (d *dialect) timeArg(t time.Time) any {
	t = normTime(t)
	if d.name == dialectSQLite {
		return t.Format(sqliteTimeFormat)
	}
	return t
}

// timePtrArg is timeArg, or NULL for nil.
func (d *dialect) timePtrArg(t *time.Time) any {
	if t == nil {
		return nil
	}
	return d.timeArg(*t)
}

// dbTime scans a time column of either dialect: time.Time from PostgreSQL,
// text from SQLite. Valid is false for NULL.
type dbTime struct {
	Time  time.Time
	Valid bool
}

var timeLayouts = []string{
	sqliteTimeFormat,
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02",
}

// Scan implements sql.Scanner.
func (t *dbTime) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*t = dbTime{}
		return nil
	case time.Time:
		*t = dbTime{Time: normTime(v), Valid: true}
		return nil
	case []byte:
		return t.Scan(string(v))
	case string:
		for _, layout := range timeLayouts {
			if p, err := time.Parse(layout, v); err == nil {
				*t = dbTime{Time: normTime(p), Valid: true}
				return nil
			}
		}
		return fmt.Errorf("store: cannot read %q as a time", v)
	case int64:
		*t = dbTime{Time: time.Unix(v, 0).UTC(), Valid: true}
		return nil
	}
	return fmt.Errorf("store: cannot read %T as a time", v)
}

// Ptr returns the time or nil.
func (t dbTime) Ptr() *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time
	return &v
}

// queryer is what *sql.DB, *sql.Conn and *sql.Tx share.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// runner runs SQL written with ? placeholders on a pool or a transaction.
type runner struct {
	d *dialect
	x queryer
	// c caches prepared statements for hot() (SQLite only; nil otherwise).
	c *stmtCache
}

func (r runner) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return r.x.ExecContext(ctx, r.d.rebind(q), args...)
}

func (r runner) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return r.x.QueryContext(ctx, r.d.rebind(q), args...)
}

func (r runner) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return r.x.QueryRowContext(ctx, r.d.rebind(q), args...)
}

// db is the one implementation of Store, for both dialects.
//
// Adding a concern (sources.go, users.go, ...): declare the methods in an
// interface embedded in Store, implement them on *db, add a migration for
// both dialects (see migrate.go), and follow these rules:
//   - Write SQL once, with ? placeholders; runner rebinds them for
//     PostgreSQL. Use only SQL both accept (INSERT ... ON CONFLICT (...) DO
//     UPDATE SET x = excluded.x, RETURNING, row values, count(*), lower(),
//     coalesce()). Where they differ, switch on s.d.name.
//   - Writes: s.write(ctx, func(tx runner) error {...}), one transaction,
//     committed when fn returns nil. In a write transaction use only tx.
//   - Reads: s.read(ctx, fn) for several statements that must agree (one
//     snapshot), s.reader() for a single statement. Close rows before the
//     next statement.
//   - Never read on s.r (s.read, s.reader) inside s.write: an in-memory
//     SQLite store has one connection, and that would deadlock.
//   - Times: pass s.d.timeArg(t) / s.d.timePtrArg(p), scan into dbTime.
//     JSON: pass a string, scan into []byte.
//   - Errors: wrap ErrNotFound, ErrInvalid (bad input) or ErrConflict.
type db struct {
	d *dialect
	// w is the pool for writes. For SQLite it has one connection, so writers
	// queue in Go instead of failing with SQLITE_BUSY.
	w *sql.DB
	// r is the pool for reads (the same as w for PostgreSQL and for an
	// in-memory SQLite database).
	r *sql.DB
	// now is the clock (tests may replace it).
	now func() time.Time
	// vocab is the published briefs' words, for "did you mean".
	vocab vocabulary
	// wc and rc cache prepared statements of w and r (SQLite only; see
	// stmtCache).
	wc, rc *stmtCache
	// pg is the connection setting of a PostgreSQL store, for the
	// change feed's own connection (changes.go); nil for SQLite.
	pg *pgx.ConnConfig
	// lanes queue ingest's writes for group commit (groupcommit.go).
	lanes    [groupLanes]groupCommit
	nextLane atomic.Uint32
}

var _ Store = (*db)(nil)

func (s *db) Dialect() string { return s.d.name }

func (s *db) Ping(ctx context.Context) error {
	if err := s.w.PingContext(ctx); err != nil {
		return err
	}
	if s.r != s.w {
		return s.r.PingContext(ctx)
	}
	return nil
}

func (s *db) Close() error {
	s.wc.close()
	s.rc.close()
	err := s.w.Close()
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	return err
}

// reader runs single statements on the read pool.
func (s *db) reader() runner { return runner{d: s.d, x: s.r, c: s.rc} }

// write runs fn in a write transaction, committed if fn returns nil and
// rolled back otherwise.
// The pending audit entry of ctx (WithAudit) is appended in the same
// transaction.
func (s *db) write(ctx context.Context, fn func(tx runner) error) error {
	err := s.inTx(ctx, s.w, s.wc, nil, func(tx runner) error {
		if err := fn(tx); err != nil {
			return err
		}
		return s.appendPendingAudit(ctx, tx)
	})
	auditCommitted(ctx, err == nil)
	return err
}

// writeRefetchable is write for what ingest stores from the feeds
// (articles, their fingerprints, story assignments): on PostgreSQL its
// commit does not wait for the WAL flush (synchronous_commit off, as
// SQLite's synchronous=NORMAL). A database crash may lose the last such
// commits, never half of one; they are fetched again at the next poll:
// the source's poll state is committed after its articles, synchronously,
// and that flush carries every earlier commit of the WAL, so a source
// never counts as polled while its articles are lost. Anything owed to a
// person (digests, accounts, briefs) keeps write. On SQLite the writes of
// concurrent callers are committed together (writeIngest, group commit).
func (s *db) writeRefetchable(ctx context.Context, fn func(tx runner) error) error {
	return s.writeGrouped(ctx, nil, fn)
}

// asyncCommitSQL makes a PostgreSQL transaction's commit not wait for the
// WAL flush (see writeRefetchable); a select list item, so that a
// statement run anyway can carry it.
const asyncCommitSQL = `set_config('synchronous_commit', 'off', true)`

// read runs fn in a read-only transaction, so that its statements see one
// snapshot.
func (s *db) read(ctx context.Context, fn func(tx runner) error) error {
	return s.inTx(ctx, s.r, s.rc, s.d.readTx, fn)
}

func (s *db) inTx(ctx context.Context, pool *sql.DB, c *stmtCache, opts *sql.TxOptions, fn func(tx runner) error) (err error) {
	tx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
		if c != nil {
			c.flush(ctx) // the statements it met, prepared now that its connection is free
		}
	}()
	if err = fn(runner{d: s.d, x: tx, c: c}); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// placeholders returns "?, ?, ?" for n arguments.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return sub
}
