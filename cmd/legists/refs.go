package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"legists/internal/legalref"
)

func init() {
	register(command{name: "refs", summary: "list the legal references of a brief or any text, with links", run: runRefs})
}

// runRefs is `legists refs [--json] FILE`: the legal references of the
// file's text with byte offsets into the file, their canonical form and
// official link.
func runRefs(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("refs", "refs [--json] FILE", stderr)
	asJSON := fs.Bool("json", false, `print {"references": [...]} as JSON`)
	files, code, done := parseInterspersed(fs, args)
	if done {
		return code
	}
	if len(files) != 1 {
		fmt.Fprintln(stderr, "legists refs: want exactly one FILE")
		fs.Usage()
		return exitUsage
	}
	raw, err := os.ReadFile(files[0])
	if err != nil {
		fmt.Fprintf(stderr, "legists refs: %v\n", err)
		return exitUsage
	}
	if !utf8.Valid(raw) {
		fmt.Fprintf(stderr, "legists refs: %s: not UTF-8 text\n", files[0])
		return exitUsage
	}
	text := string(raw)
	refs := legalref.Find(text)
	if *asJSON {
		if refs == nil {
			refs = []legalref.Reference{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(struct {
			References []legalref.Reference `json:"references"`
		}{refs}); err != nil {
			fmt.Fprintf(stderr, "legists refs: %v\n", err)
			return exitUsage
		}
		return exitOK
	}
	for _, r := range refs {
		line := 1 + strings.Count(text[:r.Start], "\n")
		col := 1 + utf8.RuneCountInString(text[strings.LastIndex(text[:r.Start], "\n")+1:r.Start])
		fmt.Fprintf(stdout, "%d:%d\t%s\t%s\t%s\n", line, col, r.Kind, r.Jurisdiction, r.Text)
		fmt.Fprintf(stdout, "\t= %s\n", r.Canonical)
		if r.URL != "" {
			fmt.Fprintf(stdout, "\t  %s\n", r.URL)
		}
	}
	fmt.Fprintf(stdout, "%d references\n", len(refs))
	return exitOK
}
