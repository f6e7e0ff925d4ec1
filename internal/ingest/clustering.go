package ingest

import (
	"context"
	"legists/internal/source"
	"legists/internal/store"
	"time"
)

// Story clustering of stored articles: matching under one lock, writes
// grouped outside it (see cluster).

// clusterJob is one article's assignment, waiting to be written: done is
// closed when it is written (or err is known).
type clusterJob struct {
	a    store.StoryAssignment
	done chan struct{}
	err  error
}

// maxClusterBatch bounds the assignments written in one transaction.
const maxClusterBatch = 64

// cluster assigns a stored article to a story. Matching is serialised
// within the process so that two reports of a new event arriving at once
// make one story, but no database write happens under the lock: the
// in-memory index learns of the assignment (a new story under a
// provisional id) before the lock is released, and the assignments
// matched meanwhile are written together, in the order they were
// matched, by whichever caller finds no one writing (flushClusters). It
// returns when the article's assignment is written.
func (p *Poller) cluster(ctx context.Context, a *source.Article) (err error) {
	v := source.TermVector(a.Title, a.Text)
	at := a.Time()
	done := p.cfg.Observer.Job(JobCluster)
	defer func() { done(err) }()
	p.clusterMu.Lock()
	if err := p.loadStories(ctx, at); err != nil {
		p.clusterMu.Unlock()
		return err
	}
	id, _ := p.index.Match(v, at)
	if id == 0 {
		p.lastNew--
		id = p.lastNew
	}
	p.index.Add(id, v, at)
	job := &clusterJob{a: store.StoryAssignment{ArticleID: a.ID, StoryID: id, Vector: v}, done: make(chan struct{})}
	p.queue = append(p.queue, job)
	write := !p.flushing
	p.flushing = true
	p.clusterMu.Unlock()
	if write {
		p.flushClusters(ctx)
	}
	select {
	case <-job.done:
		return job.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// flushClusters writes the queued assignments until none is left.
func (p *Poller) flushClusters(ctx context.Context) {
	for {
		p.clusterMu.Lock()
		batch := p.queue[:min(len(p.queue), maxClusterBatch)]
		p.queue = p.queue[len(batch):]
		if len(batch) == 0 {
			p.queue, p.flushing = nil, false
			p.clusterMu.Unlock()
			return
		}
		p.clusterMu.Unlock()
		as := make([]store.StoryAssignment, len(batch))
		for i, j := range batch {
			as[i] = j.a
		}
		ids, err := p.st.AssignStories(ctx, as)
		if err != nil && len(batch) > 1 && ctx.Err() == nil {
			// One bad assignment must not keep the others out: each
			// alone, a new story's key standing for its id once written.
			ids, err = make([]int64, len(batch)), nil
			written := map[int64]int64{}
			for i, j := range batch {
				a := j.a
				if w, ok := written[a.StoryID]; ok {
					a.StoryID = w
				}
				one, e := p.st.AssignStories(ctx, []store.StoryAssignment{a})
				if j.err = e; e == nil {
					ids[i] = one[0]
					if j.a.StoryID < 0 {
						written[j.a.StoryID] = one[0]
					}
				}
			}
		} else {
			for _, j := range batch {
				j.err = err
			}
		}
		p.clusterMu.Lock()
		for i, j := range batch {
			key := j.a.StoryID
			if key >= 0 {
				continue
			}
			if j.err != nil {
				p.index.Remove(key)
				continue
			}
			// The new story has its id: the index and the assignments
			// still queued use it from now on.
			p.index.Rename(key, ids[i])
			for _, q := range p.queue {
				if q.a.StoryID == key {
					q.a.StoryID = ids[i]
				}
			}
		}
		p.clusterMu.Unlock()
		for _, j := range batch {
			close(j.done)
		}
	}
}

// loadStories makes sure the index holds the stories active around at.
func (p *Poller) loadStories(ctx context.Context, at time.Time) error {
	w := p.cfg.Clusterer.Window
	lo, hi := at.Add(-w), at.Add(w)
	if !p.loadedLo.IsZero() && !lo.Before(p.loadedLo) && !hi.After(p.loadedHi) {
		return nil
	}
	if p.loadedLo.IsZero() {
		// First load: a generous range around now and at.
		now := p.cfg.Now()
		lo, hi = minTime(lo, now.Add(-w)), maxTime(hi, now.Add(w))
	} else {
		lo, hi = minTime(lo, p.loadedLo), maxTime(hi, p.loadedHi)
	}
	cands, err := p.st.StoryCandidates(ctx, lo, hi)
	if err != nil {
		return err
	}
	for _, c := range cands {
		if !p.index.Has(c.ID) {
			p.index.Put(c)
		}
	}
	p.loadedLo, p.loadedHi = lo, hi
	return nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// clusterLeftovers clusters articles stored but not clustered (a crash
// between the two steps).
func (p *Poller) clusterLeftovers(ctx context.Context) error {
	for {
		arts, err := p.st.UnclusteredArticles(ctx, 200)
		if err != nil {
			return err
		}
		if len(arts) == 0 {
			return nil
		}
		for i := range arts {
			if err := p.cluster(ctx, &arts[i]); err != nil {
				return err
			}
		}
		p.log.Info("ingest: clustered left-over articles", "count", len(arts))
	}
}
