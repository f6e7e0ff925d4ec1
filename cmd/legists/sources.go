package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"legists/internal/ingest"
	"legists/internal/source"
	"legists/internal/store"
)

func init() {
	register(command{name: "sources", summary: "manage news sources: add, list, remove, import-opml, export-opml", run: runSources})
}

const sourcesUsage = `Usage: legists sources COMMAND [flags]

Commands:
  add URL [--kind feed|page] [--title T] [--pick N] [--fetch-pages auto|always|never] [--json]
                                                    subscribe to a feed or a single page: the kind
                                                    is detected by fetching URL once; a page that
                                                    announces feeds (or a home page with a feed at
                                                    /feed, /rss, /feed.xml, /atom.xml, /index.xml)
                                                    subscribes to its feed (--pick N among several);
                                                    what is neither a feed nor a readable page is
                                                    refused
  list [--json]                                     the sources, their state and last error
  remove URL|ID                                     unsubscribe (articles stay archived)
  import-opml FILE                                  subscribe to every feed of an OPML file ("-": stdin)
  export-opml                                       print the subscriptions as OPML 2.0

Every command takes --db DSN (env LEGISTS_DB); add takes --allow-private
(env LEGISTS_ALLOW_PRIVATE=1) to reach loopback and private addresses.
`

func runSources(args []string, stdout, stderr io.Writer) int {
	return runSubcommand("sources", sourcesUsage, map[string]runFunc{
		"add":         runSourcesAdd,
		"list":        runSourcesList,
		"ls":          runSourcesList,
		"remove":      runSourcesRemove,
		"rm":          runSourcesRemove,
		"import-opml": runSourcesImport,
		"export-opml": runSourcesExport,
	}, args, stdout, stderr)
}

// sourcesPositional parses flags that may come after positional arguments
// ("sources add URL --allow-private").
func sourcesPositional(fs interface {
	Parse([]string) error
	NArg() int
	Args() []string
}, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		rest := fs.Args()
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func openSourcesStore(ctx context.Context, dsn string, stderr io.Writer) (store.Store, bool) {
	st, err := store.Open(ctx, dsn)
	if err != nil {
		fmt.Fprintf(stderr, "legists: %v\n", err)
		return nil, false
	}
	return st, true
}

func sourcesContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

func srcAllowPrivateFlag(fs interface {
	Bool(string, bool, string) *bool
}) *bool {
	return fs.Bool("allow-private", envBool("LEGISTS_ALLOW_PRIVATE"),
		"let fetches reach loopback, private and link-local addresses, for local use and tests (env LEGISTS_ALLOW_PRIVATE=1)")
}

func runSourcesAdd(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("sources add", "sources add URL [--kind feed|page] [--title T] [--pick N] [--fetch-pages auto|always|never] [--json] [--db DSN] [--allow-private]", stderr)
	dsn := dbFlag(fs)
	allow := srcAllowPrivateFlag(fs)
	kind := fs.String("kind", "", "feed or page; detected by fetching the URL when not given")
	title := fs.String("title", "", "the source's title (default: the feed's or page's own)")
	asJSON := fs.Bool("json", false, "print the source as JSON")
	pick := fs.Int("pick", 0, "when the page announces several feeds, subscribe to the Nth (as listed)")
	fetchPages := fs.String("fetch-pages", "", "fetch the pages the feed's items link to: auto (unless the item carries its full text), always, or never (keep the feed's text); default: as ingest says")
	pos, err := sourcesPositional(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "legists sources add: want exactly one URL")
		fs.Usage()
		return exitUsage
	}
	raw := pos[0]
	u, err := source.ParseURL(raw)
	if err != nil {
		fmt.Fprintf(stderr, "legists sources add: %q: %v\n", raw, err)
		return exitUsage
	}
	k := source.Kind(*kind)
	if k != "" && !k.Valid() {
		fmt.Fprintf(stderr, "legists sources add: --kind %q: want feed or page\n", *kind)
		return exitUsage
	}
	fp, err := source.ParseFetchPages(*fetchPages)
	if err != nil {
		fmt.Fprintf(stderr, "legists sources add: --%v\n", err)
		return exitUsage
	}
	if *pick < 0 {
		fmt.Fprintf(stderr, "legists sources add: --pick %d: want a feed's number, from 1\n", *pick)
		return exitUsage
	}
	ctx, cancel := sourcesContext()
	defer cancel()
	src := source.Source{URL: u.String(), Kind: k, Title: *title, FetchPages: fp}
	if k == "" {
		// Fetch once to tell a feed from a page, and find a page's feed.
		err := ingest.Detect(ctx, ingest.FetchConfig{AllowPrivate: *allow}, &src, ingest.DetectOptions{Pick: *pick})
		var several *ingest.SeveralFeedsError
		if errors.As(err, &several) {
			fmt.Fprintf(stderr, "legists sources add: %v\nadd one with: legists sources add %s --pick N\n", err, raw)
			return exitUsage
		}
		if err != nil {
			fmt.Fprintf(stderr, "legists sources add: %v (give --kind to add it anyway)\n", err)
			return exitFindings
		}
	}
	st, ok := openSourcesStore(ctx, *dsn, stderr)
	if !ok {
		return exitFindings
	}
	defer st.Close()
	added, err := st.AddSource(ctx, src)
	if errors.Is(err, store.ErrConflict) && added != nil {
		fmt.Fprintf(stderr, "legists sources add: already subscribed: source %d, %s\n", added.ID, added.URL)
		if *asJSON {
			srcWriteJSON(stdout, added)
		}
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "legists sources add: %v\n", err)
		if errors.Is(err, store.ErrInvalid) {
			return exitUsage
		}
		return exitFindings
	}
	if *asJSON {
		srcWriteJSON(stdout, added)
		return exitOK
	}
	desc := string(added.Kind)
	if added.FeedType != "" {
		desc = added.FeedType + " feed"
	}
	fmt.Fprintf(stdout, "added source %d: %s (%s)", added.ID, added.URL, desc)
	if added.Title != "" {
		fmt.Fprintf(stdout, " %q", added.Title)
	}
	fmt.Fprintln(stdout)
	return exitOK
}

func srcWriteJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func runSourcesList(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("sources list", "sources list [--json] [--db DSN]", stderr)
	dsn := dbFlag(fs)
	asJSON := fs.Bool("json", false, `print {"sources": [...]} as JSON`)
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "legists sources list: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	ctx, cancel := sourcesContext()
	defer cancel()
	st, ok := openSourcesStore(ctx, *dsn, stderr)
	if !ok {
		return exitFindings
	}
	defer st.Close()
	list, err := st.ListSources(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "legists sources list: %v\n", err)
		return exitFindings
	}
	if *asJSON {
		srcWriteJSON(stdout, struct {
			Sources []source.Source `json:"sources"`
		}{list})
		return exitOK
	}
	if len(list) == 0 {
		fmt.Fprintln(stdout, "no sources (add one with 'legists sources add URL')")
		return exitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tPAGES\tSTATUS\tARTICLES\tLAST POLLED\tNEXT\tURL\tLAST ERROR")
	now := time.Now()
	for _, s := range list {
		polled := "never"
		if s.LastPolledAt != nil {
			polled = srcAgo(now.Sub(*s.LastPolledAt)) + " ago"
		}
		next := "now"
		if s.NextPollAt.After(now) {
			next = "in " + srcAgo(s.NextPollAt.Sub(now))
		}
		errText := s.LastError
		if len(errText) > 70 {
			errText = errText[:67] + "..."
		}
		pages := string(s.FetchPages)
		switch {
		case s.Kind == source.KindPage:
			pages = "-"
		case pages == "":
			pages = "default"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", s.ID, s.Kind, pages, s.Status, s.ArticleCount, polled, next, s.URL, errText)
	}
	tw.Flush()
	return exitOK
}

func srcAgo(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

func runSourcesRemove(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("sources remove", "sources remove URL|ID [--db DSN]", stderr)
	dsn := dbFlag(fs)
	pos, err := sourcesPositional(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "legists sources remove: want one URL or ID")
		return exitUsage
	}
	ctx, cancel := sourcesContext()
	defer cancel()
	st, ok := openSourcesStore(ctx, *dsn, stderr)
	if !ok {
		return exitFindings
	}
	defer st.Close()
	var src *source.Source
	if id, err := strconv.ParseInt(pos[0], 10, 64); err == nil {
		src, err = st.GetSource(ctx, id)
		if err != nil {
			fmt.Fprintf(stderr, "legists sources remove: %v\n", err)
			return exitFindings
		}
	} else {
		src, err = st.GetSourceByURL(ctx, pos[0])
		if err != nil {
			fmt.Fprintf(stderr, "legists sources remove: %v\n", err)
			return exitFindings
		}
	}
	if err := st.RemoveSource(ctx, src.ID); err != nil {
		fmt.Fprintf(stderr, "legists sources remove: %v\n", err)
		return exitFindings
	}
	fmt.Fprintf(stdout, "removed source %d: %s (%d articles kept)\n", src.ID, src.URL, src.ArticleCount)
	return exitOK
}

func runSourcesImport(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("sources import-opml", "sources import-opml FILE [--json] [--db DSN]", stderr)
	dsn := dbFlag(fs)
	asJSON := fs.Bool("json", false, `print {"added", "existing", "skipped"} as JSON`)
	pos, err := sourcesPositional(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "legists sources import-opml: want one FILE (or - for stdin)")
		return exitUsage
	}
	var r io.Reader = os.Stdin
	if pos[0] != "-" {
		f, err := os.Open(pos[0])
		if err != nil {
			fmt.Fprintf(stderr, "legists sources import-opml: %v\n", err)
			return exitUsage
		}
		defer f.Close()
		r = f
	}
	doc, err := source.ReadOPML(io.LimitReader(r, 32<<20))
	if err != nil {
		fmt.Fprintf(stderr, "legists sources import-opml: %s: %v\n", pos[0], err)
		return exitUsage
	}
	ctx, cancel := sourcesContext()
	defer cancel()
	st, ok := openSourcesStore(ctx, *dsn, stderr)
	if !ok {
		return exitFindings
	}
	defer st.Close()
	res := struct {
		Added    int `json:"added"`
		Existing int `json:"existing"`
		Skipped  int `json:"skipped"`
	}{Skipped: doc.Skipped}
	for _, e := range doc.Entries {
		_, err := st.AddSource(ctx, source.Source{URL: e.URL, Kind: e.Kind, Title: e.Title, SiteURL: e.SiteURL})
		switch {
		case err == nil:
			res.Added++
		case errors.Is(err, store.ErrConflict):
			res.Existing++
		case errors.Is(err, store.ErrInvalid):
			res.Skipped++
		default:
			fmt.Fprintf(stderr, "legists sources import-opml: %v\n", err)
			return exitFindings
		}
	}
	if *asJSON {
		srcWriteJSON(stdout, res)
	} else {
		fmt.Fprintf(stdout, "imported %s: %d added, %d already subscribed, %d skipped\n", pos[0], res.Added, res.Existing, res.Skipped)
	}
	return exitOK
}

func runSourcesExport(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("sources export-opml", "sources export-opml [--title T] [--db DSN]", stderr)
	dsn := dbFlag(fs)
	title := fs.String("title", "Legists sources", "the OPML document's title")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	ctx, cancel := sourcesContext()
	defer cancel()
	st, ok := openSourcesStore(ctx, *dsn, stderr)
	if !ok {
		return exitFindings
	}
	defer st.Close()
	list, err := st.ListSources(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "legists sources export-opml: %v\n", err)
		return exitFindings
	}
	if err := source.WriteOPML(stdout, strings.TrimSpace(*title), list, time.Now()); err != nil {
		fmt.Fprintf(stderr, "legists sources export-opml: %v\n", err)
		return exitFindings
	}
	return exitOK
}
