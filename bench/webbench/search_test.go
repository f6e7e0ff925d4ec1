package webbench

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to make the kept schema

	"legists/internal/brief"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

// searchN is how many generated briefs the search benchmarks run over.
func searchN() int {
	if n, err := strconv.Atoi(os.Getenv("LEGISTS_BENCH_SEARCH_BRIEFS")); err == nil && n > 0 {
		return n
	}
	return 100000
}

// queries mix what readers type, over the vocabulary of
// storetest.GenerateBriefs (Zipf-like: TestSearchQueryMix checks how many
// briefs each query matches): common words that match a fifth or more of
// the briefs, rarer and rare ones, two-word queries, a phrase, and each
// filter (firm, topic, date range) with a common word.
var queries = []store.SearchQuery{
	{Q: "court"},             // common
	{Q: "commission"},        // common
	{Q: "sanctions"},         // common
	{Q: "privacy"},           // a few percent
	{Q: "lithium"},           // rare
	{Q: "stablecoin"},        // rare
	{Q: "Solantis"},          // a company: very rare
	{Q: "arbitration award"}, // two words
	{Q: "energy companies"},  // two common words
	{Q: "steel tariffs"},     // two words
	{Q: `"pension reform"`},  // a phrase
	{Q: "court", Firm: "clifford-chance-llp"},
	{Q: "commission", Topic: "competition"},
	{Q: "sanctions", Topic: "sanctions"},
	{Q: "rules", Since: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC)},
	{Q: "court", Since: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
}

// genVersion names the version of storetest.GenerateBriefs whose briefs
// the kept databases hold: change it when the generator changes, so that
// the next run loads afresh rather than searching old briefs.
const genVersion = "v2"

// schemaTag names the search schema of the kept databases (migration
// 00012_brief_search): a build from before it cannot search a database
// migrated past it, so the two keep databases of their own and can be
// measured back to back. A kept database from before (search-v2-N.db, or
// the schema legists_bench_search_v2_N, copied under the new name) is
// migrated on first open; the log says how long that took.
const schemaTag = "s12"

// open opens dsn, migrating it, and logs the time when it is long.
func open(b *testing.B, dsn string) store.Store {
	b.Helper()
	start := time.Now()
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		b.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		b.Logf("opened and migrated in %s", d.Round(100*time.Millisecond))
	}
	return st
}

// fill loads n generated briefs into st unless it holds them already. It
// resumes where an interrupted load stopped (a batch whose last brief is
// stored is skipped) and logs its progress: a million briefs take a while.
func fill(b *testing.B, st store.Store, n int) {
	b.Helper()
	ctx := context.Background()
	if loaded(st, n) {
		return // loaded by an earlier run
	}
	start := time.Now()
	if err := st.UpsertFirms(ctx, storetest.Firms); err != nil {
		b.Fatal(err)
	}
	if err := st.UpsertTopics(ctx, storetest.Topics); err != nil {
		b.Fatal(err)
	}
	const batch = 500
	var (
		pending       []*brief.Brief
		done, skipped int
		lastReport    = time.Now()
	)
	flush := func() error {
		if got, err := st.GetBrief(ctx, pending[len(pending)-1].Slug); err == nil && got != nil {
			skipped += len(pending) // stored by an interrupted run
		} else if _, err := st.SaveBriefs(ctx, pending, store.SaveOptions{Author: "bench"}); err != nil {
			return err
		}
		done += len(pending)
		pending = pending[:0]
		if time.Since(lastReport) > 30*time.Second {
			lastReport = time.Now()
			el := time.Since(start)
			fmt.Fprintf(os.Stderr, "search bench: loading %d briefs: %d done (%d already there), %s, %.0f briefs/s\n",
				n, done, skipped, el.Round(time.Second), float64(done-skipped)/el.Seconds())
		}
		return nil
	}
	err := storetest.EachGeneratedBrief(n, 7, func(br *brief.Brief) error {
		if pending = append(pending, br); len(pending) == batch {
			return flush()
		}
		return nil
	})
	if err == nil && len(pending) > 0 {
		err = flush()
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d briefs in %s", n, time.Since(start).Round(time.Second))
}

// loaded reports whether st holds the n generated briefs already.
func loaded(st store.Store, n int) bool {
	last, err := st.GetBrief(context.Background(), lastSlug(n))
	return err == nil && last != nil
}

var lastSlugs = map[int]string{}

func lastSlug(n int) string {
	if s, ok := lastSlugs[n]; ok {
		return s
	}
	// The generator is deterministic: the last brief of n has this slug.
	var s string
	storetest.EachGeneratedBrief(n, 7, func(b *brief.Brief) error {
		s = b.Slug
		return nil
	})
	lastSlugs[n] = s
	return s
}

// benchSearch runs the queries in turn, b.N searches in all, and reports
// the median and the 99th percentile latency.
func benchSearch(b *testing.B, st store.Store) {
	ctx := context.Background()
	n := searchN()
	// warm up
	for _, q := range queries {
		q.Status, q.Limit = brief.StatusPublished, 10
		if _, err := st.SearchBriefs(ctx, q); err != nil {
			b.Fatalf("%+v: %v", q, err)
		}
	}
	lat := make([]time.Duration, 0, b.N)
	perQuery := make([][]time.Duration, len(queries))
	totals := make([]int, len(queries))
	b.ResetTimer()
	i := 0
	for b.Loop() {
		k := i % len(queries)
		q := queries[k]
		i++
		q.Status, q.Limit = brief.StatusPublished, 10
		t := time.Now()
		res, err := st.SearchBriefs(ctx, q)
		d := time.Since(t)
		lat = append(lat, d)
		if err != nil {
			b.Fatal(err)
		}
		perQuery[k] = append(perQuery[k], d)
		totals[k] = res.Total
	}
	b.StopTimer()
	// The median of each query, to see which are slow (go test -v).
	for k, l := range perQuery {
		if len(l) > 0 {
			slices.Sort(l)
			b.Logf("%6.1f ms  %6d hits  %s", float64(l[len(l)/2].Microseconds())/1000, totals[k], describe(queries[k]))
		}
	}
	// The first hits of each query, to compare the order of two builds
	// (go test -v).
	for _, q := range queries {
		q.Status, q.Limit = brief.StatusPublished, 10
		res, err := st.SearchBriefs(ctx, q)
		if err != nil {
			b.Fatal(err)
		}
		var top []string
		for _, h := range res.Hits {
			top = append(top, h.Brief.Slug)
		}
		b.Logf("top %s: %s", describe(q), strings.Join(top, " "))
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(n), "briefs")
}

// describe is a query in brief, for the log.
func describe(q store.SearchQuery) string {
	s := strconv.Quote(q.Q)
	if q.Firm != "" {
		s += " firm=" + q.Firm
	}
	if q.Topic != "" {
		s += " topic=" + q.Topic
	}
	if !q.Since.IsZero() {
		s += " since=" + q.Since.Format(time.DateOnly)
	}
	if !q.Until.IsZero() {
		s += " until=" + q.Until.Format(time.DateOnly)
	}
	return s
}

// BenchmarkSearchSQLite keeps its database in bench/out/search-VERSION-s12-N.db.
func BenchmarkSearchSQLite(b *testing.B) {
	st := openKeptSQLite(b, searchN())
	defer st.Close()
	fill(b, st, searchN())
	benchSearch(b, st)
}

// BenchmarkSearchPostgres keeps its data in the schema
// legists_bench_search_VERSION_s12_N of LEGISTS_TEST_POSTGRES.
func BenchmarkSearchPostgres(b *testing.B) {
	st := openKeptPostgres(b, searchN())
	defer st.Close()
	fill(b, st, searchN())
	analyzePostgres(b, searchN())
	benchSearch(b, st)
}

// keptSQLitePath is the kept SQLite database of n briefs.
func keptSQLitePath(n int) string {
	return filepath.Join("..", "out", fmt.Sprintf("search-%s-%s-%d.db", genVersion, schemaTag, n))
}

// keptSchema is the kept PostgreSQL schema of n briefs.
func keptSchema(n int) string {
	return fmt.Sprintf("legists_bench_search_%s_%s_%d", genVersion, schemaTag, n)
}

// openKeptSQLite opens (creating) the kept SQLite database of n briefs,
// bench/out/search-VERSION-s12-N.db; fill loads it.
func openKeptSQLite(b *testing.B, n int) store.Store {
	b.Helper()
	dir := filepath.Join("..", "out")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	path, _ := filepath.Abs(keptSQLitePath(n))
	return open(b, "sqlite:"+path)
}

// openKeptPostgres opens (creating) the kept schema of n briefs,
// legists_bench_search_VERSION_s12_N of LEGISTS_TEST_POSTGRES; it skips
// without that variable.
func openKeptPostgres(b *testing.B, n int) store.Store {
	b.Helper()
	base := os.Getenv(storetest.PostgresEnv)
	if base == "" {
		b.Skip(storetest.PostgresEnv + " is not set")
	}
	schema := keptSchema(n)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA IF NOT EXISTS ` + schema); err != nil {
		b.Fatal(err)
	}
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return open(b, base+sep+"search_path="+schema)
}

// analyzePostgres refreshes the planner's statistics of the kept schema of
// n briefs. A server with autovacuum on does it by itself after a load;
// the one the benchmarks run on here has it off, and a planner without
// statistics searched 100,000 briefs in 1.3 s (p50) instead of 15 ms.
func analyzePostgres(b *testing.B, n int) {
	b.Helper()
	admin, err := sql.Open("pgx", os.Getenv(storetest.PostgresEnv))
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	schema := keptSchema(n)
	rows, err := admin.Query(`SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = $1`, schema)
	if err != nil {
		b.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			b.Fatal(err)
		}
		tables = append(tables, schema+"."+t)
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if _, err := admin.Exec(`ANALYZE ` + strings.Join(tables, ", ")); err != nil {
		b.Fatal(err)
	}
	b.Logf("analyzed %d tables in %s", len(tables), time.Since(start).Round(time.Millisecond))
}

// TestSearchQueryMix keeps the benchmark honest: over generated briefs,
// the common words match a fifth or more of the published briefs, and the
// rare ones less than 3%.
func TestSearchQueryMix(t *testing.T) {
	ctx := context.Background()
	st := storetest.OpenSQLite(t)
	if err := st.UpsertFirms(ctx, storetest.Firms); err != nil {
		t.Fatal(err)
	}
	if err := st.UpsertTopics(ctx, storetest.Topics); err != nil {
		t.Fatal(err)
	}
	storetest.Load(t, st, storetest.GenerateBriefs(2000, 7))
	all, err := st.SearchBriefs(ctx, store.SearchQuery{})
	if err != nil {
		t.Fatal(err)
	}
	share := func(q string) float64 {
		res, err := st.SearchBriefs(ctx, store.SearchQuery{Q: q})
		if err != nil {
			t.Fatal(err)
		}
		return float64(res.Total) / float64(all.Total)
	}
	for _, q := range []string{"court", "commission", "sanctions", "energy companies", "rules"} {
		if f := share(q); f < 0.2 {
			t.Errorf("%q matches %.1f%% of briefs, want 20%% or more", q, 100*f)
		}
	}
	for _, q := range []string{"lithium", "stablecoin", "Solantis"} {
		if f := share(q); f >= 0.03 || f == 0 {
			t.Errorf("%q matches %.1f%% of briefs, want some, under 3%%", q, 100*f)
		}
	}
}
