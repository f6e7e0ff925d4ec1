package store

// Backup and restore (issue 7): one portable, logical archive for both
// dialects, so the same path backs up a live desk, restores it, and moves it
// from SQLite to PostgreSQL and back.
//
// The archive is gzip'd JSON lines:
//
//	{"format":"legists-backup","version":1,"created_at":..., "dialect":"sqlite",
//	 "schema_version":3,"migrations":[1,2,3],"tables":[{"name":"briefs","rows":2},...],"rows":N}
//	{"table":"briefs","rows":2,"columns":[{"name":"id","type":"INTEGER","kind":"int"},...]}
//	[1,"a-slug",...]                   one JSON array a row, values in column order
//	[2,"another",...]
//	{"table":"brief_sources",...}
//	...
//	{"end":true,"rows":N}
//
// Values: null, numbers (integers exact, as written), strings, true/false;
// times are strings in UTC to the microsecond ("2025-06-01T12:00:00.000000Z",
// the SQLite storage format), JSON columns are their text as a string, and
// binary columns (kind "bytes") are standard base64.
//
// Backup reads every table in one read transaction: a snapshot (SQLite's
// read transaction on a WAL database; PostgreSQL REPEATABLE READ READ ONLY),
// so the archive of a live system is consistent. Tables are discovered from
// the schema (sqlite_master, pg_catalog), so tables added by later
// migrations are covered without touching this file; goose's version table,
// SQLite's own tables, FTS5 virtual tables with their shadow tables and
// PostgreSQL's brief_search are left out (search indexes are refilled or
// rebuilt on restore), and so are generated columns. Tables come in foreign-key order, rows in
// primary-key order.
//
// Restore runs in one write transaction, all or nothing: it refuses a
// database that holds any row unless Force (then it empties every table
// first, in the same transaction), checks that this binary knows every
// migration the archive's schema had, converts each value by the type of the
// target column (timestamptz from time text, jsonb from JSON text, boolean
// from 0/1, bytea from base64, integers from digits, ...), verifies every
// count against the header and the end line, resets PostgreSQL's identity
// sequences and rebuilds SQLite's external-content FTS5 indexes. A
// truncated or corrupt archive restores nothing, and the error names the
// archive line and table where it broke.

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// Archive format identifiers.
const (
	ArchiveFormat  = "legists-backup"
	ArchiveVersion = 1
)

// gooseTable is goose's version table (goose's default name).
const gooseTable = "goose_db_version"

// searchTable is the search index (migrations 00012_brief_search),
// derived from briefs by triggers: FTS5 in SQLite, a table in PostgreSQL.
const searchTable = "brief_search"

// notArchived reports the tables a backup leaves out: goose's version
// table, the job queue's own tables (river_*), which are the queue's
// state, not the site's, and which a fresh database creates when it first
// runs the queue, and the search index, which a restore refills as it
// inserts the briefs (briefs' triggers).
func notArchived(name string) bool {
	name = strings.ToLower(name)
	return name == gooseTable || strings.HasPrefix(name, "river_") || name == searchTable
}

// ErrNotEmpty is returned by Restore when the target database holds rows and
// RestoreOptions.Force is false.
var ErrNotEmpty = errors.New("the database is not empty")

// ErrArchive is wrapped by every error about the archive itself: not an
// archive, truncated, corrupt, or made by a newer schema.
var ErrArchive = errors.New("bad archive")

// errDryRun rolls back a dry-run restore.
var errDryRun = errors.New("dry run")

// ArchiveHeader is the first line of an archive.
type ArchiveHeader struct {
	Format    string    `json:"format"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	// Dialect is the database the archive was taken from.
	Dialect string `json:"dialect"`
	// SchemaVersion is the newest applied goose migration; Migrations every
	// applied one.
	SchemaVersion int64          `json:"schema_version"`
	Migrations    []int64        `json:"migrations"`
	Tables        []ArchiveTable `json:"tables"`
	// Rows is the number of rows of all tables.
	Rows int64 `json:"rows"`
}

// ArchiveTable is a table of an archive and its row count.
type ArchiveTable struct {
	Name string `json:"name"`
	Rows int64  `json:"rows"`
}

// archiveTableHeader opens a table's rows.
type archiveTableHeader struct {
	Table   string          `json:"table"`
	Rows    int64           `json:"rows"`
	Columns []archiveColumn `json:"columns"`
}

type archiveColumn struct {
	Name string `json:"name"`
	// Type is the declared type in the source database (informative).
	Type string `json:"type"`
	// Kind is how values are written: int, float, bool, time, json, bytes,
	// text or numeric (see kind constants).
	Kind string `json:"kind"`
}

// archiveEnd is the last line.
type archiveEnd struct {
	End  bool  `json:"end"`
	Rows int64 `json:"rows"`
}

// Column kinds: the portable meaning of a column's type.
const (
	kindInt     = "int"
	kindFloat   = "float"
	kindBool    = "bool"
	kindTime    = "time"
	kindJSON    = "json"
	kindBytes   = "bytes"
	kindText    = "text"
	kindNumeric = "numeric" // SQLite NUMERIC affinity, PostgreSQL numeric: a number or its text
	kindSkip    = ""        // derived data left out (tsvector)
)

// Progress is told, now and then, how far a backup or a restore has got:
// the table being copied, the rows copied so far (all tables) and the total.
type Progress func(table string, done, total int64)

// BackupOptions qualify a backup.
type BackupOptions struct {
	Progress Progress
	// GzipLevel is the compression level (gzip.DefaultCompression when 0).
	GzipLevel int
}

// RestoreOptions qualify a restore.
type RestoreOptions struct {
	// Force empties a database that holds rows before restoring into it
	// (in the same transaction: a failed restore keeps the old rows).
	Force bool
	// DryRun restores and rolls back: it checks that the archive would
	// restore into this database, and changes nothing.
	DryRun   bool
	Progress Progress
}

// progressEvery is how many rows pass between Progress calls.
const progressEvery = 2000

// ---- Backup ----

func asDB(st Store) (*db, error) {
	s, ok := st.(*db)
	if !ok {
		return nil, fmt.Errorf("store: backup and restore need a store made by store.Open, not %T", st)
	}
	return s, nil
}

// Backup writes a consistent archive of every table of st to w (see the
// top of this file for the format) and returns its header.
func Backup(ctx context.Context, st Store, w io.Writer, opts BackupOptions) (*ArchiveHeader, error) {
	s, err := asDB(st)
	if err != nil {
		return nil, err
	}
	level := opts.GzipLevel
	if level == 0 {
		level = gzip.DefaultCompression
	}
	gz, err := gzip.NewWriterLevel(w, level)
	if err != nil {
		return nil, fmt.Errorf("store: backup: %w", err)
	}
	bw := bufio.NewWriterSize(gz, 256<<10)
	var h *ArchiveHeader
	err = s.read(ctx, func(tx runner) error {
		var err error
		h, err = s.backup(ctx, tx, bw, opts.Progress)
		return err
	})
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = gz.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("store: backup: %w", err)
	}
	return h, nil
}

func (s *db) backup(ctx context.Context, tx runner, w io.Writer, progress Progress) (*ArchiveHeader, error) {
	// The first statement fixes the snapshot: everything below reads it.
	si, err := s.inspect(ctx, tx)
	if err != nil {
		return nil, err
	}
	h := &ArchiveHeader{
		Format:    ArchiveFormat,
		Version:   ArchiveVersion,
		CreatedAt: normTime(s.now()),
		Dialect:   s.d.name,
	}
	if h.Migrations, err = appliedMigrations(ctx, tx); err != nil {
		return nil, fmt.Errorf("read the schema version: %w", err)
	}
	h.Migrations = append([]int64{}, h.Migrations...)
	if n := len(h.Migrations); n > 0 {
		h.SchemaVersion = h.Migrations[n-1]
	}
	for _, t := range si.tables {
		var n int64
		if err := tx.queryRow(ctx, `SELECT count(*) FROM `+quoteIdent(t.name)).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", t.name, err)
		}
		h.Tables = append(h.Tables, ArchiveTable{Name: t.name, Rows: n})
		h.Rows += n
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(h); err != nil {
		return nil, err
	}
	var done int64
	for i, t := range si.tables {
		th := archiveTableHeader{Table: t.name, Rows: h.Tables[i].Rows}
		sel := make([]string, len(t.columns))
		for j, c := range t.columns {
			th.Columns = append(th.Columns, archiveColumn{Name: c.name, Type: c.typ, Kind: c.kind})
			sel[j] = quoteIdent(c.name)
			if s.d.name == dialectPostgres && (c.kind == kindJSON || c.kind == kindText || c.kind == kindNumeric) && c.typ != "text" {
				sel[j] += "::text"
			}
		}
		if err := enc.Encode(th); err != nil {
			return nil, err
		}
		q := `SELECT ` + strings.Join(sel, ", ") + ` FROM ` + quoteIdent(t.name)
		if len(t.pk) > 0 {
			order := make([]string, len(t.pk))
			for j, c := range t.pk {
				order[j] = quoteIdent(c)
			}
			q += ` ORDER BY ` + strings.Join(order, ", ")
		}
		rows, err := tx.query(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", t.name, err)
		}
		vals := make([]any, len(t.columns))
		ptrs := make([]any, len(t.columns))
		for j := range vals {
			ptrs[j] = &vals[j]
		}
		out := make([]any, len(t.columns))
		var n int64
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read %s: %w", t.name, err)
			}
			for j, v := range vals {
				if out[j], err = archiveValue(v, t.columns[j].kind); err != nil {
					rows.Close()
					return nil, fmt.Errorf("read %s row %d column %s: %w", t.name, n+1, t.columns[j].name, err)
				}
			}
			if err := enc.Encode(out); err != nil {
				rows.Close()
				return nil, err
			}
			n++
			done++
			if progress != nil && done%progressEvery == 0 {
				progress(t.name, done, h.Rows)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read %s: %w", t.name, err)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if n != th.Rows {
			// Cannot happen in a snapshot; never write an archive that
			// would not restore.
			return nil, fmt.Errorf("read %s: counted %d rows, read %d: the read was not a snapshot", t.name, th.Rows, n)
		}
		if progress != nil {
			progress(t.name, done, h.Rows)
		}
	}
	if err := enc.Encode(archiveEnd{End: true, Rows: done}); err != nil {
		return nil, err
	}
	return h, nil
}

// archiveValue is how a scanned value is written in the archive.
func archiveValue(v any, kind string) (any, error) {
	switch v := v.(type) {
	case nil, int64, bool:
		return v, nil
	case int:
		return int64(v), nil
	case int32:
		return int64(v), nil
	case int16:
		return int64(v), nil
	case float32:
		return archiveFloat(float64(v)), nil
	case float64:
		return archiveFloat(v), nil
	case time.Time:
		return normTime(v).Format(sqliteTimeFormat), nil
	case []byte:
		if kind == kindBytes {
			return base64.StdEncoding.EncodeToString(v), nil
		}
		return string(v), nil
	case string:
		if kind == kindBytes {
			return base64.StdEncoding.EncodeToString([]byte(v)), nil
		}
		return v, nil
	}
	return nil, fmt.Errorf("cannot archive a value of type %T", v)
}

// archiveFloat writes NaN and infinities, which JSON lacks, as strings.
func archiveFloat(f float64) any {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	}
	return f
}
