package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"

	"legists/internal/brief"
	"legists/internal/draft"
	"legists/internal/fidelity"
)

func init() {
	register(command{name: "draft", summary: "draft a cited brief in the three sections from source articles", run: runDraft})
}

const draftSynopsis = `draft --sources DIR [--json] [--words N] [--llm-url URL --llm-model M]

Writes a draft brief in the three sections from the articles in DIR, every
sentence cited to its article, and prints it in the house text format
(--json: the Brief JSON of the interface contract).

By default the draft is extractive: it consists of the articles' own
sentences, chosen by centrality and placed by what they say, so it always
passes the fidelity check. With --llm-url and --llm-model, an
OpenAI-compatible chat completions endpoint writes it instead (the key, if
the endpoint needs one, is read from LEGISTS_LLM_KEY); its draft is checked
against the articles, findings are sent back once for correction, and a
draft that still fails is printed with its findings on stderr and exit 1.

Exit 0: a draft; 1: a draft with fidelity errors, or the endpoint failed;
2: unreadable or unusable input, or usage.

` + draft.ArticleFormat

// runDraft is `legists draft --sources DIR [--json] [--words N]
// [--llm-url URL --llm-model M]`.
func runDraft(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("draft", draftSynopsis, stderr)
	dir := fs.String("sources", "", "directory of the story's articles: N.txt or N.html (required)")
	asJSON := fs.Bool("json", false, "print the draft as Brief JSON")
	words := fs.Int("words", draft.DefaultWords, "word limit of the draft")
	llmURL := fs.String("llm-url", envString("LEGISTS_LLM_URL", ""), "OpenAI-compatible API base URL, e.g. http://127.0.0.1:8080/v1 (env LEGISTS_LLM_URL)")
	llmModel := fs.String("llm-model", envString("LEGISTS_LLM_MODEL", ""), "model name for --llm-url (env LEGISTS_LLM_MODEL)")
	rest, code, done := parseInterspersed(fs, args)
	if done {
		return code
	}
	if len(rest) > 0 {
		fmt.Fprintf(stderr, "legists draft: unexpected argument %q\n", rest[0])
		fs.Usage()
		return exitUsage
	}
	if *dir == "" {
		fmt.Fprintln(stderr, "legists draft: --sources DIR is required")
		fs.Usage()
		return exitUsage
	}
	if *words < 30 {
		fmt.Fprintf(stderr, "legists draft: --words %d is too few for three sections (at least 30)\n", *words)
		return exitUsage
	}
	if (*llmURL == "") != (*llmModel == "") {
		fmt.Fprintln(stderr, "legists draft: --llm-url and --llm-model go together")
		return exitUsage
	}
	articles, err := draft.LoadDir(*dir)
	if err != nil {
		fmt.Fprintf(stderr, "legists draft: %v\n", err)
		return exitUsage
	}

	var d draft.Drafter = draft.Extractive{Words: *words}
	if *llmURL != "" {
		d = &draft.OpenAIDrafter{URL: *llmURL, Model: *llmModel, Key: os.Getenv("LEGISTS_LLM_KEY"), Words: *words}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	b, err := d.Draft(ctx, articles)
	var fe *draft.FidelityError
	switch {
	case errors.Is(err, draft.ErrTooLittleText):
		fmt.Fprintf(stderr, "legists draft: %s: %v\n", *dir, err)
		return exitUsage
	case errors.As(err, &fe) && b != nil:
		// Print the draft; the findings go to stderr.
	case err != nil:
		fmt.Fprintf(stderr, "legists draft: %v\n", err)
		return exitFindings
	}

	if *asJSON {
		out := *b
		out.Sources = make([]brief.Source, len(b.Sources))
		for i, s := range b.Sources {
			s.Text = "" // the articles are in DIR
			out.Sources[i] = s
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(out.Normalize()); err != nil {
			fmt.Fprintf(stderr, "legists draft: %v\n", err)
			return exitUsage
		}
	} else {
		io.WriteString(stdout, brief.Render(b))
	}
	if fe != nil {
		fmt.Fprintf(stderr, "legists draft: the draft fails the fidelity check (%s errors):\n", strconv.Itoa(fe.Report.Errors()))
		printFindings(stderr, "draft", fidelity.Report{OK: false, Findings: fe.Report.Findings})
		return exitFindings
	}
	return exitOK
}
