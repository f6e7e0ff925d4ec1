package store

// Audit entries are written in the transaction of the change they record:
// a handler puts the entry in the context (WithAudit) and the store's next
// write transaction under that context appends it before committing. A
// change and its entry are so committed together or not at all, and a
// write that changed nothing (an unchanged save, a delete of nothing)
// writes no entry.

import (
	"context"
	"fmt"
	"sync"
)

type auditKey struct{}

// pendingAudit is an audit entry waiting for the write it records.
type pendingAudit struct {
	mu       sync.Mutex
	entry    AuditEntry
	describe func(e *AuditEntry, outcome any) bool
	outcome  any
	inTx     bool // appended in the transaction under way
	written  bool // committed
}

// WithAudit returns a context under which the store's next write
// transaction also appends e, in the same transaction. Only one entry is
// written however many writes follow.
func WithAudit(ctx context.Context, e AuditEntry) context.Context {
	return context.WithValue(ctx, auditKey{}, &pendingAudit{entry: e})
}

// WithAuditFunc is WithAudit whose entry is finished by describe from what
// the write did (SaveBrief passes its SaveResult, a delete how many rows it
// removed); describe returning false writes no entry.
func WithAuditFunc(ctx context.Context, e AuditEntry, describe func(e *AuditEntry, outcome any) bool) context.Context {
	return context.WithValue(ctx, auditKey{}, &pendingAudit{entry: e, describe: describe})
}

// AuditWritten reports whether the entry of ctx (WithAudit) was committed.
func AuditWritten(ctx context.Context) bool {
	pa, _ := ctx.Value(auditKey{}).(*pendingAudit)
	if pa == nil {
		return false
	}
	pa.mu.Lock()
	defer pa.mu.Unlock()
	return pa.written
}

// changer is an outcome that knows whether the write changed anything.
type changer interface{ changed() bool }

// RowsChanged is the outcome of a write that affects rows.
type RowsChanged int64

func (n RowsChanged) changed() bool { return n > 0 }

func (r SaveResult) changed() bool { return r.Action != SaveUnchanged }

// noteOutcome tells the pending audit entry of ctx what the write did.
func noteOutcome(ctx context.Context, outcome any) {
	if pa, _ := ctx.Value(auditKey{}).(*pendingAudit); pa != nil {
		pa.mu.Lock()
		pa.outcome = outcome
		pa.mu.Unlock()
	}
}

// appendPendingAudit writes the pending entry of ctx in tx, unless it is
// written already or the write changed nothing.
func (s *db) appendPendingAudit(ctx context.Context, tx runner) error {
	pa, _ := ctx.Value(auditKey{}).(*pendingAudit)
	if pa == nil {
		return nil
	}
	pa.mu.Lock()
	defer pa.mu.Unlock()
	pa.inTx = false
	if pa.written {
		return nil
	}
	e := pa.entry
	if c, ok := pa.outcome.(changer); ok && !c.changed() {
		return nil
	}
	if pa.describe != nil && !pa.describe(&e, pa.outcome) {
		return nil
	}
	if err := s.insertAudit(ctx, tx, &e); err != nil {
		return err
	}
	pa.inTx = true
	return nil
}

// auditCommitted marks the pending entry of ctx written once its
// transaction committed.
func auditCommitted(ctx context.Context, committed bool) {
	if pa, _ := ctx.Value(auditKey{}).(*pendingAudit); pa != nil {
		pa.mu.Lock()
		if pa.inTx && committed {
			pa.written = true
		}
		pa.inTx = false
		pa.mu.Unlock()
	}
}

func (s *db) insertAudit(ctx context.Context, tx runner, e *AuditEntry) error {
	if e.At.IsZero() {
		e.At = s.now()
	}
	e.At = normTime(e.At)
	if err := tx.queryRow(ctx, `INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		s.d.timeArg(e.At), e.Actor, e.Action, e.Target, e.Detail).Scan(&e.ID); err != nil {
		return fmt.Errorf("store: append audit: %w", err)
	}
	return nil
}

// AppendAudit implements Desk: an entry that records no stored change (a
// failed login).
func (s *db) AppendAudit(ctx context.Context, e *AuditEntry) error {
	ctx = withoutAudit(ctx)
	return s.write(ctx, func(tx runner) error { return s.insertAudit(ctx, tx, e) })
}

func withoutAudit(ctx context.Context) context.Context {
	return context.WithValue(ctx, auditKey{}, (*pendingAudit)(nil))
}

// WithSaveAudit is WithAuditFunc for SaveBrief: describe finishes the
// entry from the save's result. An unchanged save records nothing.
func WithSaveAudit(ctx context.Context, e AuditEntry, describe func(e *AuditEntry, res SaveResult)) context.Context {
	return WithAuditFunc(ctx, e, func(e *AuditEntry, outcome any) bool {
		res, ok := outcome.(SaveResult)
		if !ok || res.Action == SaveUnchanged {
			return false
		}
		describe(e, res)
		return true
	})
}
