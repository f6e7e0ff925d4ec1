package jobs

import (
	"context"
	"fmt"
	"hash/fnv"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// poolMaxConns bounds River's own PostgreSQL connections in a process: the
// listener holds one; fetching, completing, leader election and
// maintenance share the rest. Jobs themselves use the store's pool.
const poolMaxConns = 5

type pgBackend struct {
	pool   *pgxpool.Pool
	schema string // "" or a quoted identifier
}

func (b *pgBackend) dialect() string { return "postgres" }
func (b *pgBackend) close()          { b.pool.Close() }

func (b *pgBackend) counts(ctx context.Context) ([]Count, error) {
	table := "river_job"
	if b.schema != "" {
		table = b.schema + ".river_job"
	}
	rows, err := b.pool.Query(ctx, `SELECT kind, state::text, count(*) FROM `+table+` GROUP BY kind, state ORDER BY kind, state`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Count, error) {
		var c Count
		err := r.Scan(&c.Kind, &c.State, &c.N)
		return c, err
	})
}

// openPostgres connects a pgx pool to dsn (the store's pool_* parameters
// removed), migrates River's tables into the DSN's schema and makes the
// client.
func (q *Queue) openPostgres(ctx context.Context, dsn string) error {
	u, err := url.Parse(dsn)
	if err != nil {
		return fmt.Errorf("jobs: DSN: %w", err)
	}
	qv := u.Query()
	for k := range qv {
		if strings.HasPrefix(k, "pool_") {
			qv.Del(k)
		}
	}
	u.RawQuery = qv.Encode()
	pcfg, err := pgxpool.ParseConfig(u.String())
	if err != nil {
		return fmt.Errorf("jobs: DSN %s: %w", u.Redacted(), err)
	}
	pcfg.MaxConns = poolMaxConns
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return fmt.Errorf("jobs: connect to %s: %w", u.Redacted(), err)
	}
	ok := false
	defer func() {
		if !ok {
			pool.Close()
		}
	}()

	// River qualifies its tables with the schema the store's tables are
	// in (the first of search_path), and so keeps the notifications of
	// several schemas of one database apart.
	var dbName, schema string
	if err := pool.QueryRow(ctx, `SELECT current_database(), coalesce(current_schema(), '')`).Scan(&dbName, &schema); err != nil {
		return fmt.Errorf("jobs: connect to %s: %w", u.Redacted(), err)
	}
	if err := migratePostgres(ctx, pool, dbName, schema, q); err != nil {
		return err
	}
	rcfg, err := q.riverConfig(schema)
	if err != nil {
		return err
	}
	c, err := river.NewClient(riverpgxv5.New(pool), rcfg)
	if err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	q.client = c
	q.db = &pgBackend{pool: pool, schema: quoteIdent(schema)}
	ok = true
	return nil
}

// migratePostgres brings River's tables up to date. Processes starting at
// once on one database wait for each other on a session advisory lock,
// keyed by database and schema (as the store's migrations do).
func migratePostgres(ctx context.Context, pool *pgxpool.Pool, dbName, schema string, q *Queue) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	defer conn.Release()
	h := fnv.New64a()
	h.Write([]byte("legists-river-migrate\x00" + dbName + "\x00" + schema))
	key := int64(h.Sum64() >> 1)
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		return fmt.Errorf("jobs: migrate: lock: %w", err)
	}
	defer func() {
		if _, err := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key); err != nil {
			// A connection that cannot unlock is closed, and that
			// releases the lock.
			conn.Conn().Close(context.WithoutCancel(ctx))
		}
	}()
	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Schema: schema, Logger: q.riverLogger()})
	if err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("jobs: migrate River's tables: %w", err)
	}
	if len(res.Versions) > 0 {
		q.log.Info("job queue tables migrated", "db", "postgres", "versions", len(res.Versions))
	}
	return nil
}

// quoteIdent quotes a PostgreSQL identifier ("" stays "").
func quoteIdent(s string) string {
	if s == "" {
		return ""
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
