package store

// The newsletter (issue 6, migration 00004_newsletter): subscribers and
// their preferences, the delivery ledger that makes digests go out exactly
// once, and settings. Events are in events.go. The HTTP side lives in
// internal/newsletter, the digests in internal/digest.
//
// The delivery ledger. A digest is one edition (e.g. "daily:2026-11-28")
// for one subscriber, and has one row in deliveries, unique on
// (subscriber_id, edition). A sender claims rows in a transaction: the row
// is inserted if missing (ON CONFLICT DO NOTHING) and moved from pending
// (or failed, or sending with an expired lease) to sending with a lease
// (claimed_by, claimed_until); it sends only the rows it claimed, and
// FinishDelivery moves each to sent, failed or bounced, but only while the
// sender still holds the row. Two senders never hold the same row; a
// sender that dies leaves rows in sending, which the next sender takes
// over when their lease has expired.

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// SubscriberStatus is where a subscriber stands.
type SubscriberStatus string

// Subscriber states.
const (
	// SubscriberPending: subscribed, the confirmation link not yet followed.
	SubscriberPending SubscriberStatus = "pending"
	// SubscriberConfirmed: receives digests.
	SubscriberConfirmed SubscriberStatus = "confirmed"
	// SubscriberUnsubscribed: asked to receive nothing more.
	SubscriberUnsubscribed SubscriberStatus = "unsubscribed"
	// SubscriberBounced: the mail server refused the address permanently.
	SubscriberBounced SubscriberStatus = "bounced"
)

// Valid reports whether s is one of the states.
func (s SubscriberStatus) Valid() bool {
	switch s {
	case SubscriberPending, SubscriberConfirmed, SubscriberUnsubscribed, SubscriberBounced:
		return true
	}
	return false
}

// Frequency is how often a subscriber gets a digest.
type Frequency string

// Frequencies.
const (
	Daily  Frequency = "daily"
	Weekly Frequency = "weekly"
)

// Valid reports whether f is daily or weekly.
func (f Frequency) Valid() bool { return f == Daily || f == Weekly }

// Subscriber is a reader who signed up for the digest.
type Subscriber struct {
	ID        int64            `json:"id"`
	Email     string           `json:"email"`
	Status    SubscriberStatus `json:"status"`
	Frequency Frequency        `json:"frequency"`
	// Topics and Firms are slugs; a subscriber with neither gets every
	// brief.
	Topics []string `json:"topics"`
	Firms  []string `json:"firms"`
	// Nonce is mixed into the signature of the subscriber's links
	// (confirm, preferences, unsubscribe); it never leaves the server.
	Nonce string `json:"-"`
	// SignupIP and ConfirmIP are the record of consent.
	SignupIP       string     `json:"signup_ip,omitempty"`
	ConfirmIP      string     `json:"confirm_ip,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	ConfirmedAt    *time.Time `json:"confirmed_at,omitempty"`
	UnsubscribedAt *time.Time `json:"unsubscribed_at,omitempty"`
	BouncedAt      *time.Time `json:"bounced_at,omitempty"`
	BounceReason   string     `json:"bounce_reason,omitempty"`
	// LastDigestAt is the end of the window of the last digest sent: the
	// next digest has the briefs published after it.
	LastDigestAt *time.Time `json:"last_digest_at,omitempty"`
}

// SubscribeRequest is a sign-up from the Stay Tuned form.
type SubscribeRequest struct {
	Email     string
	Frequency Frequency // default weekly
	Topics    []string  // slugs
	Firms     []string  // slugs
	IP        string
	At        time.Time // default now
}

// Preferences are what a subscriber may change without a password.
type Preferences struct {
	Frequency Frequency
	Topics    []string
	Firms     []string
}

// SubscriberFilter selects subscribers for a listing, in order of id.
type SubscriberFilter struct {
	Status  SubscriberStatus // zero: every status
	AfterID int64
	Limit   int // default 100, at most 10000
}

// DeliveryState is where a digest stands.
type DeliveryState string

// Delivery states.
const (
	DeliveryPending DeliveryState = "pending"
	DeliverySending DeliveryState = "sending"
	DeliverySent    DeliveryState = "sent"
	DeliveryFailed  DeliveryState = "failed" // temporary failure; retried by the next run
	DeliveryBounced DeliveryState = "bounced"
)

// Delivery is one edition of the digest for one subscriber.
type Delivery struct {
	ID           int64         `json:"id"`
	SubscriberID int64         `json:"subscriber_id"`
	Edition      string        `json:"edition"`
	State        DeliveryState `json:"state"`
	ClaimedBy    string        `json:"claimed_by,omitempty"`
	ClaimedUntil *time.Time    `json:"claimed_until,omitempty"`
	Attempts     int           `json:"attempts"`
	LastError    string        `json:"last_error,omitempty"`
	MessageID    string        `json:"message_id,omitempty"`
	WindowStart  *time.Time    `json:"window_start,omitempty"`
	WindowEnd    *time.Time    `json:"window_end,omitempty"`
	Briefs       int           `json:"briefs"`
	CreatedAt    time.Time     `json:"created_at"`
	UpdatedAt    time.Time     `json:"updated_at"`
	SentAt       *time.Time    `json:"sent_at,omitempty"`
}

// DueQuery asks for confirmed subscribers whose current edition has not
// gone out (no delivery, or one that is pending, sending or failed).
type DueQuery struct {
	// Daily and Weekly are the current edition keys of each frequency.
	Daily, Weekly string
	AfterID       int64
	Limit         int // default 1000, at most 10000
}

// DueSubscriber is a subscriber with the current edition and the state of
// its delivery, if any.
type DueSubscriber struct {
	Subscriber
	Edition string `json:"edition"`
	// State is empty when the edition has no delivery row yet.
	State        DeliveryState `json:"state,omitempty"`
	Attempts     int           `json:"attempts"`
	ClaimedUntil *time.Time    `json:"claimed_until,omitempty"`
}

// DeliveryClaim asks to take one subscriber's edition for sending.
type DeliveryClaim struct {
	SubscriberID int64
	Edition      string
	// LastDigestAt is the subscriber's LastDigestAt as the sender read it:
	// the claim fails if another digest went out since (optimistic check).
	LastDigestAt *time.Time
	// WindowStart and WindowEnd bound the publication times of the briefs
	// in this digest; WindowEnd becomes LastDigestAt once it is sent.
	WindowStart, WindowEnd time.Time
	// MaxAttempts refuses the claim after that many attempts (0: no limit).
	MaxAttempts int
}

// DeliveryResult is how a send ended.
type DeliveryResult struct {
	// State is sent, failed or bounced; pending releases the claim without
	// counting the attempt (the sender gave up before sending).
	State     DeliveryState
	Error     string
	MessageID string
	Briefs    int
	At        time.Time // default now
}

// Newsletter keeps subscribers, the delivery ledger, events and settings.
type Newsletter interface {
	// EnsureSetting stores value under key unless the key already has a
	// value, and returns the stored value (the first writer wins, also
	// across processes).
	EnsureSetting(ctx context.Context, key, value string) (string, error)
	// SetSetting stores value under key, replacing any earlier value.
	SetSetting(ctx context.Context, key, value string) error
	// Setting returns the value stored under key, or ErrNotFound.
	Setting(ctx context.Context, key string) (string, error)

	// Subscribe records a sign-up in one transaction and returns the
	// stored subscriber and its status before ("" for a new address). A
	// new address, or one pending, unsubscribed or bounced, becomes
	// pending with the requested preferences; a confirmed subscriber is
	// left unchanged (preferences change only through a signed link).
	// ErrInvalid for a malformed address or frequency.
	Subscribe(ctx context.Context, r SubscribeRequest) (*Subscriber, SubscriberStatus, error)
	// ImportSubscribers adds subscribers in one transaction (status,
	// frequency and preferences as given; default confirmed and weekly),
	// skipping addresses already present. It returns how many it added.
	ImportSubscribers(ctx context.Context, subs []Subscriber) (int, error)
	GetSubscriber(ctx context.Context, id int64) (*Subscriber, error)
	// GetSubscriberByEmail compares addresses ignoring case.
	GetSubscriberByEmail(ctx context.Context, email string) (*Subscriber, error)
	ListSubscribers(ctx context.Context, f SubscriberFilter) ([]Subscriber, error)
	// CountSubscribers counts subscribers by status.
	CountSubscribers(ctx context.Context) (map[SubscriberStatus]int, error)
	// ConfirmSubscriber turns a pending subscriber into a confirmed one
	// (a confirmed one stays as it is). ErrConflict when the subscriber
	// is unsubscribed or bounced: an old confirmation link must not
	// undo an unsubscribe.
	ConfirmSubscriber(ctx context.Context, id int64, ip string, at time.Time) (*Subscriber, error)
	UpdatePreferences(ctx context.Context, id int64, p Preferences) (*Subscriber, error)
	// SetSubscriberStatus unsubscribes, resubscribes (confirmed) or marks
	// a bounce, with the time and, for a bounce, the reason.
	SetSubscriberStatus(ctx context.Context, id int64, status SubscriberStatus, at time.Time, reason string) (*Subscriber, error)
	// DeleteSubscriber erases a subscriber and its deliveries.
	DeleteSubscriber(ctx context.Context, id int64) error
	// ListDeliveries returns a subscriber's deliveries, newest first.
	ListDeliveries(ctx context.Context, subscriberID int64) ([]Delivery, error)

	// DueSubscribers lists confirmed subscribers in order of id whose
	// current edition has not been sent or bounced.
	DueSubscribers(ctx context.Context, q DueQuery) ([]DueSubscriber, error)
	// ClaimDeliveries claims, in one transaction, the editions it can for
	// owner until `until` and returns the claimed deliveries (state
	// sending). A claim is refused when the edition is sent, bounced, or
	// held by an unexpired lease; when the subscriber is no longer
	// confirmed or got a digest since the sender looked; when another
	// edition of the subscriber is being sent; or past MaxAttempts.
	ClaimDeliveries(ctx context.Context, claims []DeliveryClaim, owner string, now, until time.Time) ([]Delivery, error)
	// FinishDelivery records how a claimed send ended. It reports false,
	// changing nothing, when owner no longer holds the delivery. Sent
	// moves the subscriber's LastDigestAt to the delivery's window end;
	// bounced marks the subscriber bounced.
	FinishDelivery(ctx context.Context, id int64, owner string, r DeliveryResult) (bool, error)

	// ---- Events (events.go) ----
	// SaveEvent creates or updates the event with e.Slug (a slug is made
	// from the date and title when empty) and returns it as stored.
	SaveEvent(ctx context.Context, e *Event) (*Event, error)
	GetEvent(ctx context.Context, slug string) (*Event, error)
	// ListEvents lists events in order of start.
	ListEvents(ctx context.Context, f EventFilter) ([]Event, error)
	DeleteEvent(ctx context.Context, slug string) error
}

var _ Newsletter = (*db)(nil)

// EnsureSetting implements Newsletter.
func (s *db) EnsureSetting(ctx context.Context, key, value string) (string, error) {
	var out string
	err := s.write(ctx, func(tx runner) error {
		if _, err := tx.exec(ctx, `INSERT INTO settings (key, value, created_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING`,
			key, value, s.d.timeArg(s.now())); err != nil {
			return err
		}
		return tx.queryRow(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&out)
	})
	if err != nil {
		return "", fmt.Errorf("store: setting %s: %w", key, err)
	}
	return out, nil
}

// SettingBaseURL is the setting under which `serve` records the public
// address it serves (its --base-url, or http://ADDR), so that commands run
// apart from it, such as `digest send`, write links that work.
const SettingBaseURL = "site.base_url"

// SetSetting implements Newsletter.
func (s *db) SetSetting(ctx context.Context, key, value string) error {
	err := s.write(ctx, func(tx runner) error {
		_, err := tx.exec(ctx, `INSERT INTO settings (key, value, created_at) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value, s.d.timeArg(s.now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: setting %s: %w", key, err)
	}
	return nil
}

// Setting implements Newsletter.
func (s *db) Setting(ctx context.Context, key string) (string, error) {
	var out string
	err := s.reader().queryRow(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&out)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: setting %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("store: setting %s: %w", key, err)
	}
	return out, nil
}

const subscriberCols = `id, email, status, frequency, topics, firms, nonce, signup_ip, confirm_ip, created_at, updated_at,
	confirmed_at, unsubscribed_at, bounced_at, bounce_reason, last_digest_at`

type newsletterRow interface{ Scan(...any) error }

// subscriberDest returns the scan destinations of subscriberCols and a
// function that fills sub from them.
func subscriberDest(sub *Subscriber) ([]any, func() error) {
	var (
		status, freq                       string
		topics, firms                      []byte
		created, updated, conf, unsub, bnc dbTime
		last                               dbTime
	)
	dest := []any{&sub.ID, &sub.Email, &status, &freq, &topics, &firms, &sub.Nonce, &sub.SignupIP, &sub.ConfirmIP,
		&created, &updated, &conf, &unsub, &bnc, &sub.BounceReason, &last}
	return dest, func() error {
		sub.Status, sub.Frequency = SubscriberStatus(status), Frequency(freq)
		if err := parseList(topics, &sub.Topics); err != nil {
			return err
		}
		if err := parseList(firms, &sub.Firms); err != nil {
			return err
		}
		sub.CreatedAt, sub.UpdatedAt = created.Time, updated.Time
		sub.ConfirmedAt, sub.UnsubscribedAt, sub.BouncedAt, sub.LastDigestAt = conf.Ptr(), unsub.Ptr(), bnc.Ptr(), last.Ptr()
		return nil
	}
}

func scanSubscriber(sc newsletterRow) (*Subscriber, error) {
	var sub Subscriber
	dest, fill := subscriberDest(&sub)
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	if err := fill(); err != nil {
		return nil, err
	}
	return &sub, nil
}

// normEmail trims an address and returns it with its lower-case key.
func normEmail(email string) (string, string, error) {
	email = strings.TrimSpace(email)
	at := strings.LastIndexByte(email, '@')
	if at <= 0 || at == len(email)-1 || len(email) > 254 || strings.ContainsAny(email, " \t\r\n<>,;\"") {
		return "", "", fmt.Errorf("store: %q is not an e-mail address: %w", email, ErrInvalid)
	}
	return email, strings.ToLower(email), nil
}

// cleanSlugs drops empty and repeated slugs, keeping order.
func cleanSlugList(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}

func newSubscriberNonce() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Subscribe implements Newsletter.
func (s *db) Subscribe(ctx context.Context, r SubscribeRequest) (*Subscriber, SubscriberStatus, error) {
	email, key, err := normEmail(r.Email)
	if err != nil {
		return nil, "", err
	}
	if r.Frequency == "" {
		r.Frequency = Weekly
	}
	if !r.Frequency.Valid() {
		return nil, "", fmt.Errorf("store: frequency %q: %w", r.Frequency, ErrInvalid)
	}
	if r.At.IsZero() {
		r.At = s.now()
	}
	at := s.d.timeArg(r.At)
	topics, firms := jsonList(cleanSlugList(r.Topics)), jsonList(cleanSlugList(r.Firms))
	var (
		out  *Subscriber
		prev SubscriberStatus
	)
	err = s.write(ctx, func(tx runner) error {
		cur, err := scanSubscriber(tx.queryRow(ctx, `SELECT `+subscriberCols+` FROM subscribers WHERE email_key = ?`+s.d.forUpdate, key))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			var id int64
			if err := tx.queryRow(ctx, `INSERT INTO subscribers (email, email_key, status, frequency, topics, firms, nonce, signup_ip, created_at, updated_at)
				VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				email, key, string(r.Frequency), topics, firms, newSubscriberNonce(), r.IP, at, at).Scan(&id); err != nil {
				return err
			}
			out, err = scanSubscriber(tx.queryRow(ctx, `SELECT `+subscriberCols+` FROM subscribers WHERE id = ?`, id))
			return err
		case err != nil:
			return err
		}
		prev = cur.Status
		if cur.Status == SubscriberConfirmed {
			out = cur
			return nil
		}
		if _, err := tx.exec(ctx, `UPDATE subscribers SET email = ?, status = 'pending', frequency = ?, topics = ?, firms = ?,
			signup_ip = ?, updated_at = ? WHERE id = ?`,
			email, string(r.Frequency), topics, firms, r.IP, at, cur.ID); err != nil {
			return err
		}
		out, err = scanSubscriber(tx.queryRow(ctx, `SELECT `+subscriberCols+` FROM subscribers WHERE id = ?`, cur.ID))
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("store: subscribe: %w", err)
	}
	return out, prev, nil
}

// ImportSubscribers implements Newsletter.
func (s *db) ImportSubscribers(ctx context.Context, subs []Subscriber) (int, error) {
	added := 0
	now := s.now()
	err := s.write(ctx, func(tx runner) error {
		added = 0
		for _, sub := range subs {
			email, key, err := normEmail(sub.Email)
			if err != nil {
				return err
			}
			if sub.Status == "" {
				sub.Status = SubscriberConfirmed
			}
			if sub.Frequency == "" {
				sub.Frequency = Weekly
			}
			if !sub.Status.Valid() || !sub.Frequency.Valid() {
				return fmt.Errorf("store: subscriber %s: status %q, frequency %q: %w", email, sub.Status, sub.Frequency, ErrInvalid)
			}
			created := sub.CreatedAt
			if created.IsZero() {
				created = now
			}
			confirmed := sub.ConfirmedAt
			if confirmed == nil && sub.Status == SubscriberConfirmed {
				confirmed = &created
			}
			nonce := sub.Nonce
			if nonce == "" {
				nonce = newSubscriberNonce()
			}
			res, err := tx.exec(ctx, `INSERT INTO subscribers (email, email_key, status, frequency, topics, firms, nonce, signup_ip, confirm_ip,
				created_at, updated_at, confirmed_at, last_digest_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (email_key) DO NOTHING`,
				email, key, string(sub.Status), string(sub.Frequency), jsonList(cleanSlugList(sub.Topics)), jsonList(cleanSlugList(sub.Firms)),
				nonce, sub.SignupIP, sub.ConfirmIP, s.d.timeArg(created), s.d.timeArg(now), s.d.timePtrArg(confirmed), s.d.timePtrArg(sub.LastDigestAt))
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			added += int(n)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: import subscribers: %w", err)
	}
	return added, nil
}

// GetSubscriber implements Newsletter.
func (s *db) GetSubscriber(ctx context.Context, id int64) (*Subscriber, error) {
	sub, err := scanSubscriber(s.reader().queryRow(ctx, `SELECT `+subscriberCols+` FROM subscribers WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: subscriber %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get subscriber: %w", err)
	}
	return sub, nil
}

// GetSubscriberByEmail implements Newsletter.
func (s *db) GetSubscriberByEmail(ctx context.Context, email string) (*Subscriber, error) {
	sub, err := scanSubscriber(s.reader().queryRow(ctx, `SELECT `+subscriberCols+` FROM subscribers WHERE email_key = ?`,
		strings.ToLower(strings.TrimSpace(email))))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: subscriber %s: %w", email, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get subscriber: %w", err)
	}
	return sub, nil
}

// ListSubscribers implements Newsletter.
func (s *db) ListSubscribers(ctx context.Context, f SubscriberFilter) ([]Subscriber, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 10000)
	q := `SELECT ` + subscriberCols + ` FROM subscribers WHERE id > ?`
	args := []any{f.AfterID}
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, string(f.Status))
	}
	q += ` ORDER BY id LIMIT ?`
	args = append(args, limit)
	rows, err := s.reader().query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list subscribers: %w", err)
	}
	defer rows.Close()
	out := []Subscriber{}
	for rows.Next() {
		sub, err := scanSubscriber(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list subscribers: %w", err)
		}
		out = append(out, *sub)
	}
	return out, rows.Err()
}

// CountSubscribers implements Newsletter.
func (s *db) CountSubscribers(ctx context.Context) (map[SubscriberStatus]int, error) {
	rows, err := s.reader().query(ctx, `SELECT status, count(*) FROM subscribers GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("store: count subscribers: %w", err)
	}
	defer rows.Close()
	out := map[SubscriberStatus]int{}
	for rows.Next() {
		var (
			st string
			n  int
		)
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("store: count subscribers: %w", err)
		}
		out[SubscriberStatus(st)] = n
	}
	return out, rows.Err()
}

// updateSubscriber runs fn on the locked subscriber in a write transaction
// and returns the subscriber as stored afterwards.
func (s *db) updateSubscriber(ctx context.Context, what string, id int64, fn func(tx runner, cur *Subscriber) error) (*Subscriber, error) {
	var out *Subscriber
	err := s.write(ctx, func(tx runner) error {
		cur, err := scanSubscriber(tx.queryRow(ctx, `SELECT `+subscriberCols+` FROM subscribers WHERE id = ?`+s.d.forUpdate, id))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: subscriber %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if err := fn(tx, cur); err != nil {
			return err
		}
		out, err = scanSubscriber(tx.queryRow(ctx, `SELECT `+subscriberCols+` FROM subscribers WHERE id = ?`, id))
		return err
	})
	if err != nil {
		if errors.Is(err, ErrNotFound) || errors.Is(err, ErrInvalid) || errors.Is(err, ErrConflict) {
			return nil, err
		}
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// ConfirmSubscriber implements Newsletter.
func (s *db) ConfirmSubscriber(ctx context.Context, id int64, ip string, at time.Time) (*Subscriber, error) {
	if at.IsZero() {
		at = s.now()
	}
	return s.updateSubscriber(ctx, "confirm subscriber", id, func(tx runner, cur *Subscriber) error {
		switch cur.Status {
		case SubscriberConfirmed:
			return nil
		case SubscriberPending:
			_, err := tx.exec(ctx, `UPDATE subscribers SET status = 'confirmed', confirmed_at = ?, confirm_ip = ?, updated_at = ?,
				unsubscribed_at = NULL, bounced_at = NULL, bounce_reason = '' WHERE id = ?`,
				s.d.timeArg(at), ip, s.d.timeArg(at), id)
			return err
		}
		return fmt.Errorf("store: subscriber %d is %s: %w", id, cur.Status, ErrConflict)
	})
}

// UpdatePreferences implements Newsletter.
func (s *db) UpdatePreferences(ctx context.Context, id int64, p Preferences) (*Subscriber, error) {
	if p.Frequency == "" {
		p.Frequency = Weekly
	}
	if !p.Frequency.Valid() {
		return nil, fmt.Errorf("store: frequency %q: %w", p.Frequency, ErrInvalid)
	}
	return s.updateSubscriber(ctx, "update preferences", id, func(tx runner, cur *Subscriber) error {
		_, err := tx.exec(ctx, `UPDATE subscribers SET frequency = ?, topics = ?, firms = ?, updated_at = ? WHERE id = ?`,
			string(p.Frequency), jsonList(cleanSlugList(p.Topics)), jsonList(cleanSlugList(p.Firms)), s.d.timeArg(s.now()), id)
		return err
	})
}

// SetSubscriberStatus implements Newsletter.
func (s *db) SetSubscriberStatus(ctx context.Context, id int64, status SubscriberStatus, at time.Time, reason string) (*Subscriber, error) {
	if at.IsZero() {
		at = s.now()
	}
	t := s.d.timeArg(at)
	return s.updateSubscriber(ctx, "set subscriber status", id, func(tx runner, cur *Subscriber) error {
		if cur.Status == status {
			return nil
		}
		var err error
		switch status {
		case SubscriberUnsubscribed:
			_, err = tx.exec(ctx, `UPDATE subscribers SET status = 'unsubscribed', unsubscribed_at = ?, updated_at = ? WHERE id = ?`, t, t, id)
		case SubscriberBounced:
			_, err = tx.exec(ctx, `UPDATE subscribers SET status = 'bounced', bounced_at = ?, bounce_reason = ?, updated_at = ? WHERE id = ?`,
				t, reason, t, id)
		case SubscriberConfirmed:
			_, err = tx.exec(ctx, `UPDATE subscribers SET status = 'confirmed', confirmed_at = coalesce(confirmed_at, ?),
				unsubscribed_at = NULL, bounced_at = NULL, bounce_reason = '', updated_at = ? WHERE id = ?`, t, t, id)
		case SubscriberPending:
			_, err = tx.exec(ctx, `UPDATE subscribers SET status = 'pending', updated_at = ? WHERE id = ?`, t, id)
		default:
			return fmt.Errorf("store: subscriber status %q: %w", status, ErrInvalid)
		}
		return err
	})
}

// DeleteSubscriber implements Newsletter.
func (s *db) DeleteSubscriber(ctx context.Context, id int64) error {
	var n int64
	err := s.write(ctx, func(tx runner) error {
		if _, err := tx.exec(ctx, `DELETE FROM deliveries WHERE subscriber_id = ?`, id); err != nil {
			return err
		}
		res, err := tx.exec(ctx, `DELETE FROM subscribers WHERE id = ?`, id)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("store: delete subscriber: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("store: subscriber %d: %w", id, ErrNotFound)
	}
	return nil
}

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
