package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
)

// Group commit for ingest's writes (articles and story assignments, which
// ingest's workers save many at once). On SQLite they queue for its one
// writer anyway, and each commit writes the pages it changed to the WAL
// again (the table's and every index's); on PostgreSQL each transaction
// is two more round trips (BEGIN, COMMIT) and a commit of its own. Here the
// writes queued while one group commits run together in the next
// transaction: on SQLite each in a savepoint, a write that fails rolled
// back alone; on PostgreSQL one after the other, a write that fails
// dropped and the others run again. Every caller returns only once its
// write is committed, or with the error that kept it from being.
//
// Whoever finds no group under way leads: it runs the queue in batches of
// at most maxGroup until its own write is done, then hands the lead to the
// first write still queued, so that no caller runs others' writes for long.
// (A write that panics does so in the leader's goroutine; the other
// writes of its group fail with an error.)

// maxGroup bounds the writes committed together.
const maxGroup = 64

// groupLanes is how many groups commit at once on PostgreSQL: a group's
// writes run one after the other on one connection, so a second lane
// keeps the server busy while the first waits for a round trip. Each
// group takes all its locks first and in order, so two lanes never wait
// for each other in a cycle. SQLite has one writer: one lane.
const groupLanes = 2

// lane is the group a write joins: the lanes in turn.
func (s *db) lane() *groupCommit {
	if s.d.name != dialectPostgres {
		return &s.lanes[0]
	}
	return &s.lanes[s.nextLane.Add(1)%groupLanes]
}

type groupCommit struct {
	mu      sync.Mutex
	queue   []*groupJob
	leading bool
	commits atomic.Int64 // transactions run, for tests
}

// commits is the number of group transactions run, all lanes.
func (s *db) commits() int64 {
	var n int64
	for i := range s.lanes {
		n += s.lanes[i].commits.Load()
	}
	return n
}

type groupJob struct {
	ctx   context.Context
	fn    func(tx runner) error
	locks []int64 // PostgreSQL advisory locks held until commit
	err   error
	done  chan struct{} // closed once committed or failed
	lead  chan struct{} // closed when this job's caller is to lead
}

// writeGrouped runs fn in a transaction shared with the writes of other
// callers queued at the moment (ingest's: SaveArticle, writeRefetchable);
// on PostgreSQL the transaction commits asynchronously and first takes
// the advisory locks every write of it names (locks), in ascending order.
func (s *db) writeGrouped(ctx context.Context, locks []int64, fn func(tx runner) error) error {
	j := &groupJob{ctx: ctx, fn: fn, locks: locks, done: make(chan struct{}), lead: make(chan struct{})}
	g := s.lane()
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
		s.runGroup(g, batch)
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

// runGroup commits a batch of writes in one transaction and tells each
// caller how its write went.
func (s *db) runGroup(g *groupCommit, batch []*groupJob) {
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
	if s.d.name == dialectPostgres {
		s.runGroupAgain(g, batch)
	} else {
		s.runGroupSavepoints(g, batch)
	}
	finished = true
	for _, j := range batch {
		auditCommitted(j.ctx, j.err == nil)
		close(j.done)
	}
}

// runGroupSavepoints runs each write in a savepoint (SQLite, where a
// savepoint costs no round trip): a failed write is rolled back alone.
func (s *db) runGroupSavepoints(g *groupCommit, batch []*groupJob) {
	bg := context.Background()
	g.commits.Add(1)
	err := s.inTx(bg, s.w, s.wc, nil, func(tx runner) error {
		for _, j := range batch {
			if _, err := tx.x.ExecContext(bg, `SAVEPOINT legists_write`); err != nil {
				return err
			}
			j.err = s.runJob(j, tx)
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
	for _, j := range batch {
		if err != nil && j.err == nil {
			j.err = err
		}
	}
}

// errJobFailed stops a group's transaction at the write that failed.
var errJobFailed = errors.New("store: a write of the group failed")

// runGroupAgain runs the writes one after the other in one transaction
// (PostgreSQL, where a savepoint is a round trip): when one fails, the
// transaction is rolled back, that write gets its error and the others run
// again without it (ingest's writes are written to be run again); after a
// deadlock with another instance the whole batch runs again.
func (s *db) runGroupAgain(g *groupCommit, batch []*groupJob) {
	bg := context.Background()
	pending := batch
	for deadlocks := 0; len(pending) > 0; {
		failed := -1
		g.commits.Add(1)
		err := s.inTx(bg, s.w, s.wc, nil, func(tx runner) error {
			// One statement: the commit made asynchronous, the locks
			// taken (unnest keeps the array's order: ascending, so that
			// two instances' groups never wait for each other in a cycle).
			var locks []int64
			for _, j := range pending {
				locks = append(locks, j.locks...)
			}
			slices.Sort(locks)
			if _, err := tx.hot().exec(bg, `SELECT `+asyncCommitSQL+`, (SELECT count(pg_advisory_xact_lock(k))
				FROM unnest(CAST(? AS bigint[])) AS k)`, slices.Compact(locks)); err != nil {
				return err
			}
			for i, j := range pending {
				if j.err = s.runJob(j, tx); j.err != nil {
					failed = i
					return errJobFailed
				}
			}
			return nil
		})
		switch {
		case err == nil:
			return
		case failed >= 0 && isRetryableTx(pending[failed].err) && deadlocks < 5:
			deadlocks++
		case failed >= 0:
			// That write alone fails; the others run again.
			rest := make([]*groupJob, 0, len(pending)-1)
			rest = append(rest, pending[:failed]...)
			pending = append(rest, pending[failed+1:]...)
		case isRetryableTx(err) && deadlocks < 5:
			deadlocks++
		default:
			for _, j := range pending {
				j.err = err
			}
			return
		}
		for _, j := range pending {
			j.err = nil
		}
	}
}

// runJob is one caller's write and its pending audit entry.
func (s *db) runJob(j *groupJob, tx runner) error {
	if err := j.fn(tx); err != nil {
		return err
	}
	return s.appendPendingAudit(j.ctx, tx)
}
