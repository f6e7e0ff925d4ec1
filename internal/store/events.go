package store

// Events of the calendar (issue 6, migration 00004_newsletter): editors
// manage them (the events command, the desk); /events and /events.ics list
// the upcoming ones; digests carry them. Declared in the Newsletter
// interface.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"legists/internal/brief"
)

// Event is a conference, webinar or deadline of interest to the legal
// sector.
type Event struct {
	ID    int64  `json:"id"`
	Slug  string `json:"slug"`
	Title string `json:"title"`
	// StartsAt and EndsAt are instants (stored in UTC); TimeZone is the
	// IANA zone the event is held in, for display.
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
	TimeZone string    `json:"time_zone"`
	// Place is a venue; OnlineURL a link to join. At least one is usual;
	// both may be set.
	Place       string `json:"place,omitempty"`
	OnlineURL   string `json:"online_url,omitempty"`
	Description string `json:"description,omitempty"`
	// Topics are names from the taxonomy (practice areas, jurisdictions).
	Topics    []string  `json:"topics"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Location returns the event's time zone (UTC when unknown).
func (e *Event) Location() *time.Location {
	if loc, err := time.LoadLocation(e.TimeZone); err == nil && e.TimeZone != "" {
		return loc
	}
	return time.UTC
}

// EventFilter selects events. Zero fields do not filter.
type EventFilter struct {
	// EndsAfter keeps events that end after this instant (upcoming and
	// running events: pass now).
	EndsAfter time.Time
	// StartsBefore keeps events that start before this instant.
	StartsBefore time.Time
	Limit        int // default 100, at most 1000
}

// validateEvent normalises e in place or returns an error wrapping
// ErrInvalid.
func validateEvent(e *Event) error {
	e.Title = strings.TrimSpace(e.Title)
	e.Place = strings.TrimSpace(e.Place)
	e.OnlineURL = strings.TrimSpace(e.OnlineURL)
	e.Description = strings.TrimSpace(e.Description)
	if e.Title == "" {
		return fmt.Errorf("store: event has no title: %w", ErrInvalid)
	}
	if e.StartsAt.IsZero() {
		return fmt.Errorf("store: event %q has no start: %w", e.Title, ErrInvalid)
	}
	if e.EndsAt.IsZero() {
		e.EndsAt = e.StartsAt.Add(time.Hour)
	}
	if e.EndsAt.Before(e.StartsAt) {
		return fmt.Errorf("store: event %q ends before it starts: %w", e.Title, ErrInvalid)
	}
	if e.TimeZone == "" {
		e.TimeZone = "UTC"
	}
	if _, err := time.LoadLocation(e.TimeZone); err != nil {
		return fmt.Errorf("store: event %q: unknown time zone %q: %w", e.Title, e.TimeZone, ErrInvalid)
	}
	if e.OnlineURL != "" {
		u, err := url.Parse(e.OnlineURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("store: event %q: online link %q is not an http(s) URL: %w", e.Title, e.OnlineURL, ErrInvalid)
		}
	}
	var topics []string
	for _, t := range e.Topics {
		if t = strings.TrimSpace(t); t != "" {
			topics = append(topics, t)
		}
	}
	e.Topics = cleanSlugList(topics)
	if e.Slug == "" {
		e.Slug = brief.Slugify(e.StartsAt.In(e.Location()).Format("2006-01-02") + " " + e.Title)
	}
	if e.Slug == "" || e.Slug != brief.Slugify(e.Slug) {
		return fmt.Errorf("store: event slug %q: %w", e.Slug, ErrInvalid)
	}
	return nil
}

const eventCols = `id, slug, title, starts_at, ends_at, time_zone, place, online_url, description, topics, created_at, updated_at`

func scanEvent(sc newsletterRow) (*Event, error) {
	var (
		e                            Event
		starts, ends, created, updat dbTime
		topics                       []byte
	)
	if err := sc.Scan(&e.ID, &e.Slug, &e.Title, &starts, &ends, &e.TimeZone, &e.Place, &e.OnlineURL, &e.Description, &topics,
		&created, &updat); err != nil {
		return nil, err
	}
	if err := parseList(topics, &e.Topics); err != nil {
		return nil, err
	}
	e.StartsAt, e.EndsAt, e.CreatedAt, e.UpdatedAt = starts.Time, ends.Time, created.Time, updat.Time
	return &e, nil
}

// SaveEvent implements Newsletter.
func (s *db) SaveEvent(ctx context.Context, in *Event) (*Event, error) {
	e := *in
	e.Topics = append([]string(nil), in.Topics...)
	if err := validateEvent(&e); err != nil {
		return nil, err
	}
	now := s.d.timeArg(s.now())
	var out *Event
	err := s.write(ctx, func(tx runner) error {
		var err error
		out, err = scanEvent(tx.queryRow(ctx, `INSERT INTO events (slug, title, starts_at, ends_at, time_zone, place, online_url, description, topics,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (slug) DO UPDATE SET title = excluded.title, starts_at = excluded.starts_at, ends_at = excluded.ends_at,
			time_zone = excluded.time_zone, place = excluded.place, online_url = excluded.online_url,
			description = excluded.description, topics = excluded.topics, updated_at = excluded.updated_at
			RETURNING `+eventCols,
			e.Slug, e.Title, s.d.timeArg(e.StartsAt), s.d.timeArg(e.EndsAt), e.TimeZone, e.Place, e.OnlineURL, e.Description,
			jsonList(e.Topics), now, now))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: save event: %w", err)
	}
	return out, nil
}

// GetEvent implements Newsletter.
func (s *db) GetEvent(ctx context.Context, slug string) (*Event, error) {
	e, err := scanEvent(s.reader().queryRow(ctx, `SELECT `+eventCols+` FROM events WHERE slug = ?`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: event %s: %w", slug, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get event: %w", err)
	}
	return e, nil
}

// ListEvents implements Newsletter.
func (s *db) ListEvents(ctx context.Context, f EventFilter) ([]Event, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	q := `SELECT ` + eventCols + ` FROM events WHERE 1 = 1`
	var args []any
	if !f.EndsAfter.IsZero() {
		q += ` AND ends_at > ?`
		args = append(args, s.d.timeArg(f.EndsAfter))
	}
	if !f.StartsBefore.IsZero() {
		q += ` AND starts_at < ?`
		args = append(args, s.d.timeArg(f.StartsBefore))
	}
	q += ` ORDER BY starts_at, id LIMIT ?`
	args = append(args, limit)
	rows, err := s.reader().query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list events: %w", err)
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list events: %w", err)
		}
		out = append(out, *e)
	}
	return out, rows.Err()
}

// DeleteEvent implements Newsletter.
func (s *db) DeleteEvent(ctx context.Context, slug string) error {
	n, err := s.execWrite(ctx, "delete event", `DELETE FROM events WHERE slug = ?`, slug)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("store: event %s: %w", slug, ErrNotFound)
	}
	return nil
}
