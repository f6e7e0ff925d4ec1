package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"legists/internal/brief"
	"legists/internal/store"
)

func init() {
	register(command{name: "import", summary: "import briefs in the house format or the editing format", run: runImport})
}

// importResult is one file's outcome, for --json and the summary.
type importResult struct {
	File     string           `json:"file"`
	Slug     string           `json:"slug,omitempty"`
	Action   store.SaveAction `json:"action,omitempty"`
	Revision int              `json:"revision,omitempty"`
	Error    string           `json:"error,omitempty"`
}

func runImport(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("import", "import [--db DSN] [--dry-run] [--json] [--status S] FILE...", stderr)
	dsn := dbFlag(fs)
	dryRun := fs.Bool("dry-run", false, "parse and validate only; store nothing")
	asJSON := fs.Bool("json", false, "print JSON")
	status := fs.String("status", "published", "status for briefs whose file does not set one: draft, review or published")
	author := fs.String("author", "import", "name recorded on each revision")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	files := fs.Args()
	if len(files) == 0 {
		fmt.Fprintln(stderr, "legists import: no FILE given")
		fs.Usage()
		return exitUsage
	}
	st := brief.Status(*status)
	if !st.Valid() {
		fmt.Fprintf(stderr, "legists import: --status %q: expected draft, review or published\n", *status)
		return exitUsage
	}

	if *dryRun {
		return importDryRun(files, *asJSON, stdout, stderr)
	}

	ctx, cancel := signalContext()
	defer cancel()
	db, err := store.Open(ctx, *dsn)
	if err != nil {
		fmt.Fprintf(stderr, "legists import: %v\n", err)
		return exitUsage
	}
	defer db.Close()

	bar := newProgress(stderr, len(files), "importing", !*asJSON)
	var results []importResult
	failed := 0
	for _, name := range files {
		res := importOne(ctx, db, name, st, *author)
		if res.Error != "" {
			failed++
			bar.Clear()
			fmt.Fprintf(stderr, "legists import: %s\n", res.Error)
		}
		results = append(results, res)
		bar.Add(1)
		if ctx.Err() != nil {
			break
		}
	}
	bar.Finish()
	if *asJSON {
		writeJSON(stdout, map[string]any{"results": results})
	} else {
		counts := map[store.SaveAction]int{}
		for _, r := range results {
			counts[r.Action]++
		}
		fmt.Fprintf(stdout, "%d files: %d created, %d updated, %d unchanged, %d failed\n",
			len(files), counts[store.SaveCreated], counts[store.SaveUpdated], counts[store.SaveUnchanged], failed)
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "legists import: interrupted; every file imported so far is complete")
		return exitFindings
	}
	if failed > 0 {
		return exitUsage
	}
	return exitOK
}

// readBriefFile parses one file, refusing an oversized one before reading
// it.
func readBriefFile(name string) (*brief.Brief, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil {
		if info.IsDir() {
			return nil, fmt.Errorf("%s: is a directory, expected a brief file", name)
		}
		if info.Size() > brief.MaxSize {
			return nil, fmt.Errorf("%s: %w: %d bytes, a brief may be at most %d KiB", name, brief.ErrTooLarge, info.Size(), brief.MaxSize>>10)
		}
	}
	b, err := brief.ParseFile(name, f)
	if err != nil {
		return nil, err
	}
	if err := b.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return b, nil
}

// importOne parses and stores one file in its own transaction: a bad file
// stores nothing, and never disturbs the others.
func importOne(ctx context.Context, db store.Store, name string, st brief.Status, author string) importResult {
	res := importResult{File: name}
	b, err := readBriefFile(name)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	res.Slug = b.Slug
	if b.Status == "" {
		b.Status = st
	}
	if b.Status == brief.StatusPublished && b.PublishedAt == nil {
		// Keep the first publication date so a re-import is a no-op.
		if old, err := db.GetBrief(ctx, b.Slug); err == nil && old.PublishedAt != nil {
			b.PublishedAt = old.PublishedAt
		} else {
			now := time.Now().UTC().Truncate(time.Second)
			b.PublishedAt = &now
		}
	}
	saved, err := db.SaveBrief(ctx, b, store.SaveOptions{Author: author, Note: "imported from " + name})
	if err != nil {
		res.Error = fmt.Sprintf("%s: %v", name, err)
		return res
	}
	res.Action, res.Revision = saved.Action, saved.Revision
	return res
}

// importDryRun parses every file and prints the briefs; it stores nothing.
func importDryRun(files []string, asJSON bool, stdout, stderr io.Writer) int {
	briefs := []*brief.Brief{}
	failed := false
	for _, name := range files {
		b, err := readBriefFile(name)
		if err != nil {
			fmt.Fprintf(stderr, "legists import: %v\n", err)
			failed = true
			continue
		}
		briefs = append(briefs, b)
	}
	if asJSON {
		writeJSON(stdout, map[string]any{"briefs": briefs})
	} else {
		for _, b := range briefs {
			paras := 0
			for _, s := range b.Sections {
				paras += len(s.Paragraphs)
			}
			fmt.Fprintf(stdout, "%s\n  slug %s, %d paragraphs, citations %v, %d firms\n", b.Title, b.Slug, paras, b.Citations(), len(b.Firms))
		}
	}
	if failed {
		return exitUsage
	}
	return exitOK
}

// writeJSON prints v indented, with a final newline.
func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(os.Stderr, "legists: writing JSON: %v\n", err)
	}
}
