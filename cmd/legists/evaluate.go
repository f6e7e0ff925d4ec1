package main

import (
	"encoding/json"
	"fmt"
	"io"

	"legists/internal/fidelity"
	"legists/internal/legalref"
)

func init() {
	register(command{name: "evaluate", summary: "score the fidelity check on an evaluation set", run: runEvaluate})
}

// runEvaluate is `legists evaluate [--json] [-v] DIR`: recall per error kind
// and the share of clean paragraphs falsely flagged, over the cases in DIR
// (see internal/fidelity/eval.go for the layout). With --refs it scores the
// legal-reference recogniser instead: precision, recall, link accuracy and
// canonical consistency over NN.txt/NN.json pairs (internal/legalref/eval.go).
func runEvaluate(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("evaluate", "evaluate [--refs] [--json] [-v] DIR", stderr)
	refs := fs.Bool("refs", false, "score the legal-reference recogniser on DIR's NN.txt/NN.json documents")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	verbose := fs.Bool("v", false, "list missed errors and false flags")
	dirs, code, done := parseInterspersed(fs, args)
	if done {
		return code
	}
	if len(dirs) != 1 {
		fmt.Fprintln(stderr, "legists evaluate: want exactly one DIR")
		fs.Usage()
		return exitUsage
	}
	if *refs {
		return evaluateRefs(dirs[0], *asJSON, *verbose, stdout, stderr)
	}
	cases, err := fidelity.LoadCases(dirs[0])
	if err != nil {
		fmt.Fprintf(stderr, "legists evaluate: %v\n", err)
		return exitUsage
	}
	r := fidelity.Evaluate(cases)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			fmt.Fprintf(stderr, "legists evaluate: %v\n", err)
			return exitUsage
		}
		return exitOK
	}
	r.WriteTable(stdout, *verbose)
	return exitOK
}

func evaluateRefs(dir string, asJSON, verbose bool, stdout, stderr io.Writer) int {
	docs, err := legalref.LoadEvalSet(dir)
	if err != nil {
		fmt.Fprintf(stderr, "legists evaluate: %v\n", err)
		return exitUsage
	}
	r := legalref.Evaluate(docs)
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(r); err != nil {
			fmt.Fprintf(stderr, "legists evaluate: %v\n", err)
			return exitUsage
		}
		return exitOK
	}
	r.WriteTable(stdout, verbose)
	return exitOK
}
