package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// DefaultDSN is the database used when none is given.
const DefaultDSN = "sqlite:./legists.db"

// Open connects to the database named by dsn and brings its schema up to
// date (migrations run on every Open; several instances may Open the same
// database at once).
//
//   - sqlite:PATH, e.g. sqlite:./legists.db or sqlite:/var/lib/legists.db: an
//     embedded SQLite file, created if missing (WAL mode, foreign keys on,
//     one writer connection and a pool of readers). sqlite::memory: is a
//     private in-memory database (one connection; for tests). Extra
//     modernc.org/sqlite parameters may follow the path after '?'.
//   - postgres://... or postgresql://...: a PostgreSQL server (pgx).
//     Besides the usual libpq parameters (sslmode, search_path, ...), the
//     DSN may carry pool_max_conns (default 10), pool_max_idle_conns
//     (default pool_max_conns) and pool_max_conn_lifetime (a Go duration,
//     default 1h), which Open reads and removes.
func Open(ctx context.Context, dsn string) (Store, error) {
	s, err := open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := s.ReindexLaw(ctx); err != nil { // law.go
		s.Close()
		return nil, err
	}
	return s, nil
}

func open(ctx context.Context, dsn string) (*db, error) {
	scheme, rest, ok := strings.Cut(dsn, ":")
	if !ok || scheme == "" {
		return nil, fmt.Errorf("store: DSN %q has no scheme: want sqlite:PATH or postgres://...", redact(dsn))
	}
	switch strings.ToLower(scheme) {
	case "sqlite", "sqlite3":
		return openSQLite(ctx, rest)
	case "postgres", "postgresql":
		return openPostgres(ctx, dsn)
	}
	return nil, fmt.Errorf("store: unsupported DSN scheme %q (want sqlite:PATH or postgres://...)", scheme)
}

// redact hides a password in a DSN for error messages.
func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		return u.Redacted()
	}
	return dsn
}

func openSQLite(ctx context.Context, rest string) (*db, error) {
	path, extra, _ := strings.Cut(rest, "?")
	if strings.HasPrefix(path, "//") { // sqlite:///abs/path or sqlite://rel
		path = path[2:]
	}
	if path == "" {
		return nil, fmt.Errorf("store: DSN sqlite:%s names no file (want sqlite:PATH)", rest)
	}
	memory := path == ":memory:"
	params := url.Values{}
	params.Add("_pragma", "busy_timeout(10000)")
	params.Add("_pragma", "foreign_keys(1)")
	params.Add("_pragma", "synchronous(NORMAL)")
	params.Add("_pragma", "cache_size(-16000)") // at most 16 MB of pages a connection
	params.Add("_pragma", "temp_store(MEMORY)")
	if !memory {
		params.Add("_pragma", "journal_mode(WAL)")
	}
	if extra != "" {
		more, err := url.ParseQuery(extra)
		if err != nil {
			return nil, fmt.Errorf("store: DSN sqlite:%s: %w", rest, err)
		}
		for k, vs := range more {
			for _, v := range vs {
				params.Add(k, v)
			}
		}
	}
	wparams := cloneValues(params)
	// Write transactions take the write lock at BEGIN, so a transaction never
	// fails half-way when another process writes; busy_timeout makes it wait.
	wparams.Set("_txlock", "immediate")
	w, err := sql.Open("sqlite", path+"?"+wparams.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	s := &db{d: newSQLiteDialect(), w: w, r: w, now: time.Now}
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite:%s: %w", path, err)
	}
	if err := migrate(ctx, s.d, w, path); err != nil {
		w.Close()
		return nil, err
	}
	if !memory {
		rparams := cloneValues(params)
		rparams.Add("_pragma", "query_only(1)")
		r, err := sql.Open("sqlite", path+"?"+rparams.Encode())
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("store: open %s: %w", path, err)
		}
		n := max(4, runtime.GOMAXPROCS(0))
		r.SetMaxOpenConns(n)
		r.SetMaxIdleConns(n)
		s.r = r
	}
	s.wc, s.rc = newStmtCache(s.w), newStmtCache(s.r)
	if s.r == s.w {
		s.rc = s.wc
	}
	return s, nil
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func openPostgres(ctx context.Context, dsn string) (*db, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: DSN %s: %w", redact(dsn), err)
	}
	q := u.Query()
	maxConns, err := intParam(q, "pool_max_conns", 10)
	if err != nil {
		return nil, err
	}
	maxIdle, err := intParam(q, "pool_max_idle_conns", maxConns)
	if err != nil {
		return nil, err
	}
	lifetime := time.Hour
	if v := q.Get("pool_max_conn_lifetime"); v != "" {
		if lifetime, err = time.ParseDuration(v); err != nil {
			return nil, fmt.Errorf("store: DSN parameter pool_max_conn_lifetime=%q: %w: %w", v, ErrInvalid, err)
		}
	}
	for k := range q {
		if strings.HasPrefix(k, "pool_") {
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	cfg, err := pgx.ParseConfig(u.String())
	if err != nil {
		return nil, fmt.Errorf("store: DSN %s: %w", redact(dsn), err)
	}
	p := stdlib.OpenDB(*cfg)
	p.SetMaxOpenConns(maxConns)
	p.SetMaxIdleConns(maxIdle)
	p.SetConnMaxLifetime(lifetime)
	if err := p.PingContext(ctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("store: connect to %s: %w", redact(dsn), err)
	}
	s := &db{d: newPostgresDialect(), w: p, r: p, now: time.Now, pg: cfg}
	if err := migrate(ctx, s.d, p, ""); err != nil {
		p.Close()
		return nil, err
	}
	return s, nil
}

func intParam(q url.Values, name string, def int) (int, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("store: DSN parameter %s=%q: %w: want a positive integer", name, v, ErrInvalid)
	}
	return n, nil
}
