package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"

	"legists/internal/store"
)

func init() {
	register(command{name: "backup", summary: "write a consistent backup of the database (while it runs) to a file", run: runBackup})
	register(command{name: "restore", summary: "load a backup into an empty database (SQLite or PostgreSQL)", run: runRestore})
}

// backupSummary is what backup and restore print with --json.
type backupSummary struct {
	File          string               `json:"file"`
	Bytes         int64                `json:"bytes,omitempty"`
	Dialect       string               `json:"dialect"`
	SchemaVersion int64                `json:"schema_version"`
	CreatedAt     time.Time            `json:"created_at"`
	Tables        []store.ArchiveTable `json:"tables"`
	Rows          int64                `json:"rows"`
	Seconds       float64              `json:"seconds"`
	DryRun        bool                 `json:"dry_run,omitempty"`
}

func runBackup(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("backup", "backup [--db DSN] --to FILE", stderr)
	dsn := dbFlag(fs)
	to := fs.String("to", envString("LEGISTS_BACKUP_TO", ""), "archive to write (gzip'd JSON lines); - for standard output (env LEGISTS_BACKUP_TO)")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "legists backup: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if *to == "" {
		fmt.Fprintln(stderr, "legists backup: --to FILE is required")
		fs.Usage()
		return exitUsage
	}
	ctx, cancel := signalContext()
	defer cancel()
	st, err := store.Open(ctx, *dsn)
	if err != nil {
		fmt.Fprintf(stderr, "legists backup: %v\n", err)
		return exitFindings
	}
	defer st.Close()

	// The archive is written next to its final name and renamed into place
	// once complete, so FILE is never a half-written backup.
	var (
		out  io.Writer
		tmp  *os.File
		size = &countingWriter{}
	)
	if *to == "-" {
		out = stdout
	} else {
		tmp, err = os.CreateTemp(filepath.Dir(*to), "."+filepath.Base(*to)+".partial-*")
		if err != nil {
			fmt.Fprintf(stderr, "legists backup: %v\n", err)
			return exitUsage
		}
		defer os.Remove(tmp.Name()) // a no-op after the rename
		out = tmp
	}
	size.w = out

	start := time.Now()
	bar := newRowProgress(stderr, "backing up", !*asJSON)
	h, err := store.Backup(ctx, st, size, store.BackupOptions{Progress: bar.update})
	bar.Finish()
	if err == nil && tmp != nil {
		if err = tmp.Sync(); err == nil {
			err = tmp.Close()
		}
		if err == nil {
			err = os.Rename(tmp.Name(), *to)
		}
		if err == nil {
			syncDir(filepath.Dir(*to))
		}
	}
	if tmp != nil {
		tmp.Close()
	}
	if err != nil {
		fmt.Fprintf(stderr, "legists backup: %v\n", err)
		if ctx.Err() != nil {
			fmt.Fprintln(stderr, "legists backup: interrupted; no archive written")
		}
		return exitFindings
	}
	sum := backupSummary{File: *to, Bytes: size.n, Dialect: h.Dialect, SchemaVersion: h.SchemaVersion, CreatedAt: h.CreatedAt,
		Tables: h.Tables, Rows: h.Rows, Seconds: time.Since(start).Seconds()}
	report := stdout
	if *to == "-" {
		report = stderr // stdout is the archive
	}
	if *asJSON {
		writeJSON(report, sum)
	} else {
		logTables(bar, stderr, h.Tables)
		fmt.Fprintf(report, "backed up %d rows of %d tables (%s, schema version %d) to %s: %s in %s\n",
			h.Rows, len(h.Tables), h.Dialect, h.SchemaVersion, *to, humanBytes(size.n), time.Since(start).Round(time.Millisecond))
	}
	return exitOK
}

func runRestore(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("restore", "restore [--db DSN] --from FILE [--force] [--dry-run]", stderr)
	dsn := dbFlag(fs)
	from := fs.String("from", envString("LEGISTS_RESTORE_FROM", ""), "archive written by legists backup; - for standard input (env LEGISTS_RESTORE_FROM)")
	force := fs.Bool("force", envBool("LEGISTS_RESTORE_FORCE"), "replace the rows of a database that is not empty (env LEGISTS_RESTORE_FORCE=1)")
	dryRun := fs.Bool("dry-run", false, "restore inside a transaction and roll it back: checks the archive against the database, changes nothing")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "legists restore: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if *from == "" {
		fmt.Fprintln(stderr, "legists restore: --from FILE is required")
		fs.Usage()
		return exitUsage
	}
	var in io.Reader
	if *from == "-" {
		in = os.Stdin
	} else {
		f, err := os.Open(*from)
		if err != nil {
			fmt.Fprintf(stderr, "legists restore: %v\n", err)
			return exitUsage
		}
		defer f.Close()
		in = f
	}
	ctx, cancel := signalContext()
	defer cancel()
	st, err := store.Open(ctx, *dsn)
	if err != nil {
		fmt.Fprintf(stderr, "legists restore: %v\n", err)
		return exitFindings
	}
	defer st.Close()

	start := time.Now()
	bar := newRowProgress(stderr, "restoring", !*asJSON)
	h, err := store.Restore(ctx, st, in, store.RestoreOptions{Force: *force, DryRun: *dryRun, Progress: bar.update})
	bar.Finish()
	switch {
	case errors.Is(err, store.ErrNotEmpty):
		fmt.Fprintf(stderr, "legists restore: %v\nlegists restore: nothing was changed; restore into an empty database, or pass --force to replace its contents\n", err)
		return exitFindings
	case errors.Is(err, store.ErrArchive):
		fmt.Fprintf(stderr, "legists restore: %s: %v\nlegists restore: nothing was changed\n", *from, err)
		return exitUsage
	case err != nil:
		fmt.Fprintf(stderr, "legists restore: %v\nlegists restore: nothing was changed\n", err)
		return exitFindings
	}
	sum := backupSummary{File: *from, Dialect: h.Dialect, SchemaVersion: h.SchemaVersion, CreatedAt: h.CreatedAt,
		Tables: h.Tables, Rows: h.Rows, Seconds: time.Since(start).Seconds(), DryRun: *dryRun}
	if *asJSON {
		writeJSON(stdout, sum)
		return exitOK
	}
	logTables(bar, stderr, h.Tables)
	verb := "restored"
	if *dryRun {
		verb = "checked (dry run, nothing changed)"
	}
	fmt.Fprintf(stdout, "%s %d rows of %d tables from %s (a %s backup of %s, schema version %d) into %s in %s\n",
		verb, h.Rows, len(h.Tables), *from, h.Dialect, h.CreatedAt.Format(time.RFC3339), h.SchemaVersion, st.Dialect(),
		time.Since(start).Round(time.Millisecond))
	return exitOK
}

// rowProgress is a bar of rows on a terminal; elsewhere the per-table
// counts are logged at the end instead.
type rowProgress struct {
	*progress
	total int64
	desc  string
	w     io.Writer
	tty   bool
}

func newRowProgress(w io.Writer, desc string, enabled bool) *rowProgress {
	p := &rowProgress{progress: &progress{}, desc: desc, w: w}
	if f, ok := w.(*os.File); ok && enabled && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())) {
		p.tty = true
	}
	return p
}

// update is the store.Progress callback.
func (p *rowProgress) update(table string, done, total int64) {
	if !p.tty {
		return
	}
	if p.bar == nil {
		p.total = total
		p.bar = progressbar.NewOptions64(max(total, 1),
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription(p.desc),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("rows"),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
	p.bar.Describe(fmt.Sprintf("%s %-22s", p.desc, table))
	_ = p.bar.Set64(done)
}

// logTables prints each table's row count when there was no bar (logs,
// pipes): the record of what the archive holds.
func logTables(p *rowProgress, w io.Writer, tables []store.ArchiveTable) {
	if p.tty {
		return
	}
	for _, t := range tables {
		fmt.Fprintf(w, "  %-24s %9d rows\n", t.Name, t.Rows)
	}
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

// syncDir makes a rename durable (best effort).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
