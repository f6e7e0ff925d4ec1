package store

import (
	"context"
	"testing"
)

// The PostgreSQL column kinds read from the migrations (what a SQLite
// restore checks values against) agree with what PostgreSQL itself reports
// (when LEGISTS_TEST_POSTGRES is set), and cover every table SQLite has.
func TestPostgresColumnKinds(t *testing.T) {
	kinds, err := postgresColumnKinds()
	if err != nil {
		t.Fatal(err)
	}
	for table, col := range map[string]string{"briefs": "published_at", "users": "created_at", "api_tokens": "expires_at", "audit_log": "at"} {
		if kinds[table][col] != kindTime {
			t.Errorf("%s.%s: %q, want time", table, col, kinds[table][col])
		}
	}
	if kinds["users"]["disabled"] != kindBool || kinds["users"]["id"] != kindInt || kinds["users"]["email"] != kindText {
		t.Errorf("users: %v", kinds["users"])
	}
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s *db) {
		var err error
		err = s.read(ctx, func(tx runner) error {
			si, err := s.inspect(ctx, tx)
			if err != nil {
				return err
			}
			for _, tb := range si.tables {
				for _, c := range tb.columns {
					k, ok := kinds[tb.name][c.name]
					if !ok {
						t.Errorf("%s.%s: not in the PostgreSQL migrations", tb.name, c.name)
						continue
					}
					if s.d.name == "postgres" && k != c.kind {
						t.Errorf("%s.%s: %q from the migrations, %q from PostgreSQL", tb.name, c.name, k, c.kind)
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
