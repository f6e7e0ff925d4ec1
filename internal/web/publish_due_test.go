package web

import (
	"context"
	"sync"
	"testing"
	"time"

	"legists/internal/brief"
	"legists/internal/store"
	"legists/internal/store/storetest"
)

// Scheduled publishing survives a crash between the publication and the
// removal of the schedule, and several instances publishing at once
// publish once: one revision, one audit entry.
func TestPublishDueCrashSafeAndOnce(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	b := storetest.GenerateBriefs(1, 7)[0]
	b.Slug, b.Status, b.PublishedAt = "due-brief", brief.StatusReview, nil
	if _, err := s.st.SaveBrief(ctx, b, store.SaveOptions{Author: "t"}); err != nil {
		t.Fatal(err)
	}
	schedule := func() {
		if err := s.st.SchedulePublish(ctx, store.ScheduledPublish{Slug: b.Slug, At: time.Now().Add(-time.Minute), By: "editor@example.org"}); err != nil {
			t.Fatal(err)
		}
	}
	schedule()
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for range 4 { // four instances at once
		wg.Go(func() {
			n, err := s.srv.PublishDue(ctx, time.Now())
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			total += n
			mu.Unlock()
		})
	}
	wg.Wait()
	got, err := s.st.GetBrief(ctx, b.Slug)
	if err != nil || got.Status != brief.StatusPublished || total != 1 {
		t.Fatalf("status %s, %d publications counted, %v", got.Status, total, err)
	}
	// A crash after the publication, before the schedule went: the next
	// run only removes the schedule.
	schedule()
	if n, err := s.srv.PublishDue(ctx, time.Now()); err != nil || n != 0 {
		t.Fatalf("rerun after a crash: %d %v", n, err)
	}
	if sc, _ := s.st.ListSchedules(ctx); len(sc) != 0 {
		t.Errorf("schedules left: %v", sc)
	}
	entries, _ := s.st.ListAudit(ctx, store.AuditFilter{Target: b.Slug})
	revs, _ := s.st.Revisions(ctx, b.Slug)
	scheduled := 0
	for _, r := range revs {
		if r.Note == "scheduled publication" {
			scheduled++
		}
	}
	if len(entries) != 1 || scheduled != 1 {
		t.Errorf("%d audit entries, %d scheduled revisions; want 1 and 1", len(entries), scheduled)
	}
}
