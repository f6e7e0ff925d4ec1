package store

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
)

// Many goroutines writing and reading with cached statements on SQLite's
// one-connection write pool: no deadlock, every write counted.
func TestStmtCacheConcurrentWrites(t *testing.T) {
	ctx := context.Background()
	s, err := open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.write(ctx, func(tx runner) error {
		_, err := tx.exec(ctx, `CREATE TABLE counter_test (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				err := s.write(ctx, func(tx runner) error {
					if _, err := tx.hot().exec(ctx, `INSERT INTO counter_test (n) VALUES (?)`, g*1000+i); err != nil {
						return err
					}
					var n int
					return tx.hot().queryRow(ctx, `SELECT count(*) FROM counter_test WHERE n >= ?`, 0).Scan(&n)
				})
				if err != nil {
					t.Error(err)
					return
				}
				var n int
				if err := s.reader().hot().queryRow(ctx, `SELECT count(*) FROM counter_test`).Scan(&n); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	var n int
	if err := s.reader().queryRow(ctx, `SELECT count(*) FROM counter_test`).Scan(&n); err != nil || n != 800 {
		t.Fatalf("%d rows, %v", n, err)
	}
	if len(s.wc.m) == 0 {
		t.Error("no statement was prepared")
	}
}
