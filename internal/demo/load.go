package demo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"legists/internal/brief"
	"legists/internal/directory"
	"legists/internal/store"
)

// ErrNotEmpty is returned by Load when the database already holds briefs:
// demo content only goes into an empty database.
var ErrNotEmpty = errors.New("demo: the database already has briefs; demo content is only loaded into an empty one")

// Load fills an empty database with the firm directory, the taxonomy and
// the demo briefs with their archived sources. Every brief is parsed and
// validated before anything is written.
func Load(ctx context.Context, st store.Store) error {
	pg, err := st.ListBriefs(ctx, store.BriefFilter{Limit: 1})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if len(pg.Briefs) > 0 {
		return ErrNotEmpty
	}
	for _, s := range []brief.Status{brief.StatusDraft, brief.StatusReview, brief.StatusPublished} {
		pg, err := st.ListBriefs(ctx, store.BriefFilter{Status: s, Limit: 1})
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		if len(pg.Briefs) > 0 {
			return ErrNotEmpty
		}
	}
	briefs, err := Briefs()
	if err != nil {
		return err
	}
	if err := st.UpsertFirms(ctx, directory.Firms()); err != nil {
		return fmt.Errorf("demo: firms: %w", err)
	}
	if err := st.UpsertTopics(ctx, directory.Topics()); err != nil {
		return fmt.Errorf("demo: topics: %w", err)
	}
	for _, b := range briefs {
		// A published demo brief was written when it was published: its
		// revision, and the dates feeds show, carry that date, not the
		// time the demo was loaded.
		opts := store.SaveOptions{Author: "demo", Note: "demo content"}
		if b.PublishedAt != nil {
			opts.At = *b.PublishedAt
		}
		if _, err := st.SaveBrief(ctx, b, opts); err != nil {
			return fmt.Errorf("demo: save %s: %w", b.Slug, err)
		}
	}
	if _, err := LoadEvents(ctx, st); err != nil {
		return err
	}
	return nil
}

// Briefs parses every brief of the manifest, with its manifest metadata
// and its archived sources.
func Briefs() ([]*brief.Brief, error) {
	entries, err := Manifest()
	if err != nil {
		return nil, err
	}
	var out []*brief.Brief
	for _, e := range entries {
		data, err := Brief(e.Slug)
		if err != nil {
			return nil, fmt.Errorf("demo: %s: %w", e.Slug, err)
		}
		b, err := brief.Parse(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("demo: briefs/%s.txt: %w", e.Slug, err)
		}
		b.Slug = e.Slug
		b.Status = brief.Status(e.Status)
		if !b.Status.Valid() {
			b.Status = brief.StatusPublished
		}
		if b.Status == brief.StatusPublished && !e.PublishedAt.IsZero() {
			t := e.PublishedAt.UTC()
			b.PublishedAt = &t
		} else {
			b.PublishedAt = nil
		}
		for _, t := range e.Topics {
			if !slices.Contains(b.Topics, t) {
				b.Topics = append(b.Topics, t)
			}
		}
		srcs, err := Sources(e.Slug)
		if err != nil {
			return nil, fmt.Errorf("demo: sources of %s: %w", e.Slug, err)
		}
		b.Sources = nil
		for _, s := range srcs {
			sum := sha256.Sum256([]byte(s.Text))
			var fetched *time.Time
			if !s.Published.IsZero() {
				t := s.Published.UTC()
				fetched = &t
			}
			b.Sources = append(b.Sources, brief.Source{N: s.N, URL: s.URL, Title: s.Title, Publisher: s.Publisher,
				FetchedAt: fetched, Text: s.Text, ContentHash: hex.EncodeToString(sum[:])})
		}
		b.Normalize()
		if err := b.Validate(); err != nil {
			return nil, fmt.Errorf("demo: %s: %w", e.Slug, err)
		}
		out = append(out, b)
	}
	return out, nil
}
