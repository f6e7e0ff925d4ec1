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

// ClaimDeliveries implements Newsletter.
func (s *db) ClaimDeliveries(ctx context.Context, claims []DeliveryClaim, owner string, now, until time.Time) ([]Delivery, error) {
	if owner == "" {
		return nil, fmt.Errorf("store: claim deliveries: no owner: %w", ErrInvalid)
	}
	var out []Delivery
	nowArg, untilArg := s.d.timeArg(now), s.d.timeArg(until)
	// Lock subscribers in order of id, so that concurrent claimers never
	// deadlock.
	claims = slices.Clone(claims)
	slices.SortStableFunc(claims, func(a, b DeliveryClaim) int { return cmp.Compare(a.SubscriberID, b.SubscriberID) })
	err := s.writeRetry(ctx, func(tx runner) error {
		out = out[:0]
		for _, c := range claims {
			if c.Edition == "" {
				return fmt.Errorf("store: claim for subscriber %d has no edition: %w", c.SubscriberID, ErrInvalid)
			}
			// Lock the subscriber (PostgreSQL; SQLite holds the write
			// lock already), so that claims of two editions of one
			// subscriber are serialised, and check nothing went out
			// since the sender looked.
			var (
				status string
				last   dbTime
				busy   int
			)
			err := tx.queryRow(ctx, `SELECT s.status, s.last_digest_at,
				(SELECT count(*) FROM deliveries o WHERE o.subscriber_id = s.id AND o.edition <> ?
					AND o.state = 'sending' AND o.claimed_until >= ?)
				FROM subscribers s WHERE s.id = ?`+s.d.forUpdate, c.Edition, nowArg, c.SubscriberID).Scan(&status, &last, &busy)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			if status != string(SubscriberConfirmed) || busy > 0 {
				continue
			}
			seen := neverSent
			if c.LastDigestAt != nil {
				seen = normTime(*c.LastDigestAt)
			}
			stored := neverSent
			if last.Valid {
				stored = last.Time
			}
			if !stored.Equal(seen) {
				continue
			}
			if _, err := tx.exec(ctx, `INSERT INTO deliveries (subscriber_id, edition, state, attempts, created_at, updated_at)
				VALUES (?, ?, 'pending', 0, ?, ?) ON CONFLICT (subscriber_id, edition) DO NOTHING`,
				c.SubscriberID, c.Edition, nowArg, nowArg); err != nil {
				return err
			}
			maxAttempts := c.MaxAttempts
			if maxAttempts <= 0 {
				maxAttempts = 1 << 30
			}
			d, err := scanDelivery(tx.queryRow(ctx, `UPDATE deliveries SET state = 'sending', claimed_by = ?, claimed_until = ?,
				attempts = attempts + 1, updated_at = ?, window_start = ?, window_end = ?
				WHERE subscriber_id = ? AND edition = ?
				AND (state IN ('pending', 'failed') OR (state = 'sending' AND claimed_until < ?))
				AND attempts < ?
				RETURNING `+deliveryCols,
				owner, untilArg, nowArg, s.d.timeArg(c.WindowStart), s.d.timeArg(c.WindowEnd),
				c.SubscriberID, c.Edition, nowArg, maxAttempts))
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
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
	if r.At.IsZero() {
		r.At = s.now()
	}
	at := s.d.timeArg(r.At)
	var (
		set  string
		args []any
	)
	switch r.State {
	case DeliverySent:
		set, args = `state = 'sent', claimed_until = NULL, last_error = '', message_id = ?, briefs = ?, sent_at = ?, updated_at = ?`,
			[]any{r.MessageID, r.Briefs, at, at}
	case DeliveryFailed:
		set, args = `state = 'failed', claimed_until = NULL, last_error = ?, message_id = ?, updated_at = ?`, []any{r.Error, r.MessageID, at}
	case DeliveryBounced:
		set, args = `state = 'bounced', claimed_until = NULL, last_error = ?, message_id = ?, updated_at = ?`, []any{r.Error, r.MessageID, at}
	case DeliveryPending:
		set, args = `state = 'pending', claimed_by = '', claimed_until = NULL,
			attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, updated_at = ?`, []any{at}
	default:
		return false, fmt.Errorf("store: delivery result %q: %w", r.State, ErrInvalid)
	}
	args = append(args, id, owner)
	held := false
	err := s.writeRetry(ctx, func(tx runner) error {
		held = false
		if s.d.name == dialectPostgres {
			// Lock the subscriber before the delivery, in the order
			// ClaimDeliveries takes them, so that the two never deadlock.
			var one int
			err := tx.queryRow(ctx, `SELECT 1 FROM subscribers WHERE id = (SELECT subscriber_id FROM deliveries WHERE id = ?) FOR UPDATE`, id).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return nil
			}
			if err != nil {
				return err
			}
		}
		var (
			subID int64
			we    dbTime
		)
		err := tx.queryRow(ctx, `UPDATE deliveries SET `+set+` WHERE id = ? AND claimed_by = ? AND state = 'sending'
			RETURNING subscriber_id, window_end`, args...).Scan(&subID, &we)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		held = true
		switch {
		case r.State == DeliverySent && we.Valid:
			_, err = tx.exec(ctx, `UPDATE subscribers SET last_digest_at = ? WHERE id = ? AND (last_digest_at IS NULL OR last_digest_at < ?)`,
				s.d.timeArg(we.Time), subID, s.d.timeArg(we.Time))
		case r.State == DeliveryBounced:
			_, err = tx.exec(ctx, `UPDATE subscribers SET status = 'bounced', bounced_at = ?, bounce_reason = ?, updated_at = ?
				WHERE id = ? AND status = 'confirmed'`, at, r.Error, at, subID)
		}
		return err
	})
	if err != nil {
		if errors.Is(err, ErrInvalid) {
			return false, err
		}
		return false, fmt.Errorf("store: finish delivery: %w", err)
	}
	return held, nil
}
