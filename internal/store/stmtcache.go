package store

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps the prepared statements of one SQLite pool for the
// statements ingest runs for every article (runner.hot): the SQLite
// driver parses and plans a statement at every call otherwise, which was
// a quarter of ingest's CPU. The PostgreSQL driver caches its statements
// itself, so PostgreSQL stores have no cache. database/sql prepares a
// cached statement once per connection and reuses it in transactions.
type stmtCache struct {
	pool *sql.DB
	mu   sync.Mutex
	m    map[string]*sql.Stmt
	// wanted are statements met in a transaction, prepared after it: the
	// pool may have no other connection to prepare them on meanwhile
	// (SQLite's write pool has one).
	wanted map[string]bool
}

// maxCachedStmts bounds the cache; statements beyond it run unprepared.
const maxCachedStmts = 64

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, m: map[string]*sql.Stmt{}, wanted: map[string]bool{}}
}

// lookup returns q's prepared statement, or nil (and q is prepared at the
// next flush).
func (c *stmtCache) lookup(q string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.m[q]
	if st == nil && len(c.m)+len(c.wanted) < maxCachedStmts {
		c.wanted[q] = true
	}
	return st
}

// flush prepares the wanted statements; the caller holds no connection of
// the pool. The lock is not held while preparing: preparing waits for a
// connection, which a transaction that looks a statement up may hold. A
// statement that fails to prepare is not wanted again.
func (c *stmtCache) flush(ctx context.Context) {
	c.mu.Lock()
	var qs []string
	for q := range c.wanted {
		qs = append(qs, q)
		delete(c.wanted, q)
	}
	c.mu.Unlock()
	for _, q := range qs {
		st, err := c.pool.PrepareContext(context.WithoutCancel(ctx), q)
		if err != nil {
			st = nil
		}
		c.mu.Lock()
		if _, done := c.m[q]; done {
			if st != nil {
				st.Close()
			}
		} else {
			c.m[q] = st
		}
		c.mu.Unlock()
	}
}

func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.m {
		if st != nil {
			st.Close()
		}
		delete(c.m, q)
	}
}

// hotRunner runs the statements of a runner prepared (see stmtCache).
type hotRunner struct{ r runner }

// hot returns r's prepared-statement form, for statements run for every
// article.
func (r runner) hot() hotRunner { return hotRunner{r} }

func (h hotRunner) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if h.r.c == nil {
		return nil, nil
	}
	st := h.r.c.lookup(h.r.d.rebind(q))
	tx, inTx := h.r.x.(*sql.Tx)
	if !inTx {
		// No connection held: prepare now.
		h.r.c.flush(ctx)
		st = h.r.c.lookup(h.r.d.rebind(q))
	}
	if st == nil {
		return nil, nil
	}
	if inTx {
		return tx.StmtContext(ctx, st), nil
	}
	return st, nil
}

func (h hotRunner) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := h.stmt(ctx, q)
	if err != nil || st == nil {
		return h.r.exec(ctx, q, args...)
	}
	return st.ExecContext(ctx, args...)
}

func (h hotRunner) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := h.stmt(ctx, q)
	if err != nil || st == nil {
		return h.r.query(ctx, q, args...)
	}
	return st.QueryContext(ctx, args...)
}

func (h hotRunner) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := h.stmt(ctx, q)
	if err != nil || st == nil {
		return h.r.queryRow(ctx, q, args...)
	}
	return st.QueryRowContext(ctx, args...)
}
