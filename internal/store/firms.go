package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"legists/internal/brief"
)

// UpsertFirms implements Store: firms are matched by slug (Slugify(Name)
// when Slug is empty) and created or replaced, all in one transaction.
func (s *db) UpsertFirms(ctx context.Context, firms []brief.Firm) error {
	type row struct {
		f                     brief.Firm
		aliases, areas, juris string
	}
	rows := make([]row, len(firms))
	for i, f := range firms {
		f.Name = strings.TrimSpace(f.Name)
		if f.Name == "" {
			return fmt.Errorf("store: firm %d has no name: %w", i+1, ErrInvalid)
		}
		if f.Slug == "" {
			f.Slug = brief.Slugify(f.Name)
		}
		if f.Slug == "" || !slugRE.MatchString(f.Slug) {
			return fmt.Errorf("store: firm %q: slug %q: want lower-case letters, digits and single hyphens: %w", f.Name, f.Slug, ErrInvalid)
		}
		rows[i] = row{f: f, aliases: jsonList(f.Aliases), areas: jsonList(f.PracticeAreas), juris: jsonList(f.Jurisdictions)}
	}
	now := s.d.timeArg(s.now())
	err := s.write(ctx, func(tx runner) error {
		for _, r := range rows {
			if _, err := tx.exec(ctx, `INSERT INTO firms (slug, name, aliases, practice_areas, jurisdictions, website, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (slug) DO UPDATE SET name = excluded.name, aliases = excluded.aliases,
					practice_areas = excluded.practice_areas, jurisdictions = excluded.jurisdictions,
					website = excluded.website, updated_at = excluded.updated_at`,
				r.f.Slug, r.f.Name, r.aliases, r.areas, r.juris, r.f.Website, now, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: upsert firms: %w", err)
	}
	return nil
}

const firmCols = `slug, name, aliases, practice_areas, jurisdictions, website`

func scanFirm(sc interface{ Scan(...any) error }) (brief.Firm, error) {
	var (
		f                     brief.Firm
		aliases, areas, juris []byte
	)
	if err := sc.Scan(&f.Slug, &f.Name, &aliases, &areas, &juris, &f.Website); err != nil {
		return f, err
	}
	for _, l := range []struct {
		raw []byte
		dst *[]string
	}{{aliases, &f.Aliases}, {areas, &f.PracticeAreas}, {juris, &f.Jurisdictions}} {
		if err := parseList(l.raw, l.dst); err != nil {
			return f, fmt.Errorf("firm %s: %w", f.Slug, err)
		}
	}
	return f, nil
}

// ListFirms implements Store: the directory in order of name.
func (s *db) ListFirms(ctx context.Context) ([]brief.Firm, error) {
	out := []brief.Firm{}
	rows, err := s.reader().query(ctx, `SELECT `+firmCols+` FROM firms ORDER BY lower(name), slug`)
	if err != nil {
		return nil, fmt.Errorf("store: list firms: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		f, err := scanFirm(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list firms: %w", err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list firms: %w", err)
	}
	return out, nil
}

// GetFirm implements Store.
func (s *db) GetFirm(ctx context.Context, slug string) (*brief.Firm, error) {
	f, err := scanFirm(s.reader().queryRow(ctx, `SELECT `+firmCols+` FROM firms WHERE slug = ?`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: firm %q: %w", slug, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get firm %s: %w", slug, err)
	}
	return &f, nil
}

// UpsertTopics implements Store: topics are matched by slug (Slugify(Name)
// when Slug is empty) and created or replaced, all in one transaction. An
// empty Kind is a practice area.
func (s *db) UpsertTopics(ctx context.Context, topics []brief.Topic) error {
	rows := make([]brief.Topic, len(topics))
	for i, t := range topics {
		t.Name = strings.TrimSpace(t.Name)
		if t.Name == "" {
			return fmt.Errorf("store: topic %d has no name: %w", i+1, ErrInvalid)
		}
		if t.Slug == "" {
			t.Slug = brief.Slugify(t.Name)
		}
		if t.Slug == "" || !slugRE.MatchString(t.Slug) {
			return fmt.Errorf("store: topic %q: slug %q: want lower-case letters, digits and single hyphens: %w", t.Name, t.Slug, ErrInvalid)
		}
		if t.Kind == "" {
			t.Kind = brief.TopicPracticeArea
		}
		if t.Kind != brief.TopicPracticeArea && t.Kind != brief.TopicJurisdiction {
			return fmt.Errorf("store: topic %q: kind %q is not %s or %s: %w", t.Name, t.Kind, brief.TopicPracticeArea, brief.TopicJurisdiction, ErrInvalid)
		}
		rows[i] = t
	}
	now := s.d.timeArg(s.now())
	err := s.write(ctx, func(tx runner) error {
		for _, t := range rows {
			if _, err := tx.exec(ctx, `INSERT INTO topics (slug, name, kind, keywords, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (slug) DO UPDATE SET name = excluded.name, kind = excluded.kind,
					keywords = excluded.keywords, updated_at = excluded.updated_at`,
				t.Slug, t.Name, string(t.Kind), jsonList(t.Keywords), now, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: upsert topics: %w", err)
	}
	return nil
}

const topicCols = `slug, name, kind, keywords`

func scanTopic(sc interface{ Scan(...any) error }) (brief.Topic, error) {
	var (
		t        brief.Topic
		kind     string
		keywords []byte
	)
	if err := sc.Scan(&t.Slug, &t.Name, &kind, &keywords); err != nil {
		return t, err
	}
	t.Kind = brief.TopicKind(kind)
	if err := parseList(keywords, &t.Keywords); err != nil {
		return t, fmt.Errorf("topic %s: %w", t.Slug, err)
	}
	return t, nil
}

// ListTopics implements Store: the taxonomy in order of name.
func (s *db) ListTopics(ctx context.Context) ([]brief.Topic, error) {
	out := []brief.Topic{}
	rows, err := s.reader().query(ctx, `SELECT `+topicCols+` FROM topics ORDER BY lower(name), slug`)
	if err != nil {
		return nil, fmt.Errorf("store: list topics: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		t, err := scanTopic(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list topics: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list topics: %w", err)
	}
	return out, nil
}

// GetTopic implements Store.
func (s *db) GetTopic(ctx context.Context, slug string) (*brief.Topic, error) {
	t, err := scanTopic(s.reader().queryRow(ctx, `SELECT `+topicCols+` FROM topics WHERE slug = ?`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: topic %q: %w", slug, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get topic %s: %w", slug, err)
	}
	return &t, nil
}

// jsonList is the JSON of a list of strings, [] for none.
func jsonList(l []string) string {
	if len(l) == 0 {
		return "[]"
	}
	j, _ := json.Marshal(l)
	return string(j)
}

// parseList reads a JSON list of strings; an empty list reads as nil (the
// model's lists are omitempty).
func parseList(raw []byte, dst *[]string) error {
	var l []string
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &l); err != nil {
			return err
		}
	}
	if len(l) == 0 {
		l = nil
	}
	*dst = l
	return nil
}
