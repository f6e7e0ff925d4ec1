package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"legists/internal/brief"
	"legists/internal/fidelity"
)

func init() {
	register(command{name: "check", summary: "validate a brief and check its sentences against its sources", run: runCheck})
}

// runCheck is `legists check [--sources DIR] [--json] FILE`. Exit 0: no
// error findings; 1: error findings; 2: unreadable input or usage.
func runCheck(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("check", "check [--sources DIR] [--json] FILE", stderr)
	dir := fs.String("sources", "", "directory of source texts: N.txt or N.html for citation N")
	asJSON := fs.Bool("json", false, "print the findings as JSON")
	files, code, done := parseInterspersed(fs, args)
	if done {
		return code
	}
	if len(files) != 1 {
		fmt.Fprintln(stderr, "legists check: want exactly one FILE")
		fs.Usage()
		return exitUsage
	}
	name := files[0]
	f, err := os.Open(name)
	if err != nil {
		fmt.Fprintf(stderr, "legists check: %v\n", err)
		return exitUsage
	}
	b, err := brief.ParseFile(name, f)
	f.Close()
	if err != nil {
		fmt.Fprintf(stderr, "legists check: %v\n", err)
		return exitUsage
	}
	var sources map[int]string
	if *dir != "" {
		sources, err = fidelity.LoadSources(*dir)
		if err != nil {
			fmt.Fprintf(stderr, "legists check: sources: %v\n", err)
			return exitUsage
		}
		if len(sources) == 0 {
			fmt.Fprintf(stderr, "legists check: sources: no N.txt or N.html files in %s\n", *dir)
			return exitUsage
		}
	}
	r := fidelity.Check(b, sources)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			fmt.Fprintf(stderr, "legists check: %v\n", err)
			return exitUsage
		}
	} else {
		printFindings(stdout, name, r)
	}
	if !r.OK {
		return exitFindings
	}
	return exitOK
}

// parseInterspersed lets flags follow the file name ("check FILE --json"),
// as people type them: the standard flag package stops at the first
// positional argument, so parsing resumes after each one.
func parseInterspersed(fs *flag.FlagSet, args []string) (positional []string, code int, done bool) {
	for {
		if code, done := parseFlags(fs, args); done {
			return nil, code, true
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, exitOK, false
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// printFindings writes one line per finding and the sentence under it.
func printFindings(w io.Writer, name string, r fidelity.Report) {
	errs, warns := 0, 0
	for _, f := range r.Findings {
		loc := "brief"
		switch {
		case f.Section >= 0 && f.Paragraph >= 0:
			loc = fmt.Sprintf("section %d, paragraph %d", f.Section+1, f.Paragraph+1)
		case f.Section >= 0:
			loc = fmt.Sprintf("section %d", f.Section+1)
		}
		if f.Citation > 0 {
			loc += fmt.Sprintf(", citation %d", f.Citation)
		}
		fmt.Fprintf(w, "%s: %s %s: %s\n", loc, f.Severity, f.Kind, f.Message)
		if f.Sentence != "" {
			fmt.Fprintf(w, "    %s\n", f.Sentence)
		}
		if f.Severity == fidelity.SeverityError {
			errs++
		} else {
			warns++
		}
	}
	fmt.Fprintf(w, "%s: %d errors, %d warnings\n", name, errs, warns)
}
