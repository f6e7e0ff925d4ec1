// Package digest builds and sends the e-mail digests of Legists: for each
// confirmed subscriber, the briefs published since their last digest that
// match their topics and firms, with upcoming events, in daily and weekly
// editions, rendered as HTML (inline CSS only) and plain text, and sent
// exactly once per subscriber and edition through the delivery ledger of
// the store (see store.Newsletter).
//
// Edition keys are calendar based, in UTC: daily:2026-11-28 and
// weekly:2026-W48 (ISO week). A subscriber gets at most one digest per
// edition, and only when something new matches; the window of a digest
// starts where the previous one ended (for a new subscriber: a week before
// confirming), so nothing published is ever skipped.
package digest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"legists/internal/brief"
	"legists/internal/store"
)

// EditionKeys returns the daily and weekly edition keys at t.
func EditionKeys(t time.Time) (daily, weekly string) {
	t = t.UTC()
	y, w := t.ISOWeek()
	return "daily:" + t.Format("2006-01-02"), fmt.Sprintf("weekly:%04d-W%02d", y, w)
}

// Edition returns the key of the edition of frequency f at t.
func Edition(f store.Frequency, t time.Time) string {
	d, w := EditionKeys(t)
	if f == store.Daily {
		return d
	}
	return w
}

// lookback is how far before confirming a new subscriber's first digest
// (a welcome edition) reaches: the past week, whatever the frequency.
func lookback(store.Frequency) time.Duration { return 7 * 24 * time.Hour }

// WindowStart is where sub's next digest starts at now: its last digest's
// end, or for a new subscriber a week before it confirmed; never more than
// maxWindow before now.
func WindowStart(sub *store.Subscriber, now time.Time, maxWindow time.Duration) time.Time {
	var start time.Time
	switch {
	case sub.LastDigestAt != nil:
		start = *sub.LastDigestAt
	case sub.ConfirmedAt != nil:
		start = sub.ConfirmedAt.Add(-lookback(sub.Frequency))
	default:
		start = sub.CreatedAt.Add(-lookback(sub.Frequency))
	}
	if floor := now.Add(-maxWindow); start.Before(floor) {
		start = floor
	}
	return start
}

// item is a published brief with what matching and rendering need.
type item struct {
	b      brief.Brief
	at     time.Time
	topics []string // slugs
	firms  []string // slugs
}

// Catalogue is what a run of digests draws on: the published briefs of the
// window, the upcoming events and the directory's names.
type Catalogue struct {
	Now    time.Time
	items  []item // newest first
	events []store.Event
	// eventTopics[i] are the slugs of events[i]'s topics.
	eventTopics [][]string
	topicNames  map[string]string // slug -> name
	firmNames   map[string]string
	firmSlug    map[string]string // lower-case name or alias -> slug

	mu     sync.Mutex
	blocks map[string]block // rendered briefs and events
}

// LoadCatalogue reads the briefs published in (now-maxWindow, now], the
// events that end after now and start within eventHorizon, and the
// directory.
func LoadCatalogue(ctx context.Context, st store.Store, now time.Time, maxWindow, eventHorizon time.Duration) (*Catalogue, error) {
	c := &Catalogue{Now: now, topicNames: map[string]string{}, firmNames: map[string]string{}, firmSlug: map[string]string{},
		blocks: map[string]block{}}
	firms, err := st.ListFirms(ctx)
	if err != nil {
		return nil, err
	}
	for _, f := range firms {
		c.firmNames[f.Slug] = f.Name
		c.firmSlug[strings.ToLower(f.Name)] = f.Slug
		for _, a := range f.Aliases {
			if _, taken := c.firmSlug[strings.ToLower(a)]; !taken {
				c.firmSlug[strings.ToLower(a)] = f.Slug
			}
		}
	}
	topics, err := st.ListTopics(ctx)
	if err != nil {
		return nil, err
	}
	topicSlug := map[string]string{}
	for _, t := range topics {
		c.topicNames[t.Slug] = t.Name
		topicSlug[strings.ToLower(t.Name)] = t.Slug
	}
	f := store.BriefFilter{Status: brief.StatusPublished, Since: now.Add(-maxWindow), Until: now.Add(time.Microsecond), Limit: store.MaxLimit}
	for {
		pg, err := st.ListBriefs(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, b := range pg.Briefs {
			if b.PublishedAt == nil {
				continue
			}
			it := item{b: b, at: *b.PublishedAt}
			for _, name := range b.Topics {
				s, ok := topicSlug[strings.ToLower(name)]
				if !ok {
					s = brief.Slugify(name)
				}
				it.topics = append(it.topics, s)
			}
			for _, name := range b.Firms {
				s, ok := c.firmSlug[strings.ToLower(name)]
				if !ok {
					s = brief.Slugify(name)
				}
				it.firms = append(it.firms, s)
			}
			c.items = append(c.items, it)
		}
		if pg.Next == "" {
			break
		}
		f.Cursor = pg.Next
	}
	slices.SortStableFunc(c.items, func(a, b item) int { return b.at.Compare(a.at) })
	evs, err := st.ListEvents(ctx, store.EventFilter{EndsAfter: now, StartsBefore: now.Add(eventHorizon), Limit: 200})
	if err != nil {
		return nil, err
	}
	c.events = evs
	for _, e := range evs {
		var slugs []string
		for _, name := range e.Topics {
			s, ok := topicSlug[strings.ToLower(name)]
			if !ok {
				s = brief.Slugify(name)
			}
			slugs = append(slugs, s)
		}
		c.eventTopics = append(c.eventTopics, slugs)
	}
	return c, nil
}

func intersects(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// matches reports whether it is of interest to a subscriber following
// topics and firms (neither: everything).
func (it *item) matches(topics, firms []string) bool {
	if len(topics) == 0 && len(firms) == 0 {
		return true
	}
	return intersects(it.topics, topics) || intersects(it.firms, firms)
}

// Selection is what one digest carries.
type Selection struct {
	Briefs []brief.Brief
	// More counts matching briefs left out past the limit.
	More   int
	Events []store.Event
	// WindowStart and WindowEnd bound the briefs' publication times.
	WindowStart, WindowEnd time.Time
}

// Select picks sub's briefs published in (start, c.Now], newest first, at
// most maxBriefs, and up to maxEvents upcoming events on its topics (every
// event for a subscriber without topics).
func (c *Catalogue) Select(sub *store.Subscriber, start time.Time, maxBriefs, maxEvents int) Selection {
	sel := Selection{WindowStart: start, WindowEnd: c.Now}
	for i := range c.items {
		it := &c.items[i]
		if !it.at.After(start) {
			break // newest first: the rest are older
		}
		if it.at.After(c.Now) || !it.matches(sub.Topics, sub.Firms) {
			continue
		}
		if len(sel.Briefs) < maxBriefs {
			sel.Briefs = append(sel.Briefs, it.b)
		} else {
			sel.More++
		}
	}
	for i, e := range c.events {
		if len(sel.Events) >= maxEvents {
			break
		}
		if len(sub.Topics) == 0 || intersects(c.eventTopics[i], sub.Topics) {
			sel.Events = append(sel.Events, e)
		}
	}
	return sel
}

// interests names what sub follows, for the digest's opening line.
func (c *Catalogue) interests(sub *store.Subscriber) []string {
	var out []string
	for _, s := range sub.Topics {
		if n, ok := c.topicNames[s]; ok {
			out = append(out, n)
		} else {
			out = append(out, s)
		}
	}
	for _, s := range sub.Firms {
		if n, ok := c.firmNames[s]; ok {
			out = append(out, n)
		} else {
			out = append(out, s)
		}
	}
	return out
}
