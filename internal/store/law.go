package store

// The index of legal instruments cited by briefs (issue 15): one row per
// brief and instrument (act, regulation, treaty, case, court, rules),
// written in the transaction of every save of the brief, so that /law/{slug}
// can list the published briefs citing an instrument. The references are
// found by legalref from the brief's paragraphs; briefs.law_indexed records
// the legalref.Version that wrote a brief's rows, and Open and Restore
// rebuild the rows written by any other version (an archive made before the
// index existed, a newer recogniser).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"legists/internal/brief"
	"legists/internal/legalref"
)

// LawInstrument is a legal instrument cited by published briefs.
type LawInstrument struct {
	Slug         string `json:"slug"`
	Name         string `json:"name"`  // canonical name
	Title        string `json:"title"` // the name to show
	Kind         string `json:"kind"`
	Jurisdiction string `json:"jurisdiction"`
	// URL is the official text, or "".
	URL string `json:"url"`
	// Briefs is the number of published briefs citing it.
	Briefs int `json:"briefs"`
	// LastCited is the date of the latest of those briefs.
	LastCited time.Time `json:"last_cited"`
	// Pinpoints are the provisions the briefs cite, canonical.
	Pinpoints []string `json:"pinpoints,omitempty"`
}

// LawStore is the index of cited instruments.
type LawStore interface {
	// GetInstrument returns an instrument cited by at least one published
	// brief, or ErrNotFound.
	GetInstrument(ctx context.Context, slug string) (*LawInstrument, error)
	// ListInstruments returns every instrument cited by a published brief,
	// most cited first.
	ListInstruments(ctx context.Context) ([]LawInstrument, error)
}

// writeLawRefs replaces the index rows of brief id with the instruments its
// paragraphs cite, in the caller's write transaction.
func (s *db) writeLawRefs(ctx context.Context, tx runner, id int64, sections []brief.Section) error {
	if _, err := tx.exec(ctx, `DELETE FROM brief_law_refs WHERE brief_id = ?`, id); err != nil {
		return err
	}
	cited := legalref.Index(legalref.Texts(sections))
	if len(cited) > 0 {
		rows := make([][]any, len(cited))
		for i, c := range cited {
			pins, err := json.Marshal(nonNilStrings(c.Pinpoints))
			if err != nil {
				return err
			}
			rows[i] = []any{id, c.Slug, c.Name, c.Title, c.Kind, c.Jurisdiction, c.URL, c.Mentions, string(pins)}
		}
		if err := insertRows(ctx, tx, "brief_law_refs (brief_id, slug, name, title, kind, jurisdiction, url, mentions, pinpoints)", rows); err != nil {
			return fmt.Errorf("index legal references: %w", err)
		}
	}
	_, err := tx.exec(ctx, `UPDATE briefs SET law_indexed = ? WHERE id = ?`, legalref.Version, id)
	return err
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// reindexLaw rebuilds the index rows of every brief written by another
// version of the recogniser (or before the index existed).
func (s *db) reindexLaw(ctx context.Context, tx runner) error {
	rows, err := tx.query(ctx, `SELECT id, body FROM briefs WHERE law_indexed <> ? ORDER BY id`, legalref.Version)
	if err != nil {
		return err
	}
	type stale struct {
		id       int64
		sections []brief.Section
	}
	var todo []stale
	for rows.Next() {
		var (
			id   int64
			body []byte
		)
		if err := rows.Scan(&id, &body); err != nil {
			rows.Close()
			return err
		}
		var secs []brief.Section
		if err := json.Unmarshal(body, &secs); err != nil {
			rows.Close()
			return fmt.Errorf("brief %d: body: %w", id, err)
		}
		todo = append(todo, stale{id, secs})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, b := range todo {
		if err := s.writeLawRefs(ctx, tx, b.id, b.sections); err != nil {
			return fmt.Errorf("brief %d: %w", b.id, err)
		}
	}
	return nil
}

// ReindexLaw brings the index of cited instruments up to date; Open calls
// it, and it is cheap when nothing is stale.
func (s *db) ReindexLaw(ctx context.Context) error {
	var stale int
	if err := s.reader().queryRow(ctx, `SELECT count(*) FROM briefs WHERE law_indexed <> ?`, legalref.Version).Scan(&stale); err != nil {
		return fmt.Errorf("store: legal reference index: %w", err)
	}
	if stale == 0 {
		return nil
	}
	if err := s.write(ctx, func(tx runner) error { return s.reindexLaw(ctx, tx) }); err != nil {
		return fmt.Errorf("store: legal reference index: %w", err)
	}
	return nil
}

// lawSelect aggregates the index over published briefs.
const lawSelect = `SELECT r.slug, max(r.name), max(r.title), max(r.kind), max(r.jurisdiction), max(r.url),
	count(*), max(b.sort_at) FROM brief_law_refs r JOIN briefs b ON b.id = r.brief_id
	WHERE b.status = 'published'`

func (s *db) scanInstruments(ctx context.Context, tx runner, q string, args ...any) ([]LawInstrument, error) {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LawInstrument
	for rows.Next() {
		var (
			li LawInstrument
			at dbTime
		)
		if err := rows.Scan(&li.Slug, &li.Name, &li.Title, &li.Kind, &li.Jurisdiction, &li.URL, &li.Briefs, &at); err != nil {
			return nil, err
		}
		li.LastCited = at.Time
		out = append(out, li)
	}
	return out, rows.Err()
}

// GetInstrument implements LawStore.
func (s *db) GetInstrument(ctx context.Context, slug string) (*LawInstrument, error) {
	slug = strings.TrimSpace(slug)
	if slug == "" {
		return nil, fmt.Errorf("store: instrument: empty slug: %w", ErrInvalid)
	}
	var out *LawInstrument
	err := s.read(ctx, func(tx runner) error {
		lis, err := s.scanInstruments(ctx, tx, lawSelect+` AND r.slug = ? GROUP BY r.slug`, slug)
		if err != nil {
			return err
		}
		if len(lis) == 0 {
			return ErrNotFound
		}
		out = &lis[0]
		rows, err := tx.query(ctx, `SELECT r.pinpoints FROM brief_law_refs r JOIN briefs b ON b.id = r.brief_id
			WHERE b.status = 'published' AND r.slug = ? ORDER BY b.sort_at DESC, b.id DESC`, slug)
		if err != nil {
			return err
		}
		defer rows.Close()
		seen := map[string]bool{}
		for rows.Next() {
			var raw []byte
			if err := rows.Scan(&raw); err != nil {
				return err
			}
			var pins []string
			if err := json.Unmarshal(raw, &pins); err != nil {
				return err
			}
			for _, p := range pins {
				if !seen[p] {
					seen[p] = true
					out.Pinpoints = append(out.Pinpoints, p)
				}
			}
		}
		return rows.Err()
	})
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("store: instrument %s: %w", slug, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: instrument %s: %w", slug, err)
	}
	return out, nil
}

// ListInstruments implements LawStore.
func (s *db) ListInstruments(ctx context.Context) ([]LawInstrument, error) {
	var out []LawInstrument
	err := s.read(ctx, func(tx runner) error {
		var err error
		out, err = s.scanInstruments(ctx, tx, lawSelect+` GROUP BY r.slug ORDER BY count(*) DESC, r.slug`)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: instruments: %w", err)
	}
	if out == nil {
		out = []LawInstrument{}
	}
	return out, nil
}
