package store

// Restore: reading an archive into a database in one transaction (see
// backup.go for the format).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

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
	if s.d.name == dialectSQLite {
		if err := setStrictKinds(si); err != nil {
			return nil, err
		}
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
		// brief_search, not archived, references briefs and goes with it.
		names := []string{quoteIdent(searchTable)}
		for _, t := range si.tables {
			names = append(names, quoteIdent(t.name))
		}
		if _, err := tx.exec(ctx, `TRUNCATE TABLE `+strings.Join(names, ", ")+` RESTART IDENTITY`); err != nil {
			return fmt.Errorf("empty the database: %w", err)
		}
		return nil
	}
	// SQLite: referencing tables first (foreign keys are deferred anyway);
	// briefs' triggers empty the search index.
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

// rebuildSearch rebuilds SQLite's external-content FTS5 indexes, if any,
// from their content tables (a rebuild makes one exact after a bulk load).
// The search index, brief_search, keeps its own content in both dialects
// and is refilled row by row by briefs' triggers as the briefs are
// inserted.
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
	names := []string{quoteIdent(searchTable)}
	for _, t := range si.tables {
		names = append(names, quoteIdent(t.name))
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
		if isConstraintViolation(err) {
			return fmt.Errorf("%s (table %s): %w: a value breaks a rule of the table: %w", where, ins.table, ErrArchive, err)
		}
		return fmt.Errorf("%s (table %s): %w", where, ins.table, err)
	}
	clear(ins.args)
	ins.args = ins.args[:0]
	ins.rows, ins.bytes = 0, 0
	return nil
}

// isConstraintViolation reports whether err is the database refusing a row
// (CHECK, NOT NULL, UNIQUE, foreign key): the archive's fault, not the
// database's.
func isConstraintViolation(err error) bool {
	m := err.Error()
	return strings.Contains(m, "constraint failed") || strings.Contains(m, "SQLSTATE 23")
}
