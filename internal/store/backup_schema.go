package store

// The schema as backup and restore see it: tables, columns and their
// kinds, keys and references, for both dialects.

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

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
	// strict, set on SQLite for a restore, is the kind PostgreSQL gives
	// the column (time for a TEXT column that holds times, bool for an
	// INTEGER flag): restored values are checked against it, so that
	// SQLite refuses what PostgreSQL refuses (validate.go).
	strict string
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
