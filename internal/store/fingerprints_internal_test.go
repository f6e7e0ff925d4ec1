package store

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"legists/internal/source"
)

// TestBandBucketsKeepNewest inserts more articles with one fingerprint
// than a bucket holds: each of the fingerprint's band keys keeps exactly
// the bucketSize newest, on both databases (PostgreSQL inserts and trims
// in one statement, SQLite in three).
func TestBandBucketsKeepNewest(t *testing.T) {
	eachStore(t, func(t *testing.T, s *db) {
		ctx := context.Background()
		f := source.Fingerprint(0x9e3779b97f4a7c15)
		var ids []int64
		for i := range bucketSize + 7 {
			err := s.writeRefetchable(ctx, func(tx runner) error {
				u := fmt.Sprintf("https://wire.example/%d", i)
				id, err := s.insertArticle(ctx, tx, []any{nil, u, u, u, u, "Title", "", "", "", "", nil, nil,
					s.d.timeArg(s.now()), s.d.timeArg(s.now()), s.d.timeArg(s.now()), "", "text", false,
					fmt.Sprint(i), int64(uint64(f)), nil, nil, 0, nil}, f, true)
				ids = append(ids, id)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		want := ids[len(ids)-bucketSize:]
		for _, k := range f.BandKeys() {
			rows, err := s.reader().query(ctx, `SELECT article_id FROM article_bands WHERE band_key = ? ORDER BY article_id`, k)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				got = append(got, id)
			}
			rows.Close()
			if !slices.Equal(got, want) {
				t.Fatalf("bucket %d holds %v, want the %d newest %v", k, got, bucketSize, want)
			}
		}
		// An insert that conflicts (the same URL) adds and trims nothing.
		err := s.writeRefetchable(ctx, func(tx runner) error {
			u := "https://wire.example/0"
			_, err := s.insertArticle(ctx, tx, []any{nil, u, u, u, u, "Title", "", "", "", "", nil, nil,
				s.d.timeArg(s.now()), s.d.timeArg(s.now()), s.d.timeArg(s.now()), "", "text", false,
				"again", int64(uint64(f)), nil, nil, 0, nil}, f, true)
			return err
		})
		if err == nil {
			t.Fatal("a conflicting insert returned an id")
		}
		var n int
		if err := s.reader().queryRow(ctx, `SELECT count(*) FROM article_bands`).Scan(&n); err != nil || n != bucketSize*len(f.BandKeys()) {
			t.Fatalf("%d band rows after a conflicting insert (%v), want %d", n, err, bucketSize*len(f.BandKeys()))
		}
	})
}
