package ingest

import (
	"context"
	"sync"
	"testing"

	"legists/internal/ingest/ingesttest"
	"legists/internal/source"
)

// countingObserver records what the poller reports.
type countingObserver struct {
	mu       sync.Mutex
	jobs     map[string]int // kind/ok or kind/failed
	polled   map[string]int
	articles map[string]int
}

func newCountingObserver() *countingObserver {
	return &countingObserver{jobs: map[string]int{}, polled: map[string]int{}, articles: map[string]int{}}
}

func (o *countingObserver) Job(kind string) func(error) {
	return func(err error) {
		o.mu.Lock()
		defer o.mu.Unlock()
		if err != nil {
			o.jobs[kind+"/failed"]++
		} else {
			o.jobs[kind+"/ok"]++
		}
	}
}

func (o *countingObserver) SourcePolled(r string) { o.mu.Lock(); o.polled[r]++; o.mu.Unlock() }
func (o *countingObserver) ArticleSaved(r string) { o.mu.Lock(); o.articles[r]++; o.mu.Unlock() }

func TestPollerObserver(t *testing.T) {
	st := openStore(t)
	srv := ingesttest.New()
	defer srv.Close()
	addSources(t, st, srv, source.KindFeed, "/feeds/rss2.xml", "/feeds/atom10.xml", "/feeds/wire.xml",
		"/cond.xml", "/feeds/broken.xml")
	obs := newCountingObserver()
	cfg := testConfig()
	cfg.Observer = obs
	p := New(st, cfg)
	defer p.Close()
	c, err := p.Run(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	if got := obs.polled["fetched"] + obs.polled["not_modified"] + obs.polled["error"]; got != c.Sources {
		t.Errorf("sources reported %v, polled %d", obs.polled, c.Sources)
	}
	if obs.polled["error"] < 1 {
		t.Errorf("the broken feed is not an error: %v", obs.polled)
	}
	if obs.articles["new"] != c.New || obs.articles["duplicate"] != c.Duplicates || obs.articles["updated"] != c.Updated {
		t.Errorf("articles reported %v, counts %+v", obs.articles, c)
	}
	if c.New == 0 || obs.jobs["cluster/ok"] != c.New || obs.jobs["cluster/failed"] != 0 {
		t.Errorf("cluster jobs %v for %d new articles", obs.jobs, c.New)
	}
	if obs.jobs["ingest-poll/ok"] != 1 || obs.jobs["ingest-poll/failed"] != 0 {
		t.Errorf("poll jobs %v", obs.jobs)
	}

	// Polled again: the conditional feed answers 304.
	cfg.All = true
	p2 := New(st, cfg)
	defer p2.Close()
	c2, err := p2.Run(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	if c2.NotModified == 0 || obs.polled["not_modified"] != c2.NotModified {
		t.Errorf("not modified reported %v, counted %d", obs.polled, c2.NotModified)
	}
}

func TestObserverDefault(t *testing.T) {
	st := openStore(t)
	p := New(st, testConfig())
	defer p.Close()
	if _, ok := p.cfg.Observer.(nopObserver); !ok {
		t.Error("no observer: not a no-op")
	}
	own := newCountingObserver()
	cfg := testConfig()
	cfg.Observer = own
	q := New(st, cfg)
	defer q.Close()
	if q.cfg.Observer != Observer(own) {
		t.Error("the poller's own observer is not kept")
	}
}
