package store_test

import (
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"legists/internal/brief"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

// Run with -benchtime=1x: each iteration imports importN briefs into a
// fresh database.
//
//	LEGISTS_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//	  go test ./internal/store -run '^$' -bench Import -benchtime=1x
//
// LEGISTS_BENCH_BRIEFS overrides the number.
var importN = 10000

var (
	importOnce   sync.Once
	importBriefs []*brief.Brief
)

func generated() []*brief.Brief {
	importOnce.Do(func() {
		if n, err := strconv.Atoi(os.Getenv("LEGISTS_BENCH_BRIEFS")); err == nil && n > 0 {
			importN = n
		}
		importBriefs = storetest.GenerateBriefs(importN, 1)
	})
	return importBriefs
}

func BenchmarkImportSQLite(b *testing.B) {
	benchImport(b, 1, func(b *testing.B) store.Store { return storetest.OpenSQLite(b) })
}

func BenchmarkImportPostgres(b *testing.B) {
	benchImport(b, 1, func(b *testing.B) store.Store { return storetest.OpenPostgres(b) })
}

// The parallel variants save from 4 goroutines, as several editors or
// import workers would.
func BenchmarkImportSQLiteParallel(b *testing.B) {
	benchImport(b, 4, func(b *testing.B) store.Store { return storetest.OpenSQLite(b) })
}

func BenchmarkImportPostgresParallel(b *testing.B) {
	benchImport(b, 4, func(b *testing.B) store.Store { return storetest.OpenPostgres(b) })
}

// The batch variants use SaveBriefs, 500 briefs a transaction.
func BenchmarkImportSQLiteBatch(b *testing.B) {
	benchImport(b, 0, func(b *testing.B) store.Store { return storetest.OpenSQLite(b) })
}

func BenchmarkImportPostgresBatch(b *testing.B) {
	benchImport(b, 0, func(b *testing.B) store.Store { return storetest.OpenPostgres(b) })
}

// benchImport saves the generated briefs with SaveBrief from workers
// goroutines, or with SaveBriefs when workers is 0.
func benchImport(b *testing.B, workers int, open func(b *testing.B) store.Store) {
	briefs := generated()
	var elapsed time.Duration
	for b.Loop() {
		b.StopTimer()
		s := open(b)
		b.StartTimer()
		start := time.Now()
		if workers == 0 {
			for i := 0; i < len(briefs); i += 500 {
				if _, err := s.SaveBriefs(ctx, briefs[i:min(i+500, len(briefs))], store.SaveOptions{Author: "import"}); err != nil {
					b.Fatal(err)
				}
			}
		}
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < len(briefs); i += workers {
					res, err := s.SaveBrief(ctx, briefs[i], store.SaveOptions{Author: "import"})
					if err != nil {
						b.Error(err)
						return
					}
					if res.Action != store.SaveCreated {
						b.Errorf("%s: %s", briefs[i].Slug, res.Action)
						return
					}
				}
			}()
		}
		wg.Wait()
		elapsed += time.Since(start)
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.N*len(briefs))/elapsed.Seconds(), "briefs/s")
}
