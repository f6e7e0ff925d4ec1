package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"legists/internal/digest"
	"legists/internal/store"
)

func init() {
	register(command{name: "events", summary: "manage the events calendar: add, list, remove", run: runEvents})
}

const eventsUsage = `Usage: legists events COMMAND [flags]

Commands:
  add --title T --start TIME [--end TIME] [--tz ZONE] [--place P] [--url U]
      [--topic NAME]... [--description D] [--slug S] [--json]
                           add an event, or update the one with --slug
  list [--all] [--json]    upcoming events (--all: past ones too)
  remove SLUG              delete an event

TIME is RFC 3339 (2026-12-03T09:00:00+00:00) or a local time in --tz
(2026-12-03 09:00, 2026-12-03T09:00 or 2026-12-03 for a whole day).
ZONE is an IANA time zone such as Europe/London (default UTC).
Every command takes --db DSN (env LEGISTS_DB).
`

func runEvents(args []string, stdout, stderr io.Writer) int {
	return runSubcommand("events", eventsUsage, map[string]runFunc{
		"add":    runEventsAdd,
		"list":   runEventsList,
		"ls":     runEventsList,
		"remove": runEventsRemove,
		"rm":     runEventsRemove,
	}, args, stdout, stderr)
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// parseEventTime reads RFC 3339, or a local date and time in loc.
func parseEventTime(s string, loc *time.Location) (t time.Time, allDay bool, err error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, false, nil
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, false, nil
		}
	}
	if t, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		return t, true, nil
	}
	return time.Time{}, false, fmt.Errorf("cannot read %q as a time (want 2026-12-03T09:00:00+00:00 or 2026-12-03 09:00)", s)
}

func openEventsStore(dsn string, stderr io.Writer) (store.Store, context.Context, context.CancelFunc, bool) {
	ctx, cancel := digestSignalContext()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		cancel()
		fmt.Fprintf(stderr, "legists events: %v\n", err)
		return nil, nil, nil, false
	}
	return st, ctx, cancel, true
}

func runEventsAdd(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("events add", "events add --title T --start TIME [--end TIME] [--tz ZONE] [--place P] [--url U] [--topic NAME]... [--description D] [--slug S] [--json]", stderr)
	dsn := dbFlag(fs)
	title := fs.String("title", "", "the event's title")
	start := fs.String("start", "", "when it starts")
	end := fs.String("end", "", "when it ends (default: an hour after the start; the end of the day for a date)")
	tz := fs.String("tz", "UTC", "the IANA time zone it is held in")
	place := fs.String("place", "", "venue")
	link := fs.String("url", "", "link to join online")
	desc := fs.String("description", "", "what it is about")
	slug := fs.String("slug", "", "identifier (default: made from the date and title); an existing slug is updated")
	asJSON := fs.Bool("json", false, "print the stored event as JSON")
	var topics listFlag
	fs.Var(&topics, "topic", "a practice area or jurisdiction (repeat, or separate with commas)")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "legists events add: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	loc, err := time.LoadLocation(*tz)
	if err != nil {
		fmt.Fprintf(stderr, "legists events add: unknown time zone %q\n", *tz)
		return exitUsage
	}
	if *title == "" || *start == "" {
		fmt.Fprintln(stderr, "legists events add: --title and --start are required")
		return exitUsage
	}
	st0, allDay, err := parseEventTime(*start, loc)
	if err != nil {
		fmt.Fprintf(stderr, "legists events add: --start: %v\n", err)
		return exitUsage
	}
	e := &store.Event{Slug: *slug, Title: *title, StartsAt: st0, TimeZone: *tz, Place: *place, OnlineURL: *link, Description: *desc}
	for _, t := range topics {
		for _, p := range strings.Split(t, ",") {
			if p = strings.TrimSpace(p); p != "" {
				e.Topics = append(e.Topics, p)
			}
		}
	}
	switch {
	case *end != "":
		en, endDay, err := parseEventTime(*end, loc)
		if err != nil {
			fmt.Fprintf(stderr, "legists events add: --end: %v\n", err)
			return exitUsage
		}
		if endDay {
			en = en.AddDate(0, 0, 1).Add(-time.Minute)
		}
		e.EndsAt = en
	case allDay:
		e.EndsAt = st0.AddDate(0, 0, 1).Add(-time.Minute)
	}
	st, ctx, cancel, ok := openEventsStore(*dsn, stderr)
	if !ok {
		return exitFindings
	}
	defer cancel()
	defer st.Close()
	saved, err := st.SaveEvent(ctx, e)
	if errors.Is(err, store.ErrInvalid) {
		fmt.Fprintf(stderr, "legists events add: %v\n", err)
		return exitUsage
	}
	if err != nil {
		fmt.Fprintf(stderr, "legists events add: %v\n", err)
		return exitFindings
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(saved)
		return exitOK
	}
	fmt.Fprintf(stdout, "%s\t%s\t%s\n", saved.Slug, digest.EventWhen(saved), saved.Title)
	return exitOK
}

func runEventsList(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("events list", "events list [--all] [--json] [--db DSN]", stderr)
	dsn := dbFlag(fs)
	all := fs.Bool("all", false, "past events too")
	asJSON := fs.Bool("json", false, `print {"events": [...]}`)
	if code, done := parseFlags(fs, args); done {
		return code
	}
	st, ctx, cancel, ok := openEventsStore(*dsn, stderr)
	if !ok {
		return exitFindings
	}
	defer cancel()
	defer st.Close()
	f := store.EventFilter{Limit: 1000}
	if !*all {
		f.EndsAfter = time.Now()
	}
	evs, err := st.ListEvents(ctx, f)
	if err != nil {
		fmt.Fprintf(stderr, "legists events list: %v\n", err)
		return exitFindings
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(map[string]any{"events": evs})
		return exitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SLUG\tWHEN\tTITLE\tWHERE")
	for i := range evs {
		e := &evs[i]
		where := e.Place
		if where == "" {
			where = e.OnlineURL
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.Slug, digest.EventWhen(e), e.Title, where)
	}
	_ = tw.Flush()
	return exitOK
}

func runEventsRemove(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("events remove", "events remove SLUG [--db DSN]", stderr)
	dsn := dbFlag(fs)
	pos, err := eventsPositional(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "legists events remove: give one SLUG")
		return exitUsage
	}
	st, ctx, cancel, ok := openEventsStore(*dsn, stderr)
	if !ok {
		return exitFindings
	}
	defer cancel()
	defer st.Close()
	if err := st.DeleteEvent(ctx, pos[0]); err != nil {
		fmt.Fprintf(stderr, "legists events remove: %v\n", err)
		return exitFindings
	}
	fmt.Fprintf(stdout, "removed %s\n", pos[0])
	return exitOK
}

// eventsPositional parses flags that may come after positional arguments.
func eventsPositional(fs *flag.FlagSet, args []string) ([]string, error) {
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
