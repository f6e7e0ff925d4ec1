package digest

import (
	"context"
	"log/slog"
	"time"

	"legists/internal/brief"
	"legists/internal/store"
)

// Scheduler runs a Runner now and then, for `legists serve`. Several
// instances may each run one: the ledger keeps every digest to one sender.
type Scheduler struct {
	Runner *Runner
	// Every is the time between runs (default 5 minutes); the first run
	// starts after Delay (default 10 seconds).
	Every time.Duration
	Delay time.Duration
	// After, when set, is called with the result of every run.
	After  func(Result, error)
	Logger *slog.Logger
}

// Run runs digests until ctx ends; it returns nil then.
func (s *Scheduler) Run(ctx context.Context) error {
	every, delay := s.Every, s.Delay
	if every <= 0 {
		every = 5 * time.Minute
	}
	if delay <= 0 {
		delay = 10 * time.Second
	}
	log := s.Logger
	if log == nil {
		log = slog.Default()
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		res, err := s.Runner.Run(ctx)
		if err != nil && ctx.Err() == nil {
			log.Error("digest run failed", "err", err)
		}
		if s.After != nil {
			s.After(res, err)
		}
		t.Reset(every)
	}
}

// PreviewOptions qualify a preview.
type PreviewOptions struct {
	// BaseURL makes links absolute (empty: site-relative links).
	BaseURL string
	// Now is the time of the preview (default now).
	Now time.Time
}

// Preview renders the digest sub would get now, for the editor's desk. A
// nil sub is a sample reader who follows everything, daily, with the
// briefs of the last seven days (or, when there are none, the latest
// ones). A subscriber with nothing new also gets the latest briefs, so the
// preview is never empty. The preferences and unsubscribe links lead to
// the generic pages, not the subscriber's own.
func Preview(ctx context.Context, st store.Store, sub *store.Subscriber) (html, text string, err error) {
	return PreviewWith(ctx, st, sub, PreviewOptions{})
}

// PreviewWith is Preview with options.
func PreviewWith(ctx context.Context, st store.Store, sub *store.Subscriber, o PreviewOptions) (html, text string, err error) {
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	var sample store.Subscriber
	if sub == nil {
		last := now.Add(-7 * 24 * time.Hour)
		sample = store.Subscriber{Email: "reader@example.com", Frequency: store.Daily, Status: store.SubscriberConfirmed, LastDigestAt: &last}
		sub = &sample
	}
	const maxWindow = 31 * 24 * time.Hour
	cat, err := LoadCatalogue(ctx, st, now, maxWindow, 60*24*time.Hour)
	if err != nil {
		return "", "", err
	}
	sel := cat.Select(sub, WindowStart(sub, now, maxWindow), 20, 5)
	if len(sel.Briefs) == 0 {
		pg, err := st.ListBriefs(ctx, store.BriefFilter{Status: brief.StatusPublished, Limit: 5})
		if err != nil {
			return "", "", err
		}
		sel.Briefs = pg.Briefs
	}
	// No signed links in a preview: an editor's click must not
	// unsubscribe the reader.
	links := Links{Base: o.BaseURL}
	rd, err := Render(cat, sub, sel, links)
	if err != nil {
		return "", "", err
	}
	return rd.HTML, rd.Text, nil
}
