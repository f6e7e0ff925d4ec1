package ingest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"sort"
	"sync"
	"time"

	"legists/internal/source"
	"legists/internal/store"
)

// Store is what the poller needs of the store (store.Store has it all).
type Store interface {
	DueSources(ctx context.Context, now time.Time, all bool) ([]source.Source, error)
	GetSource(ctx context.Context, id int64) (*source.Source, error)
	ClaimSource(ctx context.Context, id int64, owner string, now, until time.Time) (bool, error)
	RenewClaim(ctx context.Context, id int64, owner string, until time.Time) (bool, error)
	FinishPoll(ctx context.Context, id int64, owner string, r source.PollResult) error
	FindArticles(ctx context.Context, sourceID int64, keys []store.ArticleKey) ([]*source.Article, error)
	SaveArticle(ctx context.Context, a *source.Article) (source.SaveResult, error)
	UnclusteredArticles(ctx context.Context, limit int) ([]source.Article, error)
	StoryCandidates(ctx context.Context, from, to time.Time) ([]source.Candidate, error)
	AssignStories(ctx context.Context, as []store.StoryAssignment) ([]int64, error)
}

// Config tunes the poller. Zero fields take the defaults.
type Config struct {
	Fetch FetchConfig
	// Workers is the number of sources polled at once (default 4).
	Workers int
	// PagesPerSource is the number of article pages of one feed fetched
	// at once (default 4; the per-host limit still applies).
	PagesPerSource int
	// Lease is how long a claim on a source lasts; a worker renews it
	// while it works (every Lease/3), so only a dead worker's claim
	// lapses (default 30s).
	Lease time.Duration
	// Owner names this process in claims (default host-pid-random).
	Owner string
	// All polls every source, due or not (Run with once only).
	All bool
	// FetchPages is the page policy of sources that have none of their
	// own: auto (fetch an item's page unless the feed carries at least
	// FeedContentWords words of it), always, or never (keep the feed's
	// text). Empty: auto when FeedContentWords is set, else always.
	FetchPages source.FetchPages
	// FeedContentWords: under auto, a feed item whose own content has at
	// least this many words keeps it and its page is not fetched (default
	// DefaultFeedContentWords when FetchPages is auto).
	FeedContentWords int
	// Interval is how often Run(once=false) looks for due sources
	// (default 30s).
	Interval time.Duration
	// Clusterer groups articles into stories (default
	// source.DefaultClusterer()).
	Clusterer source.Clusterer
	Logger    *slog.Logger
	// Observer is told of polls, stored articles and jobs, for metrics
	// (default: none).
	Observer Observer
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// DefaultFeedContentWords is the length from which, under
// --fetch-pages=auto, an item's content in the feed is taken as its full
// text.
const DefaultFeedContentWords = 150

// Job kinds an Observer sees.
const (
	JobPoll    = "ingest-poll" // one round over the due sources
	JobCluster = "cluster"     // assigning one stored article to a story
)

// Observer is told what the poller does, for metrics (legists serve
// passes metrics.Ingest{}). Its methods are called from several
// goroutines at once and must be quick.
type Observer interface {
	// Job is called as a job of kind JobPoll or JobCluster starts; the
	// poller calls the function it returns with the job's outcome (an
	// error wrapping context.Canceled when shutdown interrupted it).
	Job(kind string) func(err error)
	// SourcePolled reports a polled source: "fetched" (answered with
	// content), "not_modified" (304), "error" (the fetch or the feed
	// failed) or "interrupted" (the run stopped before the source
	// answered).
	SourcePolled(result string)
	// ArticleSaved reports a stored article: "new", "duplicate" or
	// "updated".
	ArticleSaved(result string)
}

type nopObserver struct{}

func (nopObserver) Job(string) func(error) { return func(error) {} }
func (nopObserver) SourcePolled(string)    {}
func (nopObserver) ArticleSaved(string)    {}

// Poller polls sources into the store.
type Poller struct {
	st    Store
	cfg   Config
	fetch *Fetcher
	log   *slog.Logger

	clusterMu sync.Mutex
	index     *source.Index
	loadedLo  time.Time
	loadedHi  time.Time
	// queue holds the assignments matched but not yet written; one
	// caller at a time (flushing) writes them, many in one transaction. A
	// new story is held in the index under a provisional (negative) id,
	// the last one given being lastNew, until its row is written.
	queue    []*clusterJob
	flushing bool
	lastNew  int64
}

// New makes a poller.
func New(st Store, cfg Config) *Poller {
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.PagesPerSource <= 0 {
		cfg.PagesPerSource = 4
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 30 * time.Second
	}
	if cfg.Owner == "" {
		host, _ := os.Hostname()
		var b [4]byte
		rand.Read(b[:])
		cfg.Owner = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 30 * time.Second
	}
	if cfg.Clusterer.Window <= 0 {
		cfg.Clusterer = source.DefaultClusterer()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Observer == nil {
		cfg.Observer = nopObserver{}
	}
	if cfg.FetchPages == source.FetchPagesDefault {
		cfg.FetchPages = source.FetchPagesAlways
		if cfg.FeedContentWords > 0 {
			cfg.FetchPages = source.FetchPagesAuto
		}
	}
	if cfg.FetchPages == source.FetchPagesAuto && cfg.FeedContentWords <= 0 {
		cfg.FeedContentWords = DefaultFeedContentWords
	}
	return &Poller{st: st, cfg: cfg, fetch: NewFetcher(cfg.Fetch), log: cfg.Logger,
		index: source.NewIndex(cfg.Clusterer)}
}

// Fetcher returns the poller's fetcher.
func (p *Poller) Fetcher() *Fetcher { return p.fetch }

// Close releases the fetcher's connections.
func (p *Poller) Close() { p.fetch.Close() }

// Run polls due sources. With once, it polls every due source once (after
// a crash, it waits for the dead process's leases to lapse, at most one
// Lease) and returns the counts. Without, it polls until ctx is done,
// looking for due sources every Interval, and returns the counts of all
// rounds. Articles left unclustered by a crash are clustered first.
func (p *Poller) Run(ctx context.Context, once bool) (source.IngestCounts, error) {
	var total source.IngestCounts
	if err := p.clusterLeftovers(ctx); err != nil {
		return total, err
	}
	if once {
		c, err := p.observedRound(ctx, true)
		total.Add(c)
		if err == nil {
			err = p.clusterLeftovers(ctx)
		}
		return total, err
	}
	t := time.NewTicker(p.cfg.Interval)
	defer t.Stop()
	for {
		c, err := p.observedRound(ctx, false)
		total.Add(c)
		if err != nil && ctx.Err() == nil {
			p.log.Error("ingest round failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return total, nil
		case <-t.C:
		}
	}
}

// observedRound is round reported to the Observer as a JobPoll.
func (p *Poller) observedRound(ctx context.Context, once bool) (source.IngestCounts, error) {
	done := p.cfg.Observer.Job(JobPoll)
	c, err := p.round(ctx, once)
	done(err)
	return c, err
}

// round polls the due sources once with the worker pool.
func (p *Poller) round(ctx context.Context, once bool) (source.IngestCounts, error) {
	start := p.cfg.Now()
	due, err := p.st.DueSources(ctx, start, once && p.cfg.All)
	if err != nil {
		return source.IngestCounts{}, err
	}
	if len(due) == 0 {
		return source.IngestCounts{}, nil
	}
	p.log.Info("ingest: polling", "due", len(due), "workers", p.cfg.Workers)
	var (
		mu      sync.Mutex
		total   source.IngestCounts
		waiting []source.Source
	)
	work := make(chan source.Source)
	var wg sync.WaitGroup
	for range min(p.cfg.Workers, len(due)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for src := range work {
				c, claimed := p.claimAndPoll(ctx, src)
				mu.Lock()
				if claimed {
					total.Add(c)
					p.log.Info("ingest: progress", "source", src.ID, "sources", total.Sources, "items", total.Items, "new", total.New,
						"duplicates", total.Duplicates, "feed_errors", total.FeedErrors, "page_errors", total.PageErrors)
				} else {
					waiting = append(waiting, src)
				}
				mu.Unlock()
			}
		}()
	}
	for _, src := range due {
		select {
		case work <- src:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()
	if once {
		// Sources claimed by another process: a live one renews its lease
		// and will poll them; a dead one's lease lapses, and then they are
		// ours.
		sort.Slice(waiting, func(i, j int) bool { return leaseEnd(waiting[i]).Before(leaseEnd(waiting[j])) })
		for _, src := range waiting {
			c, polled := p.waitAndPoll(ctx, src, start)
			total.Add(c)
			if !polled {
				total.Skipped++
			}
		}
	} else {
		total.Skipped += len(waiting)
	}
	p.log.Info("ingest: done", "sources", total.Sources, "fetched", total.Fetched, "not_modified", total.NotModified,
		"new", total.New, "updated", total.Updated, "duplicates", total.Duplicates, "no_link", total.NoLink,
		"feed_errors", total.FeedErrors, "page_errors", total.PageErrors,
		"skipped", total.Skipped, "took", time.Since(start).Round(time.Millisecond))
	return total, ctx.Err()
}

func leaseEnd(s source.Source) time.Time {
	if s.ClaimedUntil == nil {
		return time.Time{}
	}
	return *s.ClaimedUntil
}

// waitAndPoll waits for another process's lease on src to lapse, then
// polls src; it gives up when the holder renews its lease (it is alive and
// polling) or releases it after polling.
func (p *Poller) waitAndPoll(ctx context.Context, src source.Source, roundStart time.Time) (source.IngestCounts, bool) {
	seen := leaseEnd(src)
	deadline := p.cfg.Now().Add(2*p.cfg.Lease + 5*time.Second)
	for {
		cur, err := p.st.GetSource(ctx, src.ID)
		if err != nil {
			return source.IngestCounts{}, false
		}
		now := p.cfg.Now()
		end := leaseEnd(*cur)
		switch {
		case cur.ClaimedUntil == nil:
			if cur.LastPolledAt != nil && !cur.LastPolledAt.Before(roundStart.Add(-time.Second)) {
				return source.IngestCounts{}, false // polled by its holder meanwhile
			}
			return p.claimAndPoll(ctx, *cur)
		case !end.After(now):
			// The lease lapsed: its holder died.
			return p.claimAndPoll(ctx, *cur)
		case end.After(seen):
			// Renewed since we last looked: its holder lives.
			return source.IngestCounts{}, false
		case now.After(deadline):
			return source.IngestCounts{}, false
		}
		wait := min(end.Sub(now)+50*time.Millisecond, p.cfg.Lease+time.Second)
		p.log.Info("ingest: waiting for another worker's lease to lapse", "source", src.ID, "until", end)
		select {
		case <-ctx.Done():
			return source.IngestCounts{}, false
		case <-time.After(wait):
		}
		seen = end
	}
}

// claimAndPoll claims src and polls it, renewing the lease meanwhile. It
// reports false when another worker holds src.
func (p *Poller) claimAndPoll(ctx context.Context, src source.Source) (source.IngestCounts, bool) {
	now := p.cfg.Now()
	ok, err := p.st.ClaimSource(ctx, src.ID, p.cfg.Owner, now, now.Add(p.cfg.Lease))
	if err != nil {
		p.log.Error("ingest: claim failed", "source", src.ID, "err", err)
		c := source.IngestCounts{}
		c.FeedFailed()
		return c, true
	}
	if !ok {
		return source.IngestCounts{}, false
	}
	hbCtx, stop := context.WithCancel(ctx)
	var hb sync.WaitGroup
	hb.Add(1)
	go func() {
		defer hb.Done()
		t := time.NewTicker(p.cfg.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-hbCtx.Done():
				return
			case <-t.C:
				if _, err := p.st.RenewClaim(hbCtx, src.ID, p.cfg.Owner, p.cfg.Now().Add(p.cfg.Lease)); err != nil && hbCtx.Err() == nil {
					p.log.Warn("ingest: lease renewal failed", "source", src.ID, "err", err)
				}
			}
		}
	}()
	c := p.PollSource(ctx, src)
	stop()
	hb.Wait()
	return c, true
}

// PollSource polls one source the caller has claimed, stores what it
// finds and releases the claim. Errors are counted and recorded on the
// source, never returned: a failing source never stops the others.
func (p *Poller) PollSource(ctx context.Context, src source.Source) source.IngestCounts {
	c := source.IngestCounts{Sources: 1}
	start := p.cfg.Now()
	res := source.PollResult{At: start}
	log := p.log.With("source", src.ID, "url", src.URL)

	fail := func(err error) source.IngestCounts {
		if ctx.Err() != nil {
			// The run was stopped, not failed by the source: release it,
			// due at once, with no error counted against it.
			res.Interrupted, res.NextPollAt = true, start
			log.Info("ingest: poll interrupted", "err", err)
			p.finish(src, res)
			p.cfg.Observer.SourcePolled("interrupted")
			return c
		}
		c.FeedFailed()
		res.OK = false
		res.Err = err.Error()
		wait := source.Backoff(src.ErrorCount + 1)
		var he *HTTPError
		if errors.As(err, &he) {
			res.Status = he.Status
			if he.RetryAfter > wait {
				wait = he.RetryAfter
			}
		}
		res.NextPollAt = start.Add(wait)
		log.Warn("ingest: source failed", "err", err, "errors_in_a_row", src.ErrorCount+1, "next", res.NextPollAt)
		p.finish(src, res)
		p.cfg.Observer.SourcePolled("error")
		return c
	}

	resp, err := p.fetch.Fetch(ctx, Request{URL: src.URL, ETag: src.ETag, LastModified: src.LastModified,
		Accept: acceptFor(src.Kind)})
	if resp != nil {
		res.Status = resp.Status
		if resp.PermanentURL != "" && resp.PermanentURL != src.URL {
			res.NewURL = resp.PermanentURL
			log.Info("ingest: source moved permanently", "to", resp.PermanentURL)
		}
	}
	if err != nil {
		return fail(err)
	}
	next := start.Add(max(src.Interval(), resp.MaxAge))
	if resp.NotModified {
		c.NotModified++
		res.OK, res.KeepValidators, res.NextPollAt = true, true, next
		p.finish(src, res)
		p.cfg.Observer.SourcePolled("not_modified")
		return c
	}
	c.Fetched++
	res.ETag, res.LastModified = resp.ETag, resp.LastModified
	base, _ := url.Parse(resp.URL)

	switch src.Kind {
	case source.KindPage:
		a, err := p.pageArticle(src, resp, base, nil)
		if err != nil {
			return fail(err)
		}
		res.Title = a.Title
		p.save(ctx, a, &c, log)
	default:
		feed, err := ParseFeed(resp.Body, resp.ContentType, base)
		if err != nil {
			return fail(err)
		}
		res.Title, res.SiteURL, res.FeedType = feed.Title, feed.SiteURL, feed.Type
		p.pollItems(ctx, src, feed, &c, log)
	}
	res.OK, res.NextPollAt = true, next
	if ctx.Err() != nil {
		// Interrupted: leave the validators as they were and keep the
		// source due, so that the next run reads every item again.
		res.KeepValidators, res.NextPollAt = true, start
	}
	p.finish(src, res)
	p.cfg.Observer.SourcePolled("fetched")
	return c
}

func acceptFor(k source.Kind) string {
	if k == source.KindPage {
		return "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
	}
	return "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"
}

func (p *Poller) finish(src source.Source, res source.PollResult) {
	// Record the outcome even when ctx was cancelled: a poll half done is
	// still released.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.st.FinishPoll(ctx, src.ID, p.cfg.Owner, res); err != nil {
		p.log.Error("ingest: cannot record poll", "source", src.ID, "err", err)
	}
}
