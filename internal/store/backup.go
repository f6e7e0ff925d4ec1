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
// SQLite's own tables and FTS5 virtual tables with their shadow tables are
// left out (search indexes are rebuilt on restore), and so are generated
// columns (PostgreSQL's tsvector). Tables come in foreign-key order, rows in
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
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
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

// notArchived reports the tables a backup leaves out: goose's version
// table and the job queue's own tables (river_*), which are the queue's
// state, not the site's, and which a fresh database creates when it first
// runs the queue.
func notArchived(name string) bool {
	name = strings.ToLower(name)
	return name == gooseTable || strings.HasPrefix(name, "river_")
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

// ---- Schema introspection ----

type columnInfo struct {
	name string
	typ  string // declared type (SQLite) or data type (PostgreSQL)
	kind string
	// serial: PostgreSQL identity or serial column (its sequence is reset
	// after a restore).
	serial bool
	// identityAlways: GENERATED ALWAYS AS IDENTITY (the insert needs
	// OVERRIDING SYSTEM VALUE).
	identityAlways bool
}

type tableInfo struct {
	name    string
	columns []columnInfo // generated and hidden columns left out
	pk      []string
	refs    []string // tables its foreign keys reference (itself excluded)
}

func (t *tableInfo) column(name string) *columnInfo {
	for i := range t.columns {
		if t.columns[i].name == name {
			return &t.columns[i]
		}
	}
	for i := range t.columns {
		if strings.EqualFold(t.columns[i].name, name) {
			return &t.columns[i]
		}
	}
	return nil
}

type schemaInfo struct {
	tables []*tableInfo // in foreign-key order: referenced tables first
	// fts are SQLite FTS5 tables with external content, rebuilt after a
	// restore.
	fts []string
}

func (si *schemaInfo) table(name string) *tableInfo {
	for _, t := range si.tables {
		if t.name == name {
			return t
		}
	}
	for _, t := range si.tables {
		if strings.EqualFold(t.name, name) {
			return t
		}
	}
	return nil
}

// quoteIdent quotes an SQL identifier (both dialects).
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// inspect reads the schema of the database: every table that holds data,
// its columns, primary key and foreign keys.
func (s *db) inspect(ctx context.Context, tx runner) (*schemaInfo, error) {
	var (
		si  *schemaInfo
		err error
	)
	if s.d.name == dialectSQLite {
		si, err = inspectSQLite(ctx, tx)
	} else {
		si, err = inspectPostgres(ctx, tx)
	}
	if err != nil {
		return nil, fmt.Errorf("read the schema: %w", err)
	}
	si.tables = sortByReferences(si.tables)
	return si, nil
}

var ftsContentRE = regexp.MustCompile(`(?i)\bcontent\s*=\s*(?:'([^']*)'|"([^"]*)"|([A-Za-z_][A-Za-z0-9_]*))`)

func inspectSQLite(ctx context.Context, tx runner) (*schemaInfo, error) {
	rows, err := tx.query(ctx, `SELECT name, coalesce(sql, '') FROM sqlite_master WHERE type = 'table' ORDER BY rowid`)
	if err != nil {
		return nil, err
	}
	type master struct{ name, sql string }
	var all []master
	var virtual []string
	si := &schemaInfo{}
	for rows.Next() {
		var m master
		if err := rows.Scan(&m.name, &m.sql); err != nil {
			rows.Close()
			return nil, err
		}
		all = append(all, m)
		head := strings.ToUpper(strings.Join(strings.Fields(m.sql), " "))
		if strings.HasPrefix(head, "CREATE VIRTUAL TABLE") {
			virtual = append(virtual, m.name)
			if strings.Contains(head, "USING FTS5") {
				if c := ftsContentRE.FindStringSubmatch(m.sql); c != nil && c[1]+c[2]+c[3] != "" {
					si.fts = append(si.fts, m.name)
				}
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, m := range all {
		if strings.HasPrefix(strings.ToLower(m.name), "sqlite_") || notArchived(m.name) ||
			slices.ContainsFunc(virtual, func(v string) bool {
				return strings.EqualFold(m.name, v) || strings.HasPrefix(strings.ToLower(m.name), strings.ToLower(v)+"_")
			}) {
			continue
		}
		t := &tableInfo{name: m.name}
		type pkCol struct {
			name string
			pos  int
		}
		var pks []pkCol
		crows, err := tx.query(ctx, `SELECT name, coalesce(type, ''), pk, hidden FROM pragma_table_xinfo(?) ORDER BY cid`, m.name)
		if err != nil {
			return nil, err
		}
		for crows.Next() {
			var (
				c          columnInfo
				pk, hidden int
			)
			if err := crows.Scan(&c.name, &c.typ, &pk, &hidden); err != nil {
				crows.Close()
				return nil, err
			}
			if hidden != 0 { // generated, or a hidden column of a virtual table
				continue
			}
			c.kind = sqliteKind(c.typ)
			t.columns = append(t.columns, c)
			if pk > 0 {
				pks = append(pks, pkCol{c.name, pk})
			}
		}
		crows.Close()
		if err := crows.Err(); err != nil {
			return nil, err
		}
		slices.SortFunc(pks, func(a, b pkCol) int { return a.pos - b.pos })
		for _, p := range pks {
			t.pk = append(t.pk, p.name)
		}
		frows, err := tx.query(ctx, `SELECT DISTINCT "table" FROM pragma_foreign_key_list(?)`, m.name)
		if err != nil {
			return nil, err
		}
		for frows.Next() {
			var ref string
			if err := frows.Scan(&ref); err != nil {
				frows.Close()
				return nil, err
			}
			if !strings.EqualFold(ref, m.name) {
				t.refs = append(t.refs, ref)
			}
		}
		frows.Close()
		if err := frows.Err(); err != nil {
			return nil, err
		}
		si.tables = append(si.tables, t)
	}
	return si, nil
}

// sqliteKind maps a declared type to a kind by SQLite's affinity rules
// (with BOOL and DATE/TIME declarations read as such).
func sqliteKind(typ string) string {
	u := strings.ToUpper(typ)
	switch {
	case strings.Contains(u, "INT"):
		return kindInt
	case strings.Contains(u, "CHAR"), strings.Contains(u, "CLOB"), strings.Contains(u, "TEXT"):
		return kindText
	case strings.Contains(u, "BLOB"), u == "":
		return kindBytes
	case strings.Contains(u, "REAL"), strings.Contains(u, "FLOA"), strings.Contains(u, "DOUB"):
		return kindFloat
	case strings.Contains(u, "BOOL"):
		return kindBool
	case strings.Contains(u, "DATE"), strings.Contains(u, "TIME"):
		return kindTime
	}
	return kindNumeric
}

func inspectPostgres(ctx context.Context, tx runner) (*schemaInfo, error) {
	si := &schemaInfo{}
	rows, err := tx.query(ctx, `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
		ORDER BY c.oid`)
	if err != nil {
		return nil, err
	}
	byName := map[string]*tableInfo{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return nil, err
		}
		if notArchived(name) {
			continue
		}
		t := &tableInfo{name: name}
		si.tables = append(si.tables, t)
		byName[name] = t
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	rows, err = tx.query(ctx, `SELECT table_name, column_name, data_type, is_generated, is_identity,
			coalesce(identity_generation, ''), coalesce(column_default, '')
		FROM information_schema.columns WHERE table_schema = current_schema()
		ORDER BY table_name, ordinal_position`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var table, name, typ, generated, identity, identityGen, def string
		if err := rows.Scan(&table, &name, &typ, &generated, &identity, &identityGen, &def); err != nil {
			rows.Close()
			return nil, err
		}
		t := byName[table]
		if t == nil || generated == "ALWAYS" {
			continue
		}
		c := columnInfo{name: name, typ: typ, kind: postgresKind(typ)}
		if c.kind == kindSkip {
			continue
		}
		c.serial = identity == "YES" || strings.HasPrefix(def, "nextval(")
		c.identityAlways = identity == "YES" && identityGen == "ALWAYS"
		t.columns = append(t.columns, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	rows, err = tx.query(ctx, `SELECT c.relname, a.attname FROM pg_index i
		JOIN pg_class c ON c.oid = i.indrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY (i.indkey)
		WHERE i.indisprimary AND n.nspname = current_schema()
		ORDER BY c.relname, array_position(i.indkey::int2[], a.attnum)`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			rows.Close()
			return nil, err
		}
		if t := byName[table]; t != nil {
			t.pk = append(t.pk, col)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	rows, err = tx.query(ctx, `SELECT DISTINCT c.relname, r.relname FROM pg_constraint k
		JOIN pg_class c ON c.oid = k.conrelid
		JOIN pg_class r ON r.oid = k.confrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE k.contype = 'f' AND n.nspname = current_schema()`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var table, ref string
		if err := rows.Scan(&table, &ref); err != nil {
			rows.Close()
			return nil, err
		}
		if t := byName[table]; t != nil && ref != table {
			t.refs = append(t.refs, ref)
		}
	}
	rows.Close()
	return si, rows.Err()
}

// postgresKind maps information_schema's data_type to a kind.
func postgresKind(typ string) string {
	switch typ {
	case "smallint", "integer", "bigint":
		return kindInt
	case "real", "double precision":
		return kindFloat
	case "boolean":
		return kindBool
	case "timestamp with time zone", "timestamp without time zone":
		return kindTime
	case "json", "jsonb":
		return kindJSON
	case "bytea":
		return kindBytes
	case "numeric":
		return kindNumeric
	case "tsvector", "tsquery":
		return kindSkip
	}
	return kindText // text, varchar, char, date, uuid, ...: their text form
}

// sortByReferences orders tables so that every table comes after the tables
// its foreign keys reference, keeping the schema's order otherwise. Tables
// in a cycle keep their order.
func sortByReferences(tables []*tableInfo) []*tableInfo {
	known := map[string]bool{}
	for _, t := range tables {
		known[strings.ToLower(t.name)] = true
	}
	placed := map[string]bool{}
	out := make([]*tableInfo, 0, len(tables))
	rest := slices.Clone(tables)
	for len(rest) > 0 {
		pick := 0 // a cycle: take the first
		for i, t := range rest {
			ready := true
			for _, r := range t.refs {
				r = strings.ToLower(r)
				if known[r] && !placed[r] {
					ready = false
					break
				}
			}
			if ready {
				pick = i
				break
			}
		}
		t := rest[pick]
		out = append(out, t)
		placed[strings.ToLower(t.name)] = true
		rest = slices.Delete(rest, pick, pick+1)
	}
	return out
}

// appliedMigrations reads goose's version table: every applied version
// (0, goose's own first row, left out), ascending.
func appliedMigrations(ctx context.Context, tx runner) ([]int64, error) {
	rows, err := tx.query(ctx, `SELECT version_id, is_applied FROM `+gooseTable+` ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	applied := map[int64]bool{}
	for rows.Next() {
		var (
			v  int64
			ok bool
		)
		if err := rows.Scan(&v, &ok); err != nil {
			return nil, err
		}
		applied[v] = ok
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []int64
	for v, ok := range applied {
		if ok && v > 0 {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out, nil
}

// knownMigrations are the versions of the migrations embedded for d.
func knownMigrations(d *dialect) ([]int64, error) {
	names, err := migrationNames(d)
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, n := range names {
		digits := n[:len(n)-len(strings.TrimLeft(n, "0123456789"))]
		if v, err := strconv.ParseInt(digits, 10, 64); err == nil && v > 0 {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out, nil
}

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

// ---- Restore ----

// Restore reads an archive written by Backup and loads it into st in one
// transaction. st's schema must be migrated (store.Open does that) and know
// every migration the archive's schema had. It refuses a database that
// holds any row unless opts.Force. It returns the archive's header.
func Restore(ctx context.Context, st Store, r io.Reader, opts RestoreOptions) (*ArchiveHeader, error) {
	s, err := asDB(st)
	if err != nil {
		return nil, err
	}
	ar, err := newArchiveReader(r)
	if err != nil {
		return nil, fmt.Errorf("store: restore: %w", err)
	}
	h, err := ar.header()
	if err != nil {
		return nil, fmt.Errorf("store: restore: %w", err)
	}
	known, err := knownMigrations(s.d)
	if err != nil {
		return nil, fmt.Errorf("store: restore: %w", err)
	}
	if err := checkSchema(h, known); err != nil {
		return nil, fmt.Errorf("store: restore: %w", err)
	}
	var si *schemaInfo
	err = s.write(ctx, func(tx runner) error {
		var err error
		if si, err = s.restore(ctx, tx, ar, h, opts); err != nil {
			return err
		}
		if opts.DryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		return h, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: restore: %w", err)
	}
	s.analyze(ctx, si)
	return h, nil
}

// checkSchema refuses an archive of a schema newer than this binary's.
func checkSchema(h *ArchiveHeader, known []int64) error {
	var newest int64
	if len(known) > 0 {
		newest = known[len(known)-1]
	}
	for _, v := range h.Migrations {
		if !slices.Contains(known, v) {
			return fmt.Errorf("%w: the archive's schema has migration %d, which this legists does not know (schema version %d, this binary's %d): restore with the legists that made it, or a newer one",
				ErrArchive, v, h.SchemaVersion, newest)
		}
	}
	if h.SchemaVersion > newest {
		return fmt.Errorf("%w: the archive's schema version %d is newer than this binary's %d", ErrArchive, h.SchemaVersion, newest)
	}
	return nil
}

func (s *db) restore(ctx context.Context, tx runner, ar *archiveReader, h *ArchiveHeader, opts RestoreOptions) (*schemaInfo, error) {
	if s.d.name == dialectSQLite {
		// Foreign keys are checked at commit, so rows that reference a row
		// later in the archive (or in a cycle) load.
		if _, err := tx.exec(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
			return nil, err
		}
	} else {
		// Effective only for constraints declared DEFERRABLE.
		if _, err := tx.exec(ctx, `SET CONSTRAINTS ALL DEFERRED`); err != nil {
			return nil, err
		}
	}
	si, err := s.inspect(ctx, tx)
	if err != nil {
		return nil, err
	}
	// Every table of the archive must exist here, with every column.
	for _, at := range h.Tables {
		if si.table(at.Name) == nil {
			return nil, fmt.Errorf("%w: table %q of the archive does not exist in this database", ErrArchive, at.Name)
		}
	}
	if err := s.emptyTarget(ctx, tx, si, opts.Force); err != nil {
		return nil, err
	}

	var done int64
	for _, at := range h.Tables {
		th, err := ar.tableHeader()
		if err != nil {
			return nil, err
		}
		if th.Table != at.Name || th.Rows != at.Rows {
			return nil, ar.errorf("", "%w: expected table %q with %d rows, found table %q with %d", ErrArchive, at.Name, at.Rows, th.Table, th.Rows)
		}
		t := si.table(th.Table)
		ins, err := s.newInserter(t, th)
		if err != nil {
			return nil, ar.errorf(th.Table, "%w", err)
		}
		for n := int64(0); n < th.Rows; n++ {
			row, err := ar.row(th, n)
			if err != nil {
				return nil, err
			}
			args, err := ins.convert(row)
			if err != nil {
				return nil, ar.errorf(th.Table, "%w: row %d of %d: %w", ErrArchive, n+1, th.Rows, err)
			}
			if err := ins.add(ctx, tx, args, ar.line); err != nil {
				return nil, err
			}
			done++
			if opts.Progress != nil && done%progressEvery == 0 {
				opts.Progress(th.Table, done, h.Rows)
			}
		}
		if err := ins.flush(ctx, tx); err != nil {
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if opts.Progress != nil {
			opts.Progress(th.Table, done, h.Rows)
		}
	}
	if err := ar.end(done); err != nil {
		return nil, err
	}
	if err := s.afterRestore(ctx, tx, si); err != nil {
		return nil, err
	}
	if err := s.reindexLaw(ctx, tx); err != nil { // an archive from before the index (law.go)
		return nil, fmt.Errorf("rebuild the legal reference index: %w", err)
	}
	return si, nil
}

// emptyTarget refuses a database that holds rows, or empties it when force.
func (s *db) emptyTarget(ctx context.Context, tx runner, si *schemaInfo, force bool) error {
	var full []string
	for _, t := range si.tables {
		var one int
		err := tx.queryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+quoteIdent(t.name)+` LIMIT 1) x`).Scan(&one)
		if err != nil {
			return fmt.Errorf("check %s is empty: %w", t.name, err)
		}
		if one > 0 {
			full = append(full, t.name)
		}
	}
	if len(full) == 0 {
		return nil
	}
	if !force {
		return fmt.Errorf("%w: rows in %s (restore with Force to replace them)", ErrNotEmpty, strings.Join(full, ", "))
	}
	if s.d.name == dialectPostgres {
		names := make([]string, len(si.tables))
		for i, t := range si.tables {
			names[i] = quoteIdent(t.name)
		}
		if _, err := tx.exec(ctx, `TRUNCATE TABLE `+strings.Join(names, ", ")+` RESTART IDENTITY`); err != nil {
			return fmt.Errorf("empty the database: %w", err)
		}
		return nil
	}
	// SQLite: referencing tables first (foreign keys are deferred anyway);
	// the FTS triggers keep the index in step and it is rebuilt at the end.
	for i := len(si.tables) - 1; i >= 0; i-- {
		if _, err := tx.exec(ctx, `DELETE FROM `+quoteIdent(si.tables[i].name)); err != nil {
			return fmt.Errorf("empty %s: %w", si.tables[i].name, err)
		}
	}
	return nil
}

// afterRestore resets PostgreSQL's sequences past the restored ids, rebuilds
// SQLite's search indexes and checks SQLite's foreign keys (so that a
// violation names its table instead of failing the commit).
func (s *db) afterRestore(ctx context.Context, tx runner, si *schemaInfo) error {
	if s.d.name == dialectPostgres {
		for _, t := range si.tables {
			for _, c := range t.columns {
				if !c.serial {
					continue
				}
				q := `SELECT setval(pg_get_serial_sequence(?, ?), coalesce((SELECT max(` + quoteIdent(c.name) + `) FROM ` + quoteIdent(t.name) + `), 0) + 1, false)`
				if _, err := tx.exec(ctx, q, quoteIdent(t.name), c.name); err != nil {
					return fmt.Errorf("reset the sequence of %s.%s: %w", t.name, c.name, err)
				}
			}
		}
		return nil
	}
	if err := s.rebuildSearch(ctx, tx, si.fts); err != nil {
		return err
	}
	rows, err := tx.query(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return err
	}
	defer rows.Close()
	if rows.Next() {
		var (
			table, parent string
			rowid         any
			fkid          any
		)
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return err
		}
		return fmt.Errorf("%w: a row of %s (rowid %v) references a row of %s that the archive lacks", ErrArchive, table, rowid, parent)
	}
	return rows.Err()
}

// rebuildSearch rebuilds SQLite's external-content FTS5 indexes from their
// content tables (search.go queries briefs_fts; its triggers keep it in
// step with briefs row by row, and a rebuild makes it exact after a bulk
// load). PostgreSQL's tsvector columns are generated and need nothing.
func (s *db) rebuildSearch(ctx context.Context, tx runner, fts []string) error {
	for _, name := range fts {
		q := `INSERT INTO ` + quoteIdent(name) + `(` + quoteIdent(name) + `) VALUES ('rebuild')`
		if _, err := tx.exec(ctx, q); err != nil {
			return fmt.Errorf("rebuild the search index %s: %w", name, err)
		}
	}
	return nil
}

// analyze refreshes the planner's statistics of the restored tables; it is
// an optimisation, so errors are ignored.
func (s *db) analyze(ctx context.Context, si *schemaInfo) {
	if s.d.name == dialectSQLite {
		_, _ = s.w.ExecContext(ctx, `PRAGMA optimize`)
		return
	}
	if len(si.tables) == 0 {
		return
	}
	names := make([]string, len(si.tables))
	for i, t := range si.tables {
		names[i] = quoteIdent(t.name)
	}
	_, _ = s.w.ExecContext(ctx, `ANALYZE `+strings.Join(names, ", "))
}

// inserter loads one table's rows with multi-row INSERTs.
type inserter struct {
	s       *db
	table   string
	cols    []*columnInfo // target column of each archive column
	from    []archiveColumn
	prefix  string // INSERT INTO t (cols) [OVERRIDING SYSTEM VALUE] VALUES
	rowSQL  string // (?, ?, ?)
	maxRows int
	rows    int
	bytes   int
	args    []any
	// firstLine is the archive line of the first buffered row.
	firstLine int64
	lastLine  int64
}

// Batch limits: PostgreSQL takes at most 65535 parameters a statement,
// SQLite (as built by modernc.org/sqlite) 32766.
const (
	insertMaxParams = 30000
	insertMaxRows   = 100
	insertMaxBytes  = 1 << 20
)

func (s *db) newInserter(t *tableInfo, th *archiveTableHeader) (*inserter, error) {
	ins := &inserter{s: s, table: t.name, from: th.Columns}
	names := make([]string, len(th.Columns))
	always := false
	for i, ac := range th.Columns {
		c := t.column(ac.Name)
		if c == nil {
			return nil, fmt.Errorf("%w: column %q of the archive does not exist in table %s of this database", ErrArchive, ac.Name, t.name)
		}
		if slices.Contains(ins.cols, c) {
			return nil, fmt.Errorf("%w: column %q appears twice", ErrArchive, ac.Name)
		}
		ins.cols = append(ins.cols, c)
		names[i] = quoteIdent(c.name)
		always = always || c.identityAlways
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%w: no columns", ErrArchive)
	}
	ins.prefix = `INSERT INTO ` + quoteIdent(t.name) + ` (` + strings.Join(names, ", ") + `)`
	if always {
		ins.prefix += ` OVERRIDING SYSTEM VALUE`
	}
	ins.prefix += ` VALUES `
	ins.rowSQL = `(` + placeholders(len(names)) + `)`
	ins.maxRows = max(1, min(insertMaxRows, insertMaxParams/len(names)))
	return ins, nil
}

// convert turns an archive row into arguments for the target columns.
func (ins *inserter) convert(row []any) ([]any, error) {
	out := make([]any, len(row))
	for i, v := range row {
		var err error
		out[i], err = ins.s.d.convertValue(v, ins.from[i].Kind, ins.cols[i])
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", ins.from[i].Name, err)
		}
	}
	return out, nil
}

func (ins *inserter) add(ctx context.Context, tx runner, args []any, line int64) error {
	if ins.rows == 0 {
		ins.firstLine = line
	}
	ins.lastLine = line
	ins.args = append(ins.args, args...)
	ins.rows++
	for _, a := range args {
		switch a := a.(type) {
		case string:
			ins.bytes += len(a)
		case []byte:
			ins.bytes += len(a)
		default:
			ins.bytes += 8
		}
	}
	if ins.rows >= ins.maxRows || ins.bytes >= insertMaxBytes {
		return ins.flush(ctx, tx)
	}
	return nil
}

func (ins *inserter) flush(ctx context.Context, tx runner) error {
	if ins.rows == 0 {
		return nil
	}
	var sb strings.Builder
	sb.Grow(len(ins.prefix) + ins.rows*(len(ins.rowSQL)+2))
	sb.WriteString(ins.prefix)
	for i := range ins.rows {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(ins.rowSQL)
	}
	if _, err := tx.exec(ctx, sb.String(), ins.args...); err != nil {
		where := fmt.Sprintf("archive line %d", ins.firstLine)
		if ins.lastLine != ins.firstLine {
			where = fmt.Sprintf("archive lines %d-%d", ins.firstLine, ins.lastLine)
		}
		return fmt.Errorf("%s (table %s): %w", where, ins.table, err)
	}
	clear(ins.args)
	ins.args = ins.args[:0]
	ins.rows, ins.bytes = 0, 0
	return nil
}

// convertValue converts an archive value (as decoded from JSON with
// UseNumber: nil, bool, json.Number, string) written as kind into the
// argument for target column c of this dialect.
func (d *dialect) convertValue(v any, kind string, c *columnInfo) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch v.(type) {
	case bool, json.Number, string:
	default:
		return nil, fmt.Errorf("unexpected JSON %T", v)
	}
	// Binary data arrives as base64.
	if s, ok := v.(string); ok && kind == kindBytes {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("bad base64: %w", err)
		}
		if c.kind == kindBytes {
			return b, nil
		}
		v = string(b)
	}
	sqlite := d.name == dialectSQLite
	switch c.kind {
	case kindInt:
		n, err := toInt(v)
		if err != nil {
			return nil, err
		}
		return n, nil
	case kindFloat:
		return toFloat(v)
	case kindBool:
		b, err := toBool(v)
		if err != nil {
			return nil, err
		}
		if sqlite {
			if b {
				return int64(1), nil
			}
			return int64(0), nil
		}
		return b, nil
	case kindTime:
		t, err := toTime(v)
		if err != nil {
			return nil, err
		}
		return d.timeArg(t), nil
	case kindJSON:
		s, ok := v.(string)
		if !ok {
			b, _ := json.Marshal(v)
			s = string(b)
		}
		if !json.Valid([]byte(s)) {
			return nil, fmt.Errorf("not valid JSON: %s", clip(s))
		}
		return s, nil
	case kindBytes: // PostgreSQL bytea from text; SQLite BLOB or no affinity: as it is
		switch v := v.(type) {
		case string:
			if sqlite {
				return v, nil
			}
			return []byte(v), nil
		case json.Number:
			if n, err := v.Int64(); err == nil {
				return n, nil
			}
			return v.Float64()
		case bool:
			return boolInt(v), nil
		}
	case kindNumeric:
		switch v := v.(type) {
		case json.Number:
			if sqlite {
				if n, err := v.Int64(); err == nil {
					return n, nil
				}
				return v.Float64()
			}
			return v.String(), nil
		case bool:
			return boolInt(v), nil
		}
		return v, nil
	}
	// Text.
	switch v := v.(type) {
	case json.Number:
		return v.String(), nil
	case bool:
		if sqlite {
			return boolInt(v), nil
		}
		return strconv.FormatBool(v), nil
	}
	return v, nil
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func toInt(v any) (int64, error) {
	switch v := v.(type) {
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n, nil
		}
		if f, err := v.Float64(); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<63 {
			return int64(f), nil
		}
		return 0, fmt.Errorf("want an integer, found %s", v)
	case bool:
		return boolInt(v), nil
	case string:
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			return n, nil
		}
		return 0, fmt.Errorf("want an integer, found %q", clip(v))
	}
	return 0, fmt.Errorf("want an integer, found %T", v)
}

func toFloat(v any) (float64, error) {
	switch v := v.(type) {
	case json.Number:
		return v.Float64()
	case bool:
		return float64(boolInt(v)), nil
	case string:
		if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
			return f, nil
		}
		return 0, fmt.Errorf("want a number, found %q", clip(v))
	}
	return 0, fmt.Errorf("want a number, found %T", v)
}

func toBool(v any) (bool, error) {
	switch v := v.(type) {
	case bool:
		return v, nil
	case json.Number:
		switch v.String() {
		case "0":
			return false, nil
		case "1":
			return true, nil
		}
		return false, fmt.Errorf("want a boolean (0 or 1), found %s", v)
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "0", "f", "false", "n", "no", "off":
			return false, nil
		case "1", "t", "true", "y", "yes", "on":
			return true, nil
		}
		return false, fmt.Errorf("want a boolean, found %q", clip(v))
	}
	return false, fmt.Errorf("want a boolean, found %T", v)
}

func toTime(v any) (time.Time, error) {
	var t dbTime
	switch v := v.(type) {
	case string:
		if err := t.Scan(v); err != nil {
			return time.Time{}, fmt.Errorf("want a time, found %q", clip(v))
		}
	case json.Number:
		n, err := v.Int64()
		if err != nil {
			return time.Time{}, fmt.Errorf("want a time, found %s", v)
		}
		t = dbTime{Time: time.Unix(n, 0).UTC(), Valid: true}
	default:
		return time.Time{}, fmt.Errorf("want a time, found %T", v)
	}
	return t.Time, nil
}

// clip shortens a value quoted in an error.
func clip(s string) string {
	if len(s) <= 60 {
		return s
	}
	cut := 60
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// ---- Reading an archive ----

// maxArchiveLine bounds one line (one row) of an archive.
const maxArchiveLine = 512 << 20

type archiveReader struct {
	r     *bufio.Reader
	gz    *gzip.Reader
	line  int64 // number of the last line read
	table string
	// tableRows is the row count of the current table, rowsRead the rows
	// of it read so far (for messages).
	tableRows, rowsRead int64
}

func newArchiveReader(r io.Reader) (*archiveReader, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	magic, err := br.Peek(2)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: the archive is empty", ErrArchive)
		}
		return nil, err
	}
	ar := &archiveReader{}
	switch {
	case magic[0] == 0x1f && magic[1] == 0x8b:
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrArchive, err)
		}
		gz.Multistream(false)
		ar.gz = gz
		ar.r = bufio.NewReaderSize(gz, 1<<20)
	case magic[0] == '{':
		// Uncompressed JSON lines (e.g. a gunzipped archive).
		ar.r = br
	default:
		return nil, fmt.Errorf("%w: not a legists backup (neither gzip nor JSON lines)", ErrArchive)
	}
	return ar, nil
}

// errorf makes an error located at the current line.
func (ar *archiveReader) errorf(table, format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	if !errors.Is(err, ErrArchive) {
		err = fmt.Errorf("%w: %w", ErrArchive, err)
	}
	if table != "" {
		return fmt.Errorf("archive line %d (table %s): %w", ar.line, table, err)
	}
	return fmt.Errorf("archive line %d: %w", ar.line, err)
}

// next returns the next line without its newline; io.EOF at a clean end.
func (ar *archiveReader) next() ([]byte, error) {
	var buf []byte
	for {
		chunk, err := ar.r.ReadSlice('\n')
		buf = append(buf, chunk...)
		if err == bufio.ErrBufferFull {
			if len(buf) > maxArchiveLine {
				ar.line++
				return nil, ar.errorf(ar.table, "a line longer than %d MiB", maxArchiveLine>>20)
			}
			continue
		}
		if err != nil {
			if errors.Is(err, io.EOF) && len(buf) == 0 {
				return nil, io.EOF
			}
			ar.line++
			if errors.Is(err, io.EOF) {
				return nil, ar.truncated(io.ErrUnexpectedEOF)
			}
			return nil, ar.truncated(err)
		}
		ar.line++
		return bytes.TrimRight(buf, "\r\n"), nil
	}
}

// truncated is the error for an archive that ends or breaks early.
func (ar *archiveReader) truncated(err error) error {
	where := ""
	if ar.table != "" {
		where = fmt.Sprintf(" in table %s, after %d of its %d rows", ar.table, ar.rowsRead, ar.tableRows)
	}
	return fmt.Errorf("%w: the archive breaks off at line %d%s: it is truncated or corrupt: %w", ErrArchive, ar.line, where, err)
}

// must reads a line that has to be there.
func (ar *archiveReader) must() ([]byte, error) {
	line, err := ar.next()
	if errors.Is(err, io.EOF) {
		ar.line++
		return nil, ar.truncated(io.ErrUnexpectedEOF)
	}
	return line, err
}

func (ar *archiveReader) header() (*ArchiveHeader, error) {
	line, err := ar.must()
	if err != nil {
		return nil, err
	}
	var h ArchiveHeader
	if err := json.Unmarshal(line, &h); err != nil || h.Format != ArchiveFormat {
		return nil, ar.errorf("", "%w: not a legists backup (the first line is not a %s header)", ErrArchive, ArchiveFormat)
	}
	if h.Version != ArchiveVersion {
		return nil, ar.errorf("", "%w: archive format version %d; this legists reads version %d", ErrArchive, h.Version, ArchiveVersion)
	}
	var sum int64
	for _, t := range h.Tables {
		if t.Name == "" || t.Rows < 0 {
			return nil, ar.errorf("", "%w: a bad table entry in the header", ErrArchive)
		}
		sum += t.Rows
	}
	if sum != h.Rows {
		return nil, ar.errorf("", "%w: the header's row counts do not add up", ErrArchive)
	}
	return &h, nil
}

func (ar *archiveReader) tableHeader() (*archiveTableHeader, error) {
	line, err := ar.must()
	if err != nil {
		return nil, err
	}
	var th archiveTableHeader
	if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &th) != nil || th.Table == "" {
		return nil, ar.errorf(ar.table, "%w: expected the header of the next table", ErrArchive)
	}
	ar.table, ar.tableRows, ar.rowsRead = th.Table, th.Rows, 0
	return &th, nil
}

func (ar *archiveReader) row(th *archiveTableHeader, n int64) ([]any, error) {
	ar.rowsRead = n
	line, err := ar.must()
	if err != nil {
		return nil, err
	}
	if len(line) == 0 || line[0] != '[' {
		return nil, ar.errorf(th.Table, "%w: expected row %d of %d, found %s", ErrArchive, n+1, th.Rows, clip(string(line)))
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var row []any
	if err := dec.Decode(&row); err != nil {
		return nil, ar.errorf(th.Table, "%w: row %d of %d is not a JSON array: %w", ErrArchive, n+1, th.Rows, err)
	}
	if dec.More() {
		return nil, ar.errorf(th.Table, "%w: row %d of %d: data after the row", ErrArchive, n+1, th.Rows)
	}
	if len(row) != len(th.Columns) {
		return nil, ar.errorf(th.Table, "%w: row %d of %d has %d values for %d columns", ErrArchive, n+1, th.Rows, len(row), len(th.Columns))
	}
	return row, nil
}

// end reads the end line and makes sure nothing follows it (which also
// verifies gzip's checksum).
func (ar *archiveReader) end(rows int64) error {
	ar.table = ""
	line, err := ar.must()
	if err != nil {
		return err
	}
	var e archiveEnd
	if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil || !e.End {
		return ar.errorf("", "%w: expected the end of the archive, found %s", ErrArchive, clip(string(line)))
	}
	if e.Rows != rows {
		return ar.errorf("", "%w: the archive says %d rows, %d were read", ErrArchive, e.Rows, rows)
	}
	if _, err := ar.next(); !errors.Is(err, io.EOF) {
		if err == nil {
			return ar.errorf("", "%w: data after the end of the archive", ErrArchive)
		}
		return err
	}
	return nil
}
