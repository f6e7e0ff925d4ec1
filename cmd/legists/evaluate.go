package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"legists/internal/fidelity"
	"legists/internal/legalref"
)

func init() {
	register(command{name: "evaluate", summary: "score the fidelity check on an evaluation set", run: runEvaluate})
}

// runEvaluate is `legists evaluate [--json] [-v] DIR`: recall per error kind
// and the share of clean paragraphs falsely flagged, over the cases in DIR
// (see internal/fidelity/eval.go for the layout); or, with --public FILE,
// balanced accuracy, precision, recall and false-flag rate with bootstrap
// intervals on public labelled summaries (see internal/fidelity/public.go).
// With --refs it scores the legal-reference recogniser instead: precision,
// recall, link accuracy and canonical consistency over NN.txt/NN.json pairs
// (internal/legalref/eval.go).
func runEvaluate(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("evaluate", "evaluate [--refs] [--json] [-v] DIR | evaluate --public FILE.jsonl --cut val|test [--review] [--seed N] [--json]", stderr)
	refs := fs.Bool("refs", false, "score the legal-reference recogniser on DIR's NN.txt/NN.json documents")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	verbose := fs.Bool("v", false, "list missed errors and false flags")
	public := fs.String("public", "", "score public labelled summaries (JSON Lines from bench/fetch-public-data)")
	cut := fs.String("cut", "", "with --public: the split to score, val or test (tune on val only)")
	review := fs.Bool("review", false, "with --public: count needs-review findings as flags too, not only errors")
	seed := fs.Int64("seed", 1, "with --public: bootstrap seed")
	fitScore := fs.String("fit-score", "", "with --public and --cut val: fit the score's weights and write them as Go source to this file")
	dirs, code, done := parseInterspersed(fs, args)
	if done {
		return code
	}
	if *public != "" {
		if *cut != "val" && *cut != "test" {
			fmt.Fprintf(stderr, "legists evaluate: --cut %q: want val or test\n", *cut)
			return exitUsage
		}
		items, err := fidelity.LoadPublic(*public)
		if err != nil {
			fmt.Fprintf(stderr, "legists evaluate: %v\n", err)
			return exitUsage
		}
		if *fitScore != "" {
			return fitScoreWeights(items, *public, *cut, *fitScore, stdout, stderr)
		}
		r := fidelity.EvaluatePublic(items, fidelity.PublicOptions{Cut: *cut, WithReview: *review, Seed: *seed})
		return writeResult(r, func(w io.Writer) { r.WriteTable(w, *verbose) }, *asJSON, stdout, stderr)
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
	return writeResult(r, func(w io.Writer) { r.WriteTable(w, *verbose) }, *asJSON, stdout, stderr)
}

// writeResult prints r as indented JSON or as the table table writes.
func writeResult(r any, table func(io.Writer), asJSON bool, stdout, stderr io.Writer) int {
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			fmt.Fprintf(stderr, "legists evaluate: %v\n", err)
			return exitUsage
		}
		return exitOK
	}
	table(stdout)
	return exitOK
}

// fitScoreWeights trains the score on the validation cut and writes the
// weights as Go source; the test cut is refused, being for reports only.
func fitScoreWeights(items []fidelity.PublicItem, from, cut, out string, stdout, stderr io.Writer) int {
	if cut != "val" {
		fmt.Fprintln(stderr, "legists evaluate: --fit-score trains on the validation cut only (--cut val)")
		return exitUsage
	}
	w, n, err := fidelity.FitScore(items, cut)
	if err != nil {
		fmt.Fprintf(stderr, "legists evaluate: %s: %v\n", from, err)
		return exitUsage
	}
	var buf bytes.Buffer
	if err := fidelity.WriteScoreWeights(&buf, w, fmt.Sprintf("%d labelled summaries of the val cut of %s", n, filepath.Base(from))); err != nil {
		fmt.Fprintf(stderr, "legists evaluate: %v\n", err)
		return exitUsage
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		fmt.Fprintf(stderr, "legists evaluate: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "fitted on %d summaries: bias %g, support %g, errors %g, warnings %g -> %s\n", n, w.Bias, w.Support, w.Errs, w.Warns, out)
	return exitOK
}

func evaluateRefs(dir string, asJSON, verbose bool, stdout, stderr io.Writer) int {
	docs, err := legalref.LoadEvalSet(dir)
	if err != nil {
		fmt.Fprintf(stderr, "legists evaluate: %v\n", err)
		return exitUsage
	}
	r := legalref.Evaluate(docs)
	return writeResult(r, func(w io.Writer) { r.WriteTable(w, verbose) }, asJSON, stdout, stderr)
}
