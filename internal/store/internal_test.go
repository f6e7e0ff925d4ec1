package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"legists/internal/brief"
)

func TestFTS5Query(t *testing.T) {
	for q, want := range map[string]string{
		"":                       "",
		"sanctions":              `"sanctions"`,
		"EU sanctions":           `"EU" AND "sanctions"`,
		`"chip makers" merger`:   `"chip makers" AND "merger"`,
		"merger or pipeline":     `("merger" OR "pipeline")`,
		"a OR b c":               `("a" OR "b") AND "c"`,
		"or a":                   `"a"`,
		"a or":                   `"a"`,
		"sanctions -fisheries":   `("sanctions") NOT "fisheries"`,
		`x -"a b"`:               `("x") NOT "a b"`,
		"-only":                  "",
		`"`:                      "",
		`"unterminated phrase`:   `"unterminated phrase"`,
		"AND OR NOT":             `("AND" OR "NOT")`,
		"*":                      "",
		"sanc*":                  `"sanc*"`,
		"Russia's":               `"Russia's"`,
		"😀":                      "",
		"😀 eu":                   `"eu"`,
		"NEAR(a b)":              `"NEAR(a" AND "b)"`,
		"title:x":                `"title:x"`,
		`a"b`:                    `"a" AND "b"`,
		"- -":                    "",
		"co-operation":           `"co-operation"`,
		"  spaced\tout\n words ": `"spaced" AND "out" AND "words"`,
	} {
		if got := fts5Query(q); got != want {
			t.Errorf("fts5Query(%q) = %s, want %s", q, got, want)
		}
	}
}

func TestRebind(t *testing.T) {
	d := newPostgresDialect()
	for q, want := range map[string]string{
		"SELECT ? , ?":                   "SELECT $1 , $2",
		"SELECT '?', \"?\", ? -- ?\n, ?": "SELECT '?', \"?\", $1 -- ?\n, $2",
		"SELECT 'it''s ?', ?":            "SELECT 'it''s ?', $1",
	} {
		if got := d.rebind(q); got != want {
			t.Errorf("rebind(%q) = %q, want %q", q, got, want)
		}
		if got := d.rebind(q); got != want {
			t.Errorf("cached rebind(%q) = %q", q, got)
		}
	}
	if got := newSQLiteDialect().rebind("SELECT ?"); got != "SELECT ?" {
		t.Errorf("sqlite rebind: %q", got)
	}
}

func TestMigrationFilesMatch(t *testing.T) {
	a, err := migrationNames(newSQLiteDialect())
	if err != nil {
		t.Fatal(err)
	}
	b, err := migrationNames(newPostgresDialect())
	if err != nil {
		t.Fatal(err)
	}
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("sqlite %v, postgres %v", a, b)
	}
	for i := range a {
		if a[i] != b[i] {
			t.Errorf("sqlite has %s where postgres has %s", a[i], b[i])
		}
	}
}

// testDSNs returns the DSNs to run internal tests on: a SQLite file, and a
// fresh PostgreSQL schema when LEGISTS_TEST_POSTGRES is set.
func testDSNs(t *testing.T) map[string]string {
	out := map[string]string{"sqlite": "sqlite:" + filepath.Join(t.TempDir(), "x.db")}
	base := os.Getenv("LEGISTS_TEST_POSTGRES")
	if base == "" {
		return out
	}
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	schema := "legists_itest_" + hex.EncodeToString(rnd[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Error(err)
		}
	})
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	out["postgres"] = u.String()
	return out
}

func TestMigrateTwiceIsNoop(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s *db) {
		v1, err := schemaVersion(ctx, s.d, s.w)
		if err != nil {
			t.Fatal(err)
		}
		if err := migrate(ctx, s.d, s.w, "again"); err != nil {
			t.Fatal(err)
		}
		v2, err := schemaVersion(ctx, s.d, s.w)
		if err != nil || v1 != v2 || v1 < 1 {
			t.Fatalf("versions %d then %d, %v", v1, v2, err)
		}
		var n int
		if err := s.w.QueryRowContext(ctx, `SELECT count(*) FROM goose_db_version WHERE version_id = 1`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("version 1 recorded %d times, %v", n, err)
		}
	})
}

// TestFailureMidTransaction makes the last statement of an update fail
// (a trigger on brief_revisions) and checks nothing of it remains.
func TestFailureMidTransaction(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, s *db) {
		b := &brief.Brief{Slug: "atomic", Title: "Before", Status: brief.StatusPublished,
			Sections: []brief.Section{{Heading: brief.HeadingHappened, Paragraphs: []brief.Paragraph{{Text: "Original text about tariffs."}}}},
			Firms:    []string{"Old Firm"}, Sources: []brief.Source{{N: 1, URL: "https://a"}}}
		if _, err := s.SaveBrief(ctx, b, SaveOptions{}); err != nil {
			t.Fatal(err)
		}
		fail := []string{`CREATE TRIGGER fail_revision BEFORE INSERT ON brief_revisions BEGIN SELECT RAISE(ABORT, 'boom'); END`}
		if s.d.name == "postgres" {
			fail = []string{
				`CREATE FUNCTION fail_revision() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'boom'; END $$`,
				`CREATE TRIGGER fail_revision BEFORE INSERT ON brief_revisions FOR EACH ROW EXECUTE FUNCTION fail_revision()`,
			}
		}
		for _, q := range fail {
			if _, err := s.w.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		changed := *b
		changed.Title = "After"
		changed.Sections = []brief.Section{{Heading: brief.HeadingHappened, Paragraphs: []brief.Paragraph{{Text: "Replaced text about quotas."}}}}
		changed.Firms = []string{"New Firm"}
		changed.Sources = []brief.Source{{N: 1, URL: "https://b"}, {N: 2, URL: "https://c"}}
		if _, err := s.SaveBrief(ctx, &changed, SaveOptions{}); err == nil {
			t.Fatal("save succeeded despite the failing trigger")
		} else if errors.Is(err, ErrInvalid) {
			t.Fatalf("database failure reported as ErrInvalid: %v", err)
		}
		got, err := s.GetBrief(ctx, "atomic")
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != "Before" || got.Firms[0] != "Old Firm" || len(got.Sources) != 1 || got.Sources[0].URL != "https://a" ||
			got.Sections[0].Paragraphs[0].Text != "Original text about tariffs." {
			t.Fatalf("half-saved brief: %+v", got)
		}
		for q, want := range map[string]int{"tariffs": 1, "quotas": 0} {
			res, err := s.SearchBriefs(ctx, SearchQuery{Q: q})
			if err != nil || res.Total != want {
				t.Errorf("search %q: %d hits, %v", q, res.Total, err)
			}
		}
		// A new brief fails whole too.
		other := changed
		other.Slug = "never"
		if _, err := s.SaveBrief(ctx, &other, SaveOptions{}); err == nil {
			t.Fatal("save succeeded")
		}
		if _, err := s.GetBrief(ctx, "never"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("half-created brief: %v", err)
		}
	})
}

func TestCanonicalHash(t *testing.T) {
	at := time.Date(2024, 1, 2, 3, 4, 5, 6789, time.FixedZone("X", 3600))
	a := &brief.Brief{Slug: "h", PublishedAt: &at, Sources: []brief.Source{{N: 2}, {N: 1}}}
	utc := at.UTC().Truncate(time.Microsecond)
	b := &brief.Brief{Slug: "h", Status: brief.StatusDraft, PublishedAt: &utc, Sources: []brief.Source{{N: 1}, {N: 2}},
		Firms: []string{}, Sections: []brief.Section{}, UpdatedAt: time.Now()}
	_, _, ha, err := canonicalBrief(a)
	if err != nil {
		t.Fatal(err)
	}
	_, _, hb, err := canonicalBrief(b)
	if err != nil {
		t.Fatal(err)
	}
	if ha != hb {
		t.Errorf("equivalent briefs hash differently")
	}
	b.Byline = "x"
	if _, _, hc, _ := canonicalBrief(b); hc == hb {
		t.Errorf("byline change not in hash")
	}
}

func TestLeadSnippet(t *testing.T) {
	b := &brief.Brief{Sections: []brief.Section{{Paragraphs: []brief.Paragraph{{Text: "One two three."}, {Text: "Four five six seven eight nine ten eleven."}}}}}
	if got := leadSnippet(b, 200); got != "One two three. Four five six seven eight nine ten eleven." {
		t.Errorf("%q", got)
	}
	if got := leadSnippet(b, 20); got != "One two three. Four…" {
		t.Errorf("%q", got)
	}
}

// eachStore runs fn on a fresh store of each database testDSNs gives
// (SQLite always, PostgreSQL when LEGISTS_TEST_POSTGRES is set), as a
// subtest named after it.
func eachStore(t *testing.T, fn func(t *testing.T, s *db)) {
	t.Helper()
	for name, dsn := range testDSNs(t) {
		t.Run(name, func(t *testing.T) {
			s, err := open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			fn(t, s)
		})
	}
}
