// Package webbench holds the benchmarks of the website (issue 3), run by
// bench/run with the rest:
//
//   - BenchmarkBriefPage and BenchmarkBriefPageStatic: requests per second
//     for a brief page through the whole server (middleware, page cache,
//     store) beside a bare handler writing the same bytes, over loopback
//     HTTP with the same client and concurrency, in one run. The ratio
//     page/static is the figure tracked (aim: 0.5 or better).
//     BenchmarkBriefPageUncached renders every request (no page cache).
//   - BenchmarkSearchSQLite and BenchmarkSearchPostgres: p50 and p99
//     latency of full-text searches over 100,000 generated briefs.
//     LEGISTS_BENCH_SEARCH_BRIEFS changes the number; the SQLite database
//     is kept in bench/out and the PostgreSQL schema legists_bench_search
//     is kept, so later runs skip the load.
package webbench
