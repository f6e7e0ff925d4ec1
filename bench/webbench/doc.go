// Package webbench holds the benchmarks of the website (issue 3), run by
// bench/run with the rest:
//
//   - BenchmarkBriefPage and BenchmarkBriefPageStatic: requests per second
//     for a brief page through the whole server (middleware, page cache,
//     store) beside a bare handler writing the same bytes, over loopback
//     HTTP with the same client and concurrency, in one run. The ratio
//     page/static is the figure tracked (aim: 0.5 or better).
//     BenchmarkBriefPageUncached renders every request (no page cache).
//     BenchmarkBriefPageVsStatic alternates half-second rounds of the two
//     so both see the same machine load, and reports page/static directly.
//   - BenchmarkSearchSQLite and BenchmarkSearchPostgres: p50 and p99
//     latency of full-text searches over 100,000 generated briefs.
//     LEGISTS_BENCH_SEARCH_BRIEFS changes the number; the SQLite database
//     is kept in bench/out and the PostgreSQL schema legists_bench_search_v2_N
//     is kept, so later runs skip the load. Each search is slow enough at
//     that size that a fixed count suits better than a duration:
//     go test ./bench/webbench -run '^$' -bench Search -benchtime 32x
//
// bench/report pairs BriefPage with BriefPageStatic in req/s when its pair
// list has {pkg: "legists/bench/webbench", a: "BriefPage", b:
// "BriefPageStatic", unit: "req/s"}.
package webbench
