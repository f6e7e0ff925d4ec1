package digest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"legists/internal/mail"
	"legists/internal/store"
)

// Runner sends the digests that are due. Several runners (processes or
// goroutines) may run at once on one database: the delivery ledger hands
// each digest to exactly one of them.
type Runner struct {
	Store  store.Store
	Sender mail.Sender
	// BaseURL is the site's public address, for links in the digest.
	BaseURL string
	// From is the author, e.g. "Legists <newsletter@legists.example>"
	// (default newsletter@ the base URL's host).
	From string
	// Tokens signs links (default: loaded from the store).
	Tokens *Tokens

	// Lease is how long a claimed digest is reserved for this runner
	// (default 10 minutes). A runner that dies holds its digests that
	// long; a live one only starts a send with a third of the lease left.
	Lease time.Duration
	// Workers is the number of digests rendered and sent at once
	// (default: the sender's connections, else 4).
	Workers int
	// ClaimSize is how many digests are claimed per transaction (default
	// 4 per worker, at most 100); PageSize how many subscribers are read
	// per query (default 1000).
	ClaimSize, PageSize int
	// MaxAttempts stops retrying an edition after that many temporary
	// failures (default 5; its briefs go into the next edition).
	MaxAttempts int
	// MaxBriefs and MaxEvents bound a digest (default 20 and 5).
	MaxBriefs, MaxEvents int
	// MaxWindow bounds how far back a digest reaches (default 31 days);
	// EventHorizon how far ahead events are shown (default 60 days).
	MaxWindow, EventHorizon time.Duration
	// Owner names this runner in the ledger (default host-pid-random).
	Owner string
	// Now is the clock (default time.Now).
	Now    func() time.Time
	Logger *slog.Logger
	// Progress, when set, is called after every message with the counts
	// so far.
	Progress func(Result)
	// Track, when set, is called as every Run starts, and the function
	// it returns as the Run ends, with its error: legists digest send and
	// the digest worker pass metrics.Job(metrics.KindDigestSend). Leave it
	// nil where the caller already times the run (the job queue does).
	Track func() (done func(error))

	once sync.Once
}

// Result counts what a run did. Due digests are those with something new
// to send; each ends as sent, skipped (held by another sender, or left for
// the next run), failed (a temporary failure: retried by the next run) or
// bounced (a permanent failure: the address gets no more mail).
type Result struct {
	Due     int `json:"due"`
	Sent    int `json:"sent"`
	Skipped int `json:"skipped"`
	Failed  int `json:"failed"`
	Bounced int `json:"bounced"`
	// Subscribers is the number of confirmed subscribers whose edition
	// was not yet out; NothingNew those of them without a matching brief.
	Subscribers int `json:"subscribers"`
	NothingNew  int `json:"nothing_new"`
	// Editions are the edition keys of the run.
	Editions []string `json:"editions"`
	Duration string   `json:"duration"`
}

func (r *Runner) defaults() {
	if r.Lease <= 0 {
		r.Lease = 10 * time.Minute
	}
	if r.Workers <= 0 {
		r.Workers = 4
		if c, ok := r.Sender.(interface{ Conns() int }); ok && c.Conns() > 0 {
			r.Workers = c.Conns()
		}
	}
	if r.ClaimSize <= 0 {
		r.ClaimSize = min(100, max(16, 4*r.Workers))
	}
	if r.PageSize <= 0 {
		r.PageSize = 1000
	}
	if r.MaxAttempts <= 0 {
		r.MaxAttempts = 5
	}
	if r.MaxBriefs <= 0 {
		r.MaxBriefs = 20
	}
	if r.MaxEvents <= 0 {
		r.MaxEvents = 5
	}
	if r.MaxWindow <= 0 {
		r.MaxWindow = 31 * 24 * time.Hour
	}
	if r.EventHorizon <= 0 {
		r.EventHorizon = 60 * 24 * time.Hour
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.Logger == nil {
		r.Logger = slog.Default()
	}
	if r.Owner == "" {
		host, _ := os.Hostname()
		var rnd [4]byte
		_, _ = rand.Read(rnd[:])
		r.Owner = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(rnd[:]))
	}
	if r.From == "" {
		r.From = DefaultFrom(r.BaseURL)
	}
}

// DefaultFrom is "Legists <newsletter@HOST>" for the base URL's host
// (legists.localhost for an IP address or none).
func DefaultFrom(baseURL string) string {
	return "Legists <newsletter@" + mailHost(baseURL) + ">"
}

func mailHost(baseURL string) string {
	u, err := url.Parse(baseURL)
	host := ""
	if err == nil {
		host = u.Hostname()
	}
	if host == "" || strings.ContainsAny(host, ":") || strings.Trim(host, "0123456789.") == "" || host == "localhost" {
		return "legists.localhost"
	}
	return host
}

// job is one claimed digest.
type job struct {
	sub      store.Subscriber
	sel      Selection
	delivery store.Delivery
}

// candidate is a due subscriber with something to send.
type candidate struct {
	sub store.Subscriber
	sel Selection
}

type counters struct {
	due, sent, skipped, failed, bounced, subs, nothing atomic.Int64
}

func (c *counters) result() Result {
	return Result{Due: int(c.due.Load()), Sent: int(c.sent.Load()), Skipped: int(c.skipped.Load()), Failed: int(c.failed.Load()),
		Bounced: int(c.bounced.Load()), Subscribers: int(c.subs.Load()), NothingNew: int(c.nothing.Load())}
}

// Run sends every digest due now and returns the counts. It returns an
// error only when it cannot go on (the database is unreachable); failures
// of single messages are counted and recorded in the ledger.
func (r *Runner) Run(ctx context.Context) (res Result, err error) {
	if r.Track != nil {
		done := r.Track()
		defer func() { done(err) }()
	}
	return r.run(ctx)
}

func (r *Runner) run(ctx context.Context) (Result, error) {
	r.once.Do(r.defaults)
	start := time.Now()
	if r.Tokens == nil {
		t, err := LoadTokens(ctx, r.Store)
		if err != nil {
			return Result{}, fmt.Errorf("digest: %w", err)
		}
		r.Tokens = t
	}
	now := r.Now()
	daily, weekly := EditionKeys(now)
	cat, err := LoadCatalogue(ctx, r.Store, now, r.MaxWindow, r.EventHorizon)
	if err != nil {
		return Result{}, fmt.Errorf("digest: %w", err)
	}
	links := Links{Base: r.BaseURL, Tokens: r.Tokens}
	log := r.Logger.With("owner", r.Owner)
	log.Info("digest run started", "daily", daily, "weekly", weekly, "briefs", len(cat.items), "events", len(cat.events))

	var c counters
	jobs := make(chan job, r.ClaimSize)
	var wg sync.WaitGroup
	var lastLog atomic.Int64
	lastLog.Store(time.Now().UnixNano())
	for range r.Workers {
		wg.Go(func() {
			for j := range jobs {
				r.deliver(ctx, cat, links, j, &c, log)
				if r.Progress != nil {
					r.Progress(c.result())
				}
				if t := lastLog.Load(); time.Since(time.Unix(0, t)) > 5*time.Second && lastLog.CompareAndSwap(t, time.Now().UnixNano()) {
					res := c.result()
					log.Info("digest progress", "due", res.Due, "sent", res.Sent, "skipped", res.Skipped, "failed", res.Failed, "bounced", res.Bounced)
				}
			}
		})
	}

	runErr := r.produce(ctx, cat, now, daily, weekly, jobs, &c)
	close(jobs)
	wg.Wait()
	res := c.result()
	res.Editions = []string{daily, weekly}
	res.Duration = time.Since(start).Round(time.Millisecond).String()
	log.Info("digest run finished", "due", res.Due, "sent", res.Sent, "skipped", res.Skipped, "failed", res.Failed,
		"bounced", res.Bounced, "nothing_new", res.NothingNew, "duration", res.Duration, "err", runErr)
	return res, runErr
}

// produce pages through the due subscribers, selects their briefs, claims
// those with something to send and queues the claimed ones.
func (r *Runner) produce(ctx context.Context, cat *Catalogue, now time.Time, daily, weekly string, jobs chan<- job, c *counters) error {
	var batch []candidate
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		claims := make([]store.DeliveryClaim, len(batch))
		for i, cd := range batch {
			claims[i] = store.DeliveryClaim{SubscriberID: cd.sub.ID, Edition: Edition(cd.sub.Frequency, now), LastDigestAt: cd.sub.LastDigestAt,
				WindowStart: cd.sel.WindowStart, WindowEnd: cd.sel.WindowEnd, MaxAttempts: r.MaxAttempts}
		}
		at := r.Now()
		claimed, err := r.Store.ClaimDeliveries(ctx, claims, r.Owner, at, at.Add(r.Lease))
		if err != nil {
			c.skipped.Add(int64(len(batch)))
			batch = batch[:0]
			return err
		}
		byID := make(map[int64]store.Delivery, len(claimed))
		for _, d := range claimed {
			byID[d.SubscriberID] = d
		}
		for _, cd := range batch {
			d, ok := byID[cd.sub.ID]
			if !ok {
				c.skipped.Add(1)
				continue
			}
			select {
			case jobs <- job{sub: cd.sub, sel: cd.sel, delivery: d}:
			case <-ctx.Done():
				// Not sent: release so that the next run need not wait
				// for the lease.
				r.finish(context.WithoutCancel(ctx), d, store.DeliveryResult{State: store.DeliveryPending}, nil)
				c.skipped.Add(1)
			}
		}
		batch = batch[:0]
		return nil
	}
	var after int64
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		page, err := r.Store.DueSubscribers(ctx, store.DueQuery{Daily: daily, Weekly: weekly, AfterID: after, Limit: r.PageSize})
		if err != nil {
			return err
		}
		if len(page) == 0 {
			break
		}
		for _, ds := range page {
			after = ds.ID
			c.subs.Add(1)
			sub := ds.Subscriber
			sel := cat.Select(&sub, WindowStart(&sub, now, r.MaxWindow), r.MaxBriefs, r.MaxEvents)
			if len(sel.Briefs) == 0 {
				c.nothing.Add(1)
				continue
			}
			c.due.Add(1)
			if ds.State == store.DeliverySending && ds.ClaimedUntil != nil && ds.ClaimedUntil.After(r.Now()) {
				c.skipped.Add(1) // another sender holds it
				continue
			}
			batch = append(batch, candidate{sub: sub, sel: sel})
			if len(batch) >= r.ClaimSize {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if len(page) < r.PageSize {
			break
		}
	}
	return flush()
}

// deliver renders, sends and records one claimed digest.
func (r *Runner) deliver(ctx context.Context, cat *Catalogue, links Links, j job, c *counters, log *slog.Logger) {
	dctx := context.WithoutCancel(ctx)
	d := j.delivery
	// Start a send only with a third of the lease left: a send never
	// outlives the lease, so no other sender can take the digest over
	// while this one may still deliver it.
	if d.ClaimedUntil == nil || r.Now().After(d.ClaimedUntil.Add(-r.Lease/3)) || ctx.Err() != nil {
		r.finish(dctx, d, store.DeliveryResult{State: store.DeliveryPending}, log)
		c.skipped.Add(1)
		return
	}
	msg, err := r.Message(cat, &j.sub, j.sel, links, d)
	if err != nil {
		log.Error("digest: cannot render", "subscriber", j.sub.ID, "edition", d.Edition, "err", err)
		r.finish(dctx, d, store.DeliveryResult{State: store.DeliveryFailed, Error: err.Error()}, log)
		c.failed.Add(1)
		return
	}
	// The send ends unsent if it cannot reach the data before the last
	// sixth of the lease (a busy pool, a slow server): past the lease
	// another sender may take the digest over.
	sctx, cancel := context.WithTimeout(ctx, d.ClaimedUntil.Sub(r.Now())-r.Lease/6)
	err = r.Sender.Send(sctx, msg)
	ended := sctx.Err() != nil // the run's end or the lease's
	cancel()
	switch {
	case err == nil:
		r.finish(dctx, d, store.DeliveryResult{State: store.DeliverySent, MessageID: msg.ID, Briefs: len(j.sel.Briefs) + j.sel.More}, log)
		c.sent.Add(1)
	case mail.IsPermanent(err):
		log.Warn("digest bounced", "subscriber", j.sub.ID, "edition", d.Edition, "err", err)
		r.finish(dctx, d, store.DeliveryResult{State: store.DeliveryBounced, Error: err.Error(), MessageID: msg.ID}, log)
		c.bounced.Add(1)
	case ended && errors.Is(err, mail.ErrNotSent):
		r.finish(dctx, d, store.DeliveryResult{State: store.DeliveryPending}, log)
		c.skipped.Add(1)
	default:
		log.Warn("digest not sent", "subscriber", j.sub.ID, "edition", d.Edition, "attempt", d.Attempts, "err", err)
		r.finish(dctx, d, store.DeliveryResult{State: store.DeliveryFailed, Error: err.Error(), MessageID: msg.ID}, log)
		c.failed.Add(1)
	}
}

// finish records a result, retrying a failing database for a while: a sent
// digest left in "sending" would be sent again once its lease ends.
func (r *Runner) finish(ctx context.Context, d store.Delivery, res store.DeliveryResult, log *slog.Logger) {
	if log == nil {
		log = r.Logger
	}
	backoff := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		fctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		held, err := r.Store.FinishDelivery(fctx, d.ID, r.Owner, res)
		cancel()
		if err == nil {
			if !held {
				log.Error("digest: lease lost before the result was recorded", "delivery", d.ID, "edition", d.Edition, "state", res.State)
			}
			return
		}
		if attempt >= 8 {
			log.Error("digest: cannot record the result", "delivery", d.ID, "state", res.State, "err", err)
			return
		}
		time.Sleep(backoff)
		backoff = min(2*backoff, 5*time.Second)
	}
}

// Message renders sub's digest and builds the e-mail.
func (r *Runner) Message(cat *Catalogue, sub *store.Subscriber, sel Selection, links Links, d store.Delivery) (*mail.Message, error) {
	r.once.Do(r.defaults)
	rd, err := Render(cat, sub, sel, links)
	if err != nil {
		return nil, err
	}
	host := mailHost(r.BaseURL)
	nonce := sub.Nonce
	if len(nonce) > 8 {
		nonce = nonce[:8]
	}
	id := fmt.Sprintf("digest.%s.%d.%s@%s", strings.NewReplacer(":", "-").Replace(d.Edition), sub.ID, nonce, host)
	return mail.Build(mail.Content{
		From:            r.From,
		To:              sub.Email,
		Subject:         rd.Subject,
		Text:            rd.Text,
		HTML:            rd.HTML,
		MessageID:       id,
		Date:            r.Now(),
		ListUnsubscribe: links.Unsubscribe(sub),
		ListID:          "Legists digest <digest." + host + ">",
		Bulk:            true,
	})
}
