package store

import (
	"context"
	"errors"
	"sync"
	"testing"
)

// Writes of many goroutines committed in groups: each caller learns how
// its own write went, a failed write leaves nothing while the writes of
// its group are stored, a panicking write neither stores its group nor
// stops the writes queued after it, and a batch holds several writes.
func TestGroupCommit(t *testing.T) {
	for name, dsn := range testDSNs(t) {
		t.Run(name, func(t *testing.T) { testGroupCommit(t, dsn) })
	}
}

func testGroupCommit(t *testing.T, dsn string) {
	ctx := context.Background()
	s, err := open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.write(ctx, func(tx runner) error {
		_, err := tx.exec(ctx, `CREATE TABLE group_test (n INTEGER PRIMARY KEY)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	errOdd := errors.New("odd numbers fail")
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		stored = map[int]bool{}
	)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 40 {
				n := g*1000 + i
				var locks []int64
				if s.d.name == dialectPostgres {
					locks = []int64{int64(n % 7), int64(1000 + n%5)} // shared with other writes
				}
				err := s.writeGrouped(ctx, locks, func(tx runner) error {
					if _, err := tx.hot().exec(ctx, `INSERT INTO group_test (n) VALUES (?)`, n); err != nil {
						return err
					}
					if n%2 == 1 {
						return errOdd
					}
					return nil
				})
				switch {
				case n%2 == 1 && !errors.Is(err, errOdd):
					t.Errorf("write %d: %v, want its own error", n, err)
				case n%2 == 0 && err != nil:
					t.Errorf("write %d: %v", n, err)
				case err == nil:
					mu.Lock()
					stored[n] = true
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	rows, err := s.w.QueryContext(ctx, `SELECT n FROM group_test`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := 0
	for rows.Next() {
		var n int
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		if !stored[n] {
			t.Errorf("row %d stored, its write failed", n)
		}
		got++
	}
	if got != len(stored) || got != 16*20 {
		t.Errorf("%d rows stored, %d writes succeeded, want %d", got, len(stored), 16*20)
	}
	if n := s.commits(); n >= 16*40 {
		t.Errorf("%d commits for %d writes: none grouped", n, 16*40)
	}

	// A write that panics: its caller sees the panic, the writes queued
	// meanwhile are still committed, later writes are not blocked.
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic did not reach its caller")
			}
		}()
		_ = s.writeGrouped(ctx, nil, func(tx runner) error { panic("boom") })
	}()
	if err := s.writeGrouped(ctx, nil, func(tx runner) error {
		_, err := tx.exec(ctx, `INSERT INTO group_test (n) VALUES (-1)`)
		return err
	}); err != nil {
		t.Fatalf("write after a panic: %v", err)
	}
}
