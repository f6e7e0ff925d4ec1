package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
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
	status := fs.String("status", "published", "status for new briefs whose file does not set one: draft, review or published; given explicitly, it also applies to briefs already stored")
	publishedAt := fs.String("published-at", "", "publication date (2026-11-20 or RFC 3339) for published briefs; without it a new brief is dated now and a stored one keeps its date")
	author := fs.String("author", "import", "name recorded on each revision")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	opts := importOptions{status: brief.Status(*status), author: *author}
	fs.Visit(func(f *flag.Flag) { opts.statusSet = opts.statusSet || f.Name == "status" })
	if *publishedAt != "" {
		t, err := brief.ParseTime(*publishedAt)
		if err != nil {
			fmt.Fprintf(stderr, "legists import: --published-at %q: expected a date such as 2026-11-20 or 2026-11-20T09:00:00Z\n", *publishedAt)
			return exitUsage
		}
		t = t.UTC()
		opts.publishedAt = &t
	}
	files := fs.Args()
	if len(files) == 0 {
		fmt.Fprintln(stderr, "legists import: no FILE given")
		fs.Usage()
		return exitUsage
	}
	if !opts.status.Valid() {
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
		res := importOne(ctx, db, name, opts)
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

// importOptions are the import flags that decide a brief's workflow state.
type importOptions struct {
	status      brief.Status // for new briefs whose file sets none
	statusSet   bool         // --status was given: it applies to stored briefs too
	publishedAt *time.Time   // --published-at
	author      string
}

// importOne parses and stores one file in its own transaction: a bad file
// stores nothing, and never disturbs the others. A brief already stored
// (see storedBrief) is updated in place and keeps what the file does not
// carry: its status, publication date, topics and archived sources.
func importOne(ctx context.Context, db store.Store, name string, opts importOptions) importResult {
	res := importResult{File: name}
	b, err := readBriefFile(name)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	old, err := storedBrief(ctx, db, name, b)
	if err != nil {
		res.Error = fmt.Sprintf("%s: %v", name, err)
		return res
	}
	if old != nil {
		keepStored(b, old)
		if opts.statusSet {
			b.Status = opts.status
		}
	} else if b.Status == "" {
		b.Status = opts.status
	}
	if opts.publishedAt != nil {
		b.PublishedAt = opts.publishedAt
	}
	if b.Status == brief.StatusPublished && b.PublishedAt == nil {
		now := time.Now().UTC().Truncate(time.Second)
		b.PublishedAt = &now
	}
	res.Slug = b.Slug
	saved, err := db.SaveBrief(ctx, b, store.SaveOptions{Author: opts.author, Note: "imported from " + name})
	if err != nil {
		res.Error = fmt.Sprintf("%s: %v", name, err)
		return res
	}
	res.Action, res.Revision = saved.Action, saved.Revision
	return res
}

// storedBrief finds the stored brief a file is a copy of: the one with the
// file's slug (from its front matter or its title), or the one named like
// the file (demo/content/briefs/<slug>.txt) with the same title. Nil when
// the brief is new.
func storedBrief(ctx context.Context, db store.Store, name string, b *brief.Brief) (*brief.Brief, error) {
	old, err := db.GetBrief(ctx, b.Slug)
	if err == nil {
		return old, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	base := filepath.Base(name)
	byName := brief.Slugify(strings.TrimSuffix(base, filepath.Ext(base)))
	if byName == "" || byName == b.Slug {
		return nil, nil
	}
	old, err = db.GetBrief(ctx, byName)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(strings.TrimSpace(old.Title), strings.TrimSpace(b.Title)) {
		return nil, nil
	}
	return old, nil
}

// keepStored gives b, parsed from a file, the stored brief's identity and
// everything the file does not say: the slug, the workflow state and
// publication date (unless the file sets them), the topics when the file
// lists none, and the sources — all of them when the file lists none, and
// the archived text of each listed source that points to the same URL.
func keepStored(b, old *brief.Brief) {
	b.Slug = old.Slug
	if b.Status == "" {
		b.Status = old.Status
	}
	if b.PublishedAt == nil {
		b.PublishedAt = old.PublishedAt
	}
	if len(b.Topics) == 0 {
		b.Topics = old.Topics
	}
	if len(b.Sources) == 0 {
		b.Sources = old.Sources
		return
	}
	for i, s := range b.Sources {
		if prev, ok := old.Source(s.N); ok && prev.URL == s.URL && s.Text == "" {
			b.Sources[i].Text, b.Sources[i].ContentHash, b.Sources[i].FetchedAt = prev.Text, prev.ContentHash, prev.FetchedAt
		}
	}
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
