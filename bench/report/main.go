// Command report reads `go test -bench` output on stdin and prints each
// benchmark's figures, then the side-by-side pairs the project tracks with
// their ratio. bench/run feeds it.
package main

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// pair is two benchmarks measured in the same run and the unit to compare
// (or two figures of one benchmark: a == b, units ua and ub).
type pair struct {
	label  string
	pkg    string
	a, b   string
	unit   string // "MB/s" or a custom metric such as "briefs/s"
	ua, ub string // the figures' own units, when they differ from unit
}

var pairs = []pair{
	{label: "parse a brief vs bare line scan", pkg: "legists/internal/brief", a: "Parse", b: "LineScan", unit: "MB/s"},
	{label: "tag a brief vs bare byte scan", pkg: "legists/internal/tag", a: "Tag", b: "BareScan", unit: "MB/s"},
	{label: "import 10,000 briefs: SQLite vs PostgreSQL", pkg: "legists/internal/store", a: "ImportSQLite", b: "ImportPostgres", unit: "briefs/s"},
	{label: "import 10,000 briefs, SQLite: batches of 500 vs one by one", pkg: "legists/internal/store", a: "ImportSQLiteBatch", b: "ImportSQLite", unit: "briefs/s"},
	{label: "import 10,000 briefs, PostgreSQL: batches of 500 vs one by one", pkg: "legists/internal/store", a: "ImportPostgresBatch", b: "ImportPostgres", unit: "briefs/s"},
	{label: "ingest items vs bare feed parse", pkg: "legists/internal/ingest", a: "Ingest", b: "ParseOnly", unit: "items/s"},
	{label: "digests vs bare SMTP send, same connections", pkg: "legists/bench", a: "DigestSend", b: "BareSend", unit: "msgs/s"},
	{label: "brief page vs the same bytes from a bare handler", pkg: "legists/bench/webbench", a: "BriefPage", b: "BriefPageStatic", unit: "req/s"},
	{label: "two instances, 200 readers: real mix vs static floor, throughput (goal >= 0.5)", pkg: "legists/bench/loadtest",
		a: "Load", b: "Load", unit: "req/s", ua: "mix-req/s", ub: "floor-req/s"},
	{label: "two instances, 200 readers: real mix vs static floor, p99 (goal <= 10)", pkg: "legists/bench/loadtest",
		a: "Load", b: "Load", unit: "ms", ua: "mix-p99-ms", ub: "floor-p99-ms"},
	{label: "fidelity check: warm vs cold", pkg: "legists/internal/fidelity", a: "Check", b: "CheckCold", unit: "briefs/s"},
	{label: "ingest, pages fetched, SQLite: legists vs bare fetch+gofeed+readability", pkg: "legists/bench/ingestscale",
		a: "IngestScale", b: "IngestScale", unit: "items/s", ua: "sqlite-items/s", ub: "bare-items/s"},
	{label: "ingest, pages fetched, PostgreSQL: legists vs bare fetch+gofeed+readability", pkg: "legists/bench/ingestscale",
		a: "IngestScale", b: "IngestScale", unit: "items/s", ua: "postgres-items/s", ub: "bare-items/s"},
	{label: "ingest, SQLite: last 10 % of the items vs first 10 %", pkg: "legists/bench/ingestscale",
		a: "IngestScale", b: "IngestScale", unit: "items/s", ua: "sqlite-last10-items/s", ub: "sqlite-first10-items/s"},
	{label: "ingest, PostgreSQL: last 10 % of the items vs first 10 %", pkg: "legists/bench/ingestscale",
		a: "IngestScale", b: "IngestScale", unit: "items/s", ua: "postgres-last10-items/s", ub: "postgres-first10-items/s"},
	{label: "ingest, pages fetched, SQLite: legists vs Miniflux (PostgreSQL), same feeds", pkg: "legists/bench/ingestscale",
		a: "IngestScale", b: "IngestScale", unit: "items/s", ua: "sqlite-items/s", ub: "miniflux-items/s"},
	{label: "ingest, pages fetched, PostgreSQL: legists vs Miniflux, same feeds", pkg: "legists/bench/ingestscale",
		a: "IngestScale", b: "IngestScale", unit: "items/s", ua: "postgres-items/s", ub: "miniflux-items/s"},
	{label: "ingest CPU an item, bare fetch+gofeed+readability vs legists on SQLite (higher is better)", pkg: "legists/bench/ingestscale",
		a: "IngestScale", b: "IngestScale", unit: "ms", ua: "bare-cpu-ms/item", ub: "sqlite-cpu-ms/item"},
	{label: "ingest CPU an item, bare vs legists on PostgreSQL, its server's backends included (higher is better)", pkg: "legists/bench/ingestscale",
		a: "IngestScale", b: "IngestScale", unit: "ms", ua: "bare-cpu-ms/item", ub: "postgres-cpu-ms/item"},
	{label: "ingest CPU an item, Miniflux vs legists, both on PostgreSQL with their backends (higher is better)", pkg: "legists/bench/ingestscale",
		a: "IngestScale", b: "IngestScale", unit: "ms", ua: "miniflux-cpu-ms/item", ub: "postgres-cpu-ms/item"},
	{label: "ingest peak RSS, PostgreSQL: legists vs Miniflux", pkg: "legists/bench/ingestscale",
		a: "IngestScale", b: "IngestScale", unit: "MB", ua: "postgres-peak-rss-MB", ub: "miniflux-peak-rss-MB"},
}

func init() {
	// The search curve (bench/webbench, BenchmarkSearchCurve): at each size,
	// the search page's p99 against the trivial endpoint's, same server,
	// same readers.
	for _, db := range [][2]string{{"sqlite", "SQLite"}, {"postgres", "PostgreSQL"}} {
		for _, n := range [][2]string{{"10k", "10,000"}, {"100k", "100,000"}, {"1M", "1,000,000"}} {
			key := db[0] + "-" + n[0]
			pairs = append(pairs, pair{label: "search page p99, " + n[1] + " briefs, " + db[1] + ": vs the trivial endpoint's p99, same readers (goal <= 10)",
				pkg: "legists/bench/webbench", a: "SearchCurve", b: "SearchCurve", unit: "ms", ua: key + "-p99-ms", ub: key + "-trivial-p99-ms"})
		}
	}
}

var line = regexp.MustCompile(`^Benchmark(\S+?)(?:-\d+)?\s+(\d+)\s+(.*)$`)

func main() {
	figures := map[string]map[string]map[string]float64{} // pkg -> bench -> unit -> value
	pkg := ""
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var order []string
	for sc.Scan() {
		t := sc.Text()
		if p, ok := strings.CutPrefix(t, "pkg: "); ok {
			pkg = strings.TrimSpace(p)
			continue
		}
		m := line.FindStringSubmatch(t)
		if m == nil {
			continue
		}
		name := m[1]
		fields := strings.Fields(m[3])
		if figures[pkg] == nil {
			figures[pkg] = map[string]map[string]float64{}
		}
		if figures[pkg][name] == nil {
			order = append(order, pkg+"\x00"+name)
		}
		vals := map[string]float64{}
		for i := 0; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err == nil {
				vals[fields[i+1]] = v
			}
		}
		figures[pkg][name] = vals
	}

	host, _ := os.Hostname()
	fmt.Printf("Legists benchmarks, %s, %s\n\n", time.Now().UTC().Format("2006-01-02"), machine(host))
	fmt.Println("| package | benchmark | figures |")
	fmt.Println("| --- | --- | --- |")
	for _, k := range order {
		p, name, _ := strings.Cut(k, "\x00")
		fmt.Printf("| %s | %s | %s |\n", strings.TrimPrefix(p, "legists/"), name, describe(figures[p][name]))
	}
	fmt.Println("\nSide by side (measured in the same run):")
	fmt.Println()
	fmt.Println("| comparison | A | B | A/B |")
	fmt.Println("| --- | --- | --- | --- |")
	for _, pr := range pairs {
		ua, ub := pr.unit, pr.unit
		if pr.ua != "" {
			ua, ub = pr.ua, pr.ub
		}
		a, aok := figures[pr.pkg][pr.a][ua]
		b, bok := figures[pr.pkg][pr.b][ub]
		if !aok || !bok || b == 0 {
			continue
		}
		fmt.Printf("| %s | %s %s | %s %s | %.3f |\n", pr.label, num(a), pr.unit, num(b), pr.unit, a/b)
	}
}

func describe(vals map[string]float64) string {
	var parts []string
	for _, u := range []string{"ns/op", "MB/s", "B/op", "allocs/op"} {
		if v, ok := vals[u]; ok && u != "B/op" && u != "allocs/op" {
			parts = append(parts, num(v)+" "+u)
		}
	}
	var custom []string
	for u := range vals {
		switch u {
		case "ns/op", "MB/s", "B/op", "allocs/op":
			continue
		}
		custom = append(custom, u)
	}
	sort.Strings(custom) // a stable order from run to run
	for _, u := range custom {
		parts = append(parts, num(vals[u])+" "+u)
	}
	return strings.Join(parts, ", ")
}

func num(v float64) string {
	switch {
	case v >= 1000:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 3, 64)
	}
}

func machine(host string) string {
	cores := 0
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		cores = strings.Count(string(data), "processor\t:")
	}
	mem := ""
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int
		fmt.Sscanf(strings.TrimPrefix(strings.SplitN(string(data), "\n", 2)[0], "MemTotal:"), "%d", &kb)
		mem = fmt.Sprintf("%d GiB", (kb+512*1024)/(1024*1024))
	}
	return fmt.Sprintf("%d cores, %s", cores, mem)
}
