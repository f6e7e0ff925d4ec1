// The delivery ledger of the digests (see the comment at the top of
// newsletter.go): which reader got which edition, claimed by one sender at
// a time, with exactly-once results.

package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

const deliveryCols = `id, subscriber_id, edition, state, claimed_by, claimed_until, attempts, last_error, message_id,
	window_start, window_end, briefs, created_at, updated_at, sent_at`

func scanDelivery(sc newsletterRow) (*Delivery, error) {
	var (
		d                                     Delivery
		state                                 string
		claimed, ws, we, created, updated, st dbTime
	)
	if err := sc.Scan(&d.ID, &d.SubscriberID, &d.Edition, &state, &d.ClaimedBy, &claimed, &d.Attempts, &d.LastError, &d.MessageID,
		&ws, &we, &d.Briefs, &created, &updated, &st); err != nil {
		return nil, err
	}
	d.State = DeliveryState(state)
	d.ClaimedUntil, d.WindowStart, d.WindowEnd, d.SentAt = claimed.Ptr(), ws.Ptr(), we.Ptr(), st.Ptr()
	d.CreatedAt, d.UpdatedAt = created.Time, updated.Time
	return &d, nil
}

// ListDeliveries implements Newsletter.
func (s *db) ListDeliveries(ctx context.Context, subscriberID int64) ([]Delivery, error) {
	rows, err := s.reader().query(ctx, `SELECT `+deliveryCols+` FROM deliveries WHERE subscriber_id = ? ORDER BY created_at DESC, id DESC`, subscriberID)
	if err != nil {
		return nil, fmt.Errorf("store: list deliveries: %w", err)
	}
	defer rows.Close()
	out := []Delivery{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list deliveries: %w", err)
		}
		out = append(out, *d)
	}
	return out, rows.Err()
}

// DueSubscribers implements Newsletter.
func (s *db) DueSubscribers(ctx context.Context, q DueQuery) ([]DueSubscriber, error) {
	if q.Daily == "" || q.Weekly == "" {
		return nil, fmt.Errorf("store: due subscribers: no edition keys: %w", ErrInvalid)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 1000
	}
	limit = min(limit, 10000)
	rows, err := s.reader().query(ctx, `SELECT `+qualifyCols("s", subscriberCols)+`, d.state, coalesce(d.attempts, 0), d.claimed_until
		FROM subscribers s
		LEFT JOIN deliveries d ON d.subscriber_id = s.id AND d.edition = CASE WHEN s.frequency = 'daily' THEN ? ELSE ? END
		WHERE s.status = 'confirmed' AND s.id > ? AND (d.state IS NULL OR d.state NOT IN ('sent', 'bounced'))
		ORDER BY s.id LIMIT ?`, q.Daily, q.Weekly, q.AfterID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: due subscribers: %w", err)
	}
	defer rows.Close()
	out := []DueSubscriber{}
	for rows.Next() {
		var (
			ds      DueSubscriber
			state   sql.NullString
			claimed dbTime
		)
		dest, fill := subscriberDest(&ds.Subscriber)
		dest = append(dest, &state, &ds.Attempts, &claimed)
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("store: due subscribers: %w", err)
		}
		if err := fill(); err != nil {
			return nil, fmt.Errorf("store: due subscribers: %w", err)
		}
		ds.State = DeliveryState(state.String)
		ds.Edition = q.Weekly
		if ds.Frequency == Daily {
			ds.Edition = q.Daily
		}
		ds.ClaimedUntil = claimed.Ptr()
		out = append(out, ds)
	}
	return out, rows.Err()
}

// prefixCols qualifies a comma-separated column list with a table alias.
func qualifyCols(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = alias + "." + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// neverSent stands for "never" in comparisons of nullable times.
var neverSent = time.Unix(0, 0).UTC()

// claimSQL inserts or takes one delivery for a claim: a new row starts in
// sending; an existing one is taken only when pending, failed, or sending
// under a lapsed lease, and below the attempts limit.
const claimSQL = `INSERT INTO deliveries (subscriber_id, edition, state, claimed_by, claimed_until, attempts,
	created_at, updated_at, window_start, window_end)
	VALUES (?, ?, 'sending', ?, ?, 1, ?, ?, ?, ?)
	ON CONFLICT (subscriber_id, edition) DO UPDATE SET state = 'sending', claimed_by = excluded.claimed_by,
	claimed_until = excluded.claimed_until, attempts = deliveries.attempts + 1, updated_at = excluded.updated_at,
	window_start = excluded.window_start, window_end = excluded.window_end
	WHERE (deliveries.state IN ('pending', 'failed') OR (deliveries.state = 'sending' AND deliveries.claimed_until < ?))
	AND deliveries.attempts < ?
	RETURNING ` + deliveryCols

// ClaimDeliveries implements Newsletter: one transaction, two queries for
// the batch (its subscribers, locked in PostgreSQL in order of id, and
// the editions of theirs being sent) and one prepared statement a claim.
func (s *db) ClaimDeliveries(ctx context.Context, claims []DeliveryClaim, owner string, now, until time.Time) ([]Delivery, error) {
	if owner == "" {
		return nil, fmt.Errorf("store: claim deliveries: no owner: %w", ErrInvalid)
	}
	for _, c := range claims {
		if c.Edition == "" {
			return nil, fmt.Errorf("store: claim for subscriber %d has no edition: %w", c.SubscriberID, ErrInvalid)
		}
	}
	if len(claims) == 0 {
		return nil, nil
	}
	var out []Delivery
	nowArg, untilArg := s.d.timeArg(now), s.d.timeArg(until)
	// Lock subscribers in order of id, so that concurrent claimers never
	// deadlock.
	claims = slices.Clone(claims)
	slices.SortStableFunc(claims, func(a, b DeliveryClaim) int { return cmp.Compare(a.SubscriberID, b.SubscriberID) })
	ids := make([]any, 0, len(claims))
	for i, c := range claims {
		if i == 0 || c.SubscriberID != claims[i-1].SubscriberID {
			ids = append(ids, c.SubscriberID)
		}
	}
	type subState struct {
		status string
		last   dbTime
	}
	err := s.writeRetry(ctx, func(tx runner) error {
		out = out[:0]
		// The subscribers, locked (PostgreSQL; SQLite holds the write
		// lock already), so that claims of two editions of one subscriber
		// are serialised.
		subs := make(map[int64]subState, len(ids))
		rows, err := tx.query(ctx, `SELECT id, status, last_digest_at FROM subscribers WHERE id IN (`+placeholders(len(ids))+`) ORDER BY id`+s.d.forUpdate, ids...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var (
				id int64
				st subState
			)
			if err := rows.Scan(&id, &st.status, &st.last); err != nil {
				rows.Close()
				return err
			}
			subs[id] = st
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// The editions of theirs held by an unexpired lease.
		sending := map[int64][]string{}
		rows, err = tx.query(ctx, `SELECT subscriber_id, edition FROM deliveries WHERE subscriber_id IN (`+placeholders(len(ids))+`)
			AND state = 'sending' AND claimed_until >= ?`, append(slices.Clone(ids), nowArg)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var (
				id int64
				ed string
			)
			if err := rows.Scan(&id, &ed); err != nil {
				rows.Close()
				return err
			}
			sending[id] = append(sending[id], ed)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, c := range claims {
			st, ok := subs[c.SubscriberID]
			if !ok || st.status != string(SubscriberConfirmed) {
				continue
			}
			busy := false
			for _, ed := range sending[c.SubscriberID] {
				busy = busy || ed != c.Edition
			}
			if busy {
				continue // another edition of the subscriber is being sent
			}
			// Nothing went out since the sender looked.
			seen := neverSent
			if c.LastDigestAt != nil {
				seen = normTime(*c.LastDigestAt)
			}
			stored := neverSent
			if st.last.Valid {
				stored = st.last.Time
			}
			if !stored.Equal(seen) {
				continue
			}
			maxAttempts := c.MaxAttempts
			if maxAttempts <= 0 {
				maxAttempts = 1 << 30
			}
			d, err := scanDelivery(tx.hot().queryRow(ctx, claimSQL,
				c.SubscriberID, c.Edition, owner, untilArg, nowArg, nowArg, s.d.timeArg(c.WindowStart), s.d.timeArg(c.WindowEnd),
				nowArg, maxAttempts))
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			sending[c.SubscriberID] = append(sending[c.SubscriberID], c.Edition)
			out = append(out, *d)
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrInvalid) {
			return nil, err
		}
		return nil, fmt.Errorf("store: claim deliveries: %w", err)
	}
	return out, nil
}

// isRetryableTx reports a PostgreSQL deadlock or serialization failure,
// after which the whole transaction may simply run again.
func isRetryableTx(err error) bool {
	if err == nil {
		return false
	}
	m := err.Error()
	return strings.Contains(m, "40P01") || strings.Contains(m, "40001")
}

// writeRetry is write, run again (up to five times) after a deadlock or
// serialization failure.
func (s *db) writeRetry(ctx context.Context, fn func(tx runner) error) error {
	var err error
	for attempt := 1; attempt <= 5; attempt++ {
		err = s.write(ctx, fn)
		if !isRetryableTx(err) || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(attempt*attempt) * 10 * time.Millisecond)
	}
	return err
}

// FinishDelivery implements Newsletter.
func (s *db) FinishDelivery(ctx context.Context, id int64, owner string, r DeliveryResult) (bool, error) {
	held, err := s.FinishDeliveries(ctx, owner, []DeliveryOutcome{{ID: id, Result: r}})
	if err != nil {
		return false, err
	}
	return held[0], nil
}

// finishSQL is the statement that records a result of state st.
func finishSQL(st DeliveryState) (string, error) {
	var set string
	switch st {
	case DeliverySent:
		set = `state = 'sent', claimed_until = NULL, last_error = '', message_id = ?, briefs = ?, sent_at = ?, updated_at = ?`
	case DeliveryFailed:
		set = `state = 'failed', claimed_until = NULL, last_error = ?, message_id = ?, updated_at = ?`
	case DeliveryBounced:
		set = `state = 'bounced', claimed_until = NULL, last_error = ?, message_id = ?, updated_at = ?`
	case DeliveryPending:
		set = `state = 'pending', claimed_by = '', claimed_until = NULL,
			attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, updated_at = ?`
	default:
		return "", fmt.Errorf("store: delivery result %q: %w", st, ErrInvalid)
	}
	return `UPDATE deliveries SET ` + set + ` WHERE id = ? AND claimed_by = ? AND state = 'sending' RETURNING subscriber_id, window_end`, nil
}

// finishArgs are the arguments of r's finishSQL before the id and owner.
func (s *db) finishArgs(r DeliveryResult) []any {
	at := s.d.timeArg(r.At)
	switch r.State {
	case DeliverySent:
		return []any{r.MessageID, r.Briefs, at, at}
	case DeliveryFailed, DeliveryBounced:
		return []any{r.Error, r.MessageID, at}
	}
	return []any{at}
}

// FinishDeliveries implements Newsletter: one transaction for the batch,
// each statement prepared once (SQLite; PostgreSQL's driver caches them).
func (s *db) FinishDeliveries(ctx context.Context, owner string, outcomes []DeliveryOutcome) ([]bool, error) {
	const (
		lastDigest = `UPDATE subscribers SET last_digest_at = ? WHERE id = ? AND (last_digest_at IS NULL OR last_digest_at < ?)`
		bounced    = `UPDATE subscribers SET status = 'bounced', bounced_at = ?, bounce_reason = ?, updated_at = ?
				WHERE id = ? AND status = 'confirmed'`
	)
	held := make([]bool, len(outcomes))
	if len(outcomes) == 0 {
		return held, nil
	}
	queries := make([]string, len(outcomes))
	args := make([][]any, len(outcomes))
	results := make([]DeliveryResult, len(outcomes))
	for i, o := range outcomes {
		r := o.Result
		if r.At.IsZero() {
			r.At = s.now()
		}
		q, err := finishSQL(r.State)
		if err != nil {
			return nil, err
		}
		if s.d.name == dialectPostgres && r.State == DeliverySent {
			// One round trip: the subscriber's last digest moves in the
			// same statement.
			q = `WITH d AS (` + q + `),
				u AS (UPDATE subscribers SET last_digest_at = d.window_end FROM d
					WHERE subscribers.id = d.subscriber_id AND d.window_end IS NOT NULL
					AND (subscribers.last_digest_at IS NULL OR subscribers.last_digest_at < d.window_end))
				SELECT subscriber_id, NULL FROM d` // no window end: nothing more to do below
		}
		queries[i], args[i], results[i] = q, append(s.finishArgs(r), o.ID, owner), r
	}
	err := s.writeRetry(ctx, func(tx runner) error {
		clear(held)
		if s.d.name == dialectPostgres {
			// Lock the subscribers before the deliveries, in the order
			// ClaimDeliveries takes them, so that the two never deadlock.
			ids := make([]any, len(outcomes))
			for i, o := range outcomes {
				ids[i] = o.ID
			}
			rows, err := tx.query(ctx, `SELECT s.id FROM subscribers s WHERE s.id IN (SELECT subscriber_id FROM deliveries WHERE id IN (`+
				placeholders(len(ids))+`)) ORDER BY s.id FOR UPDATE`, ids...)
			if err != nil {
				return err
			}
			for rows.Next() {
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		for i, r := range results {
			var (
				subID int64
				we    dbTime
			)
			err := tx.hot().queryRow(ctx, queries[i], args[i]...).Scan(&subID, &we)
			if errors.Is(err, sql.ErrNoRows) {
				continue // no longer held by owner
			}
			if err != nil {
				return err
			}
			held[i] = true
			switch {
			case r.State == DeliverySent && we.Valid:
				_, err = tx.hot().exec(ctx, lastDigest, s.d.timeArg(we.Time), subID, s.d.timeArg(we.Time))
			case r.State == DeliveryBounced:
				at := s.d.timeArg(r.At)
				_, err = tx.hot().exec(ctx, bounced, at, r.Error, at, subID)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrInvalid) {
			return nil, err
		}
		return nil, fmt.Errorf("store: finish deliveries: %w", err)
	}
	return held, nil
}
