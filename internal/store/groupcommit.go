package store

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
)

// Group commit for SQLite's ingest writes. SQLite has one writer: the
// articles and story assignments that ingest's workers save at once queue
// for it anyway, and each commit writes the pages it changed to the WAL
// again (the table's and every index's). Here the writes queued while one
// commits run together, each inside a savepoint of one transaction, so that
// a batch costs one commit: a write that fails is rolled back to its
// savepoint alone, and every caller returns only once its write is
// committed (or with the error that kept it from being).
//
// Whoever finds no batch under way leads: it runs the queue in batches of
// at most maxGroup until its own write is done, then hands the lead to the
// first write still queued, so that no caller runs others' writes for long.

// maxGroup bounds the writes committed together.
const maxGroup = 64

type groupCommit struct {
	mu      sync.Mutex
	queue   []*groupJob
	leading bool
	commits atomic.Int64 // transactions run, for tests
}

type groupJob struct {
	ctx  context.Context
	fn   func(tx runner) error
	err  error
	done chan struct{} // closed once committed or failed
	lead chan struct{} // closed when this job's caller is to lead
}

// writeIngest is write for ingest's own writes (SaveArticle, and
// writeRefetchable's): grouped on SQLite.
func (s *db) writeIngest(ctx context.Context, fn func(tx runner) error) error {
	if s.d.name == dialectPostgres {
		return s.write(ctx, fn)
	}
	return s.writeGrouped(ctx, fn)
}

func (s *db) writeGrouped(ctx context.Context, fn func(tx runner) error) error {
	j := &groupJob{ctx: ctx, fn: fn, done: make(chan struct{}), lead: make(chan struct{})}
	g := &s.group
	g.mu.Lock()
	g.queue = append(g.queue, j)
	leader := !g.leading
	g.leading = true
	g.mu.Unlock()
	if !leader {
		select {
		case <-j.done:
			return j.err
		case <-j.lead:
		}
	}
	defer func() {
		if p := recover(); p != nil {
			g.handOff() // a write panicked: the writes queued still go on
			panic(p)
		}
	}()
	for {
		g.mu.Lock()
		n := min(len(g.queue), maxGroup)
		batch := append([]*groupJob(nil), g.queue[:n]...)
		g.queue = append(g.queue[:0], g.queue[n:]...)
		g.mu.Unlock()
		s.runGroup(batch)
		select {
		case <-j.done:
		default:
			continue // not in that batch: the next
		}
		g.handOff()
		return j.err
	}
}

// handOff ends a leader's turn: the first queued write's caller leads next.
func (g *groupCommit) handOff() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.queue) == 0 {
		g.leading = false
	} else {
		close(g.queue[0].lead)
	}
}

// runGroup commits a batch of writes in one transaction, each in a
// savepoint, and tells each caller how its write went.
func (s *db) runGroup(batch []*groupJob) {
	finished := false
	defer func() {
		if finished {
			return
		}
		// A write panicked (inTx rolled back): nothing of the batch is
		// stored; its callers are told so, and the panic goes on.
		for _, j := range batch {
			j.err = fmt.Errorf("store: a write of the same commit failed")
			close(j.done)
		}
	}()
	bg := context.Background()
	s.group.commits.Add(1)
	err := s.inTx(bg, s.w, s.wc, nil, func(tx runner) error {
		for _, j := range batch {
			if _, err := tx.x.ExecContext(bg, `SAVEPOINT legists_write`); err != nil {
				return err
			}
			j.err = j.fn(tx)
			if j.err == nil {
				j.err = s.appendPendingAudit(j.ctx, tx)
			}
			if j.err != nil {
				if _, err := tx.x.ExecContext(bg, `ROLLBACK TO legists_write`); err != nil {
					return err
				}
			}
			if _, err := tx.x.ExecContext(bg, `RELEASE legists_write`); err != nil {
				return err
			}
		}
		return nil
	})
	finished = true
	for _, j := range batch {
		if err != nil && j.err == nil {
			j.err = err
		}
		auditCommitted(j.ctx, j.err == nil)
		close(j.done)
	}
}
