package main

import (
	"fmt"
	"io"

	"legists/internal/directory"
	"legists/internal/store"
)

func init() {
	register(command{name: "directory", summary: "the firm directory: its date, changes of name, and sync into the database", run: runDirectory})
}

const directoryUsage = `Usage: legists directory COMMAND [flags]

Commands:
  info [--json]      the date the built-in directory is accurate to, and the firms' changes of name
  sync [--db DSN]    write the built-in directory and taxonomy into the database: new firms are
                     added, renamed firms take their new names (former names stay aliases, so
                     briefs tagged under them still lead to the firm's page); nothing is removed

The directory is internal/directory/directory/firms.json (and topics.json), dated by about.json.
To update it: edit those files (a renamed firm keeps its slug and lists its former names as
aliases; record the change in about.json), rebuild, and run "legists directory sync" on each
database. A running server picks the change up within 30 seconds.
`

func runDirectory(args []string, stdout, stderr io.Writer) int {
	return runSubcommand("directory", directoryUsage, map[string]runFunc{
		"info": runDirectoryInfo,
		"sync": runDirectorySync,
	}, args, stdout, stderr)
}

func runDirectoryInfo(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("directory info", "directory info [--json]", stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	in := directory.About()
	if *asJSON {
		writeJSON(stdout, map[string]any{"as_of": in.AsOf, "firms": len(directory.Firms()), "topics": len(directory.Topics()), "changes": in.Changes})
		return exitOK
	}
	fmt.Fprintf(stdout, "firm directory as of %s: %d firms, %d topics\n", in.AsOf, len(directory.Firms()), len(directory.Topics()))
	for _, c := range in.Changes {
		fmt.Fprintf(stdout, "  %s (since %s), formerly %v: %s\n", c.Name, c.Since, c.Formerly, c.Note)
	}
	return exitOK
}

func runDirectorySync(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("directory sync", "directory sync [--db DSN]", stderr)
	dsn := dbFlag(fs)
	if code, done := parseFlags(fs, args); done {
		return code
	}
	ctx, cancel := signalContext()
	defer cancel()
	st, err := store.Open(ctx, *dsn)
	if err != nil {
		fmt.Fprintf(stderr, "legists directory sync: %v\n", err)
		return exitUsage
	}
	defer st.Close()
	before, err := st.ListFirms(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "legists directory sync: %v\n", err)
		return exitFindings
	}
	names := map[string]string{}
	for _, f := range before {
		names[f.Slug] = f.Name
	}
	firms := directory.Firms()
	if err := st.UpsertFirms(ctx, firms); err != nil {
		fmt.Fprintf(stderr, "legists directory sync: %v\n", err)
		return exitFindings
	}
	if err := st.UpsertTopics(ctx, directory.Topics()); err != nil {
		fmt.Fprintf(stderr, "legists directory sync: %v\n", err)
		return exitFindings
	}
	added, renamed := 0, 0
	for _, f := range firms {
		switch old, ok := names[f.Slug]; {
		case !ok:
			added++
		case old != f.Name:
			renamed++
			fmt.Fprintf(stdout, "renamed: %s is now %s\n", old, f.Name)
		}
	}
	fmt.Fprintf(stdout, "directory as of %s: %d firms (%d added, %d renamed), %d topics\n",
		directory.About().AsOf, len(firms), added, renamed, len(directory.Topics()))
	return exitOK
}
