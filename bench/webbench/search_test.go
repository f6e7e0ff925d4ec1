package webbench

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
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

// queries mix single words, phrases of two words and filters, as readers
// type them.
var queries = []store.SearchQuery{
	{Q: "sanctions"},
	{Q: "merger"},
	{Q: "arbitration award"},
	{Q: "energy companies"},
	{Q: "privacy"},
	{Q: "court"},
	{Q: "steel tariffs"},
	{Q: "pension reform"},
	{Q: "sanctions", Topic: "sanctions"},
	{Q: "oil", Firm: "clifford-chance-llp"},
	{Q: "commission", Since: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC)},
	{Q: "semiconductor exports"},
}

// fill loads n generated briefs into st unless it holds them already.
func fill(b *testing.B, st store.Store, n int) {
	b.Helper()
	ctx := context.Background()
	if last, err := st.GetBrief(ctx, lastSlug(n)); err == nil && last != nil {
		return // loaded by an earlier run
	}
	start := time.Now()
	if err := st.UpsertFirms(ctx, storetest.Firms); err != nil {
		b.Fatal(err)
	}
	if err := st.UpsertTopics(ctx, storetest.Topics); err != nil {
		b.Fatal(err)
	}
	briefs := storetest.GenerateBriefs(n, 7)
	for i := 0; i < len(briefs); i += 500 {
		if _, err := st.SaveBriefs(ctx, briefs[i:min(i+500, len(briefs))], store.SaveOptions{Author: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("loaded %d briefs in %s", n, time.Since(start).Round(time.Second))
}

var lastSlugs = map[int]string{}

func lastSlug(n int) string {
	if s, ok := lastSlugs[n]; ok {
		return s
	}
	// The generator is deterministic: the last brief of n has this slug.
	s := storetest.GenerateBriefs(n, 7)[n-1].Slug
	lastSlugs[n] = s
	return s
}

// benchSearch runs the queries in turn, b.N searches in all, and reports
// the median and the 99th percentile latency.
func benchSearch(b *testing.B, st store.Store) {
	ctx := context.Background()
	n := searchN()
	fill(b, st, n)
	// warm up
	for _, q := range queries {
		q.Status, q.Limit = brief.StatusPublished, 10
		if _, err := st.SearchBriefs(ctx, q); err != nil {
			b.Fatalf("%+v: %v", q, err)
		}
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	i := 0
	for b.Loop() {
		q := queries[i%len(queries)]
		i++
		q.Status, q.Limit = brief.StatusPublished, 10
		t := time.Now()
		res, err := st.SearchBriefs(ctx, q)
		lat = append(lat, time.Since(t))
		if err != nil {
			b.Fatal(err)
		}
		_ = res
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(n), "briefs")
}

// BenchmarkSearchSQLite keeps its database in bench/out/search-N.db.
func BenchmarkSearchSQLite(b *testing.B) {
	dir := filepath.Join("..", "out")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	path, _ := filepath.Abs(filepath.Join(dir, fmt.Sprintf("search-%d.db", searchN())))
	st, err := store.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	benchSearch(b, st)
}

// BenchmarkSearchPostgres keeps its data in the schema
// legists_bench_search_N of LEGISTS_TEST_POSTGRES.
func BenchmarkSearchPostgres(b *testing.B) {
	base := os.Getenv(storetest.PostgresEnv)
	if base == "" {
		b.Skip(storetest.PostgresEnv + " is not set")
	}
	schema := fmt.Sprintf("legists_bench_search_%d", searchN())
	admin, err := sql.Open("pgx", base)
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA IF NOT EXISTS ` + schema); err != nil {
		b.Fatal(err)
	}
	sep := "?"
	if slices.Contains([]byte(base), '?') {
		sep = "&"
	}
	st, err := store.Open(context.Background(), base+sep+"search_path="+schema)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	benchSearch(b, st)
}
