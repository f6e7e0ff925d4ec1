package demo

import (
	"context"
	"errors"
	"testing"
	"time"

	"legists/internal/brief"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

func TestLoad(t *testing.T) {
	ctx := context.Background()
	st := storetest.OpenSQLite(t)
	if err := Load(ctx, st); err != nil {
		t.Fatal(err)
	}
	entries, err := Manifest()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := st.GetBrief(ctx, e.Slug)
		if err != nil {
			t.Fatalf("%s: %v", e.Slug, err)
		}
		if string(b.Status) != e.Status || len(b.Sources) == 0 || b.Sources[0].Text == "" || len(b.Firms) == 0 {
			t.Errorf("%s: status %s, %d sources, %d firms", e.Slug, b.Status, len(b.Sources), len(b.Firms))
		}
		if b.Status == brief.StatusPublished && (b.PublishedAt == nil || !b.PublishedAt.Equal(e.PublishedAt)) {
			t.Errorf("%s: published_at %v, want %v", e.Slug, b.PublishedAt, e.PublishedAt)
		}
	}
	firms, _ := st.ListFirms(ctx)
	topics, _ := st.ListTopics(ctx)
	if len(firms) == 0 || len(topics) == 0 {
		t.Errorf("directory: %d firms, %d topics", len(firms), len(topics))
	}
	// The calendar has upcoming events whenever the demo runs.
	evs, err := st.ListEvents(ctx, store.EventFilter{EndsAfter: time.Now()})
	if err != nil || len(evs) < 3 {
		t.Errorf("upcoming events after load: %d (%v)", len(evs), err)
	}
	// Only into an empty database.
	if err := Load(ctx, st); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("second load: %v", err)
	}
	revs, _ := st.Revisions(ctx, entries[0].Slug)
	if len(revs) != 1 {
		t.Errorf("revisions after a refused load: %d", len(revs))
	}
	_ = store.ErrNotFound
}
