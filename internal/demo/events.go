package demo

import (
	"context"
	"fmt"
	"time"

	"legists/internal/store"
)

// LoadEvents stores the demo events (events.json) and returns how many.
// Saving is idempotent (events are keyed by a slug made from date and
// title). When the demo is run after its events are over, they are moved
// forward by whole weeks, keeping weekday, time and spacing, so that the
// first starts about a week from now and the calendar is never empty.
func LoadEvents(ctx context.Context, st store.Store) (int, error) {
	return loadEvents(ctx, st, time.Now())
}

func loadEvents(ctx context.Context, st store.Store, now time.Time) (int, error) {
	evs, err := Events()
	if err != nil {
		return 0, err
	}
	if len(evs) == 0 {
		return 0, nil
	}
	first, last := evs[0].StartsAt, evs[0].EndsAt
	for _, e := range evs {
		if e.StartsAt.Before(first) {
			first = e.StartsAt
		}
		if e.EndsAt.After(last) {
			last = e.EndsAt
		}
	}
	var shift time.Duration
	if last.Before(now) {
		week := 7 * 24 * time.Hour
		weeks := now.Sub(first)/week + 1
		shift = weeks * week
	}
	for _, e := range evs {
		_, err := st.SaveEvent(ctx, &store.Event{
			Title:       e.Title,
			StartsAt:    e.StartsAt.Add(shift),
			EndsAt:      e.EndsAt.Add(shift),
			TimeZone:    e.TimeZone,
			Place:       e.Place,
			OnlineURL:   e.OnlineURL,
			Description: e.Description,
			Topics:      e.Topics,
		})
		if err != nil {
			return 0, fmt.Errorf("demo: event %q: %w", e.Title, err)
		}
	}
	return len(evs), nil
}
