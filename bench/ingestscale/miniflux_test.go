package ingestscale

// Miniflux side by side: built from its public source by
// bench/fetch-miniflux into the git-ignored bench/data/miniflux/ (never
// committed), run against a PostgreSQL database of its own on the same
// loopback feeds, every feed with "fetch original content" (its crawler
// option) on, so that it fetches and extracts every item's page as legists
// does.

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// minifluxBin is the Miniflux binary to measure: LEGISTS_BENCH_MINIFLUX_BIN
// ("none": not measured), else the one bench/fetch-miniflux builds, else ""
// (not measured).
func minifluxBin() string {
	switch p := os.Getenv("LEGISTS_BENCH_MINIFLUX_BIN"); p {
	case "none":
		return ""
	case "":
	default:
		return p
	}
	p, _ := filepath.Abs(filepath.Join("..", "data", "miniflux", "miniflux"))
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return ""
}

// minifluxDSN is a database of its own on the server of base (a URL DSN),
// created empty; drop removes it.
func minifluxDSN(ctx context.Context, base string) (dsn string, drop func(), err error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, err
	}
	name := fmt.Sprintf("legists_bench_miniflux_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6)
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", nil, err
	}
	if _, err := admin.Exec(ctx, `CREATE DATABASE `+name); err != nil {
		admin.Close(ctx)
		return "", nil, err
	}
	v := *u
	v.Path = "/" + name
	q := v.Query()
	q.Del("search_path")
	v.RawQuery = q.Encode()
	return v.String(), func() {
		_, _ = admin.Exec(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
		admin.Close(context.Background())
	}, nil
}

// minifluxEnv is Miniflux's configuration for the run: its own database,
// loopback feeds allowed, one batch holding every feed, its default pool
// of 16 workers (16 requests at once, as legists' --per-host 16).
func minifluxEnv(dsn string, feeds int) []string {
	return append(os.Environ(), "DATABASE_URL="+dsn, "RUN_MIGRATIONS=1", "CREATE_ADMIN=1",
		"ADMIN_USERNAME=bench", "ADMIN_PASSWORD=bench-password", "FETCHER_ALLOW_PRIVATE_NETWORKS=1",
		"BATCH_SIZE="+strconv.Itoa(feeds), "WORKER_POOL_SIZE=16", "POLLING_LIMIT_PER_HOST=0",
		"LOG_LEVEL=info", "GOMAXPROCS="+strconv.Itoa(maxProcs()))
}

// measureMiniflux sets up Miniflux's database (migrations, a user, the
// feeds with the crawler on) and measures one `miniflux -refresh-feeds`
// over every feed. It checks that every item became an entry with its
// page's text.
func measureMiniflux(b *testing.B, bin, pgBase string, feeds []string, items int, pages func() int) *Run {
	ctx := context.Background()
	dsn, drop, err := minifluxDSN(ctx, pgBase)
	if err != nil {
		b.Fatalf("miniflux database: %v", err)
	}
	defer drop()
	env := minifluxEnv(dsn, len(feeds))
	setup := exec.Command(bin, "-refresh-feeds") // no feeds yet: migrates and creates the user
	setup.Env = env
	if out, err := setup.CombinedOutput(); err != nil {
		b.Fatalf("miniflux setup: %v\n%s", err, out)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	for k, f := range feeds {
		if _, err := conn.Exec(ctx, `INSERT INTO feeds (user_id, category_id, title, feed_url, site_url, crawler, next_check_at)
			SELECT u.id, c.id, $1, $2, $2, true, now() - interval '1 hour' FROM users u JOIN categories c ON c.user_id = u.id
			WHERE u.username = 'bench'`, fmt.Sprintf("feed %d", k), f); err != nil {
			b.Fatalf("miniflux feeds: %v", err)
		}
	}
	cmd := exec.Command(bin, "-refresh-feeds")
	cmd.Env = env
	r, err := Measure(ctx, Spec{Name: "Miniflux, PostgreSQL", Cmd: cmd, Want: items, Count: pages, Server: postmasterPID(b, dsn),
		Start:    regexp.MustCompile(`msg="Starting a pool of workers"`),
		Progress: regexp.MustCompile(`msg="Refreshed a batch of feeds"`),
		End:      regexp.MustCompile(`msg="Refreshed a batch of feeds"`)})
	if err != nil {
		b.Fatal(err)
	}
	var entries, withText int
	if err := conn.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE length(content) > 400) FROM entries`).
		Scan(&entries, &withText); err != nil {
		b.Fatal(err)
	}
	if entries != items || withText != items {
		b.Fatalf("miniflux stored %d entries, %d with their page's text, want %d", entries, withText, items)
	}
	return r
}
