package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"legists/internal/brief"
	"legists/internal/directory"
	"legists/internal/fidelity"
	"legists/internal/store"
	"legists/internal/tag"
)

func init() {
	register(command{name: "tag", summary: "suggest firms and topics for a brief, with scores and reasons", run: runTag})
}

const tagSynopsis = `tag [--db DSN] [--json] [--sources DIR] FILE

Suggests the law firms and topics (practice areas and jurisdictions) of the
brief in FILE (house text format, or the editing format for .md files),
best first. Firms named in the brief or its sources come first (score 0.5
and above); then firms whose practice areas and home jurisdictions fit the
brief's strongest topics. Each firm says why it is suggested.

The firm directory and taxonomy are those stored in the database when it
has any, otherwise the built-in ones. The database is only read: when
--db and LEGISTS_DB are not set and ./legists.db does not exist, the
built-in directory is used without creating a database.

--sources DIR reads the brief's sources (N.txt or N.html for citation N) so
that firms named there are found too.`

// runTag is `legists tag [--db DSN] [--json] [--sources DIR] FILE`. Exit 0
// with suggestions printed; 2 on unreadable input or usage.
func runTag(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("tag", tagSynopsis, stderr)
	dsn := dbFlag(fs)
	asJSON := fs.Bool("json", false, `print {"firms": [...], "topics": [...]} as JSON`)
	dir := fs.String("sources", "", "directory of source texts: N.txt or N.html for citation N")
	files, code, done := parseInterspersed(fs, args)
	if done {
		return code
	}
	if len(files) != 1 {
		fmt.Fprintln(stderr, "legists tag: want exactly one FILE")
		fs.Usage()
		return exitUsage
	}
	name := files[0]
	f, err := os.Open(name)
	if err != nil {
		fmt.Fprintf(stderr, "legists tag: %v\n", err)
		return exitUsage
	}
	b, err := brief.ParseFile(name, f)
	f.Close()
	if err != nil {
		fmt.Fprintf(stderr, "legists tag: %v\n", err)
		return exitUsage
	}
	var sources map[int]string
	if *dir != "" {
		sources, err = fidelity.LoadSources(*dir)
		if err != nil {
			fmt.Fprintf(stderr, "legists tag: sources: %v\n", err)
			return exitUsage
		}
	}

	tagger := tag.Default()
	if wantDB(fs, *dsn) {
		t, err := taggerFromDB(*dsn)
		if err != nil {
			fmt.Fprintf(stderr, "legists tag: %v\n", err)
			return exitUsage
		}
		if t != nil {
			tagger = t
		}
	}
	res := tagger.Suggest(b, sources)

	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(res); err != nil {
			fmt.Fprintf(stderr, "legists tag: %v\n", err)
			return exitUsage
		}
		return exitOK
	}
	printTags(stdout, name, res)
	return exitOK
}

// wantDB says whether to read the directory from the database: when --db
// or LEGISTS_DB names one, or the default database file exists.
func wantDB(fs *flag.FlagSet, dsn string) bool {
	explicit := os.Getenv("LEGISTS_DB") != ""
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "db" {
			explicit = true
		}
	})
	if explicit {
		return true
	}
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		_, err := os.Stat(path)
		return err == nil
	}
	return false
}

// taggerFromDB builds a tagger over the stored directory and taxonomy, or
// returns nil when the database has no firms (the built-in directory is
// then used). Stored topics replace the built-in ones when there are any.
func taggerFromDB(dsn string) (*tag.Tagger, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	firms, err := db.ListFirms(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading firms: %w", err)
	}
	if len(firms) == 0 {
		return nil, nil
	}
	topics, err := db.ListTopics(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading topics: %w", err)
	}
	if len(topics) == 0 {
		topics = directory.Topics()
	}
	return tag.New(firms, topics), nil
}

// printTags writes the suggestions as two tables.
func printTags(w io.Writer, name string, res tag.Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\n\n", name)
	if len(res.Firms) == 0 {
		fmt.Fprintln(tw, "No firms suggested.")
	} else {
		fmt.Fprintln(tw, "SCORE\tFIRM\tREASONS")
		for _, f := range res.Firms {
			fmt.Fprintf(tw, "%.2f\t%s\t%s\n", f.Score, f.Name, strings.Join(f.Reasons, "; "))
		}
	}
	fmt.Fprintln(tw)
	if len(res.Topics) == 0 {
		fmt.Fprintln(tw, "No topics suggested.")
	} else {
		fmt.Fprintln(tw, "SCORE\tTOPIC\tKIND\tEVIDENCE")
		for _, t := range res.Topics {
			fmt.Fprintf(tw, "%.2f\t%s\t%s\t%s\n", t.Score, t.Name, t.Kind, strings.Join(t.Evidence, ", "))
		}
	}
	tw.Flush()
}
