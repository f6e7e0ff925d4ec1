package demo

import (
	"context"
	"testing"
	"time"

	"legists/internal/store"
	"legists/internal/store/storetest"
)

func TestLoadEvents(t *testing.T) {
	ctx := context.Background()
	st := storetest.OpenSQLite(t)
	want, err := Events()
	if err != nil {
		t.Fatal(err)
	}
	for _, now := range []time.Time{time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2031, 5, 17, 0, 0, 0, 0, time.UTC)} {
		n, err := loadEvents(ctx, st, now)
		if err != nil || n != len(want) {
			t.Fatalf("load at %v: %d, %v", now, n, err)
		}
		up, err := st.ListEvents(ctx, store.EventFilter{EndsAfter: now})
		if err != nil || len(up) != len(want) {
			t.Fatalf("at %v: %d upcoming events, want %d (%v)", now, len(up), len(want), err)
		}
		if up[0].StartsAt.Sub(now) > 15*24*time.Hour && now.Year() > 2027 {
			t.Errorf("shifted events start %v after now", up[0].StartsAt.Sub(now))
		}
		for _, e := range up {
			if e.TimeZone == "" || len(e.Topics) == 0 || (e.Place == "" && e.OnlineURL == "") {
				t.Errorf("event %+v", e)
			}
		}
	}
	// Loading again at the same time changes nothing.
	if _, err := loadEvents(ctx, st, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	all, _ := st.ListEvents(ctx, store.EventFilter{})
	if len(all) != 2*len(want) {
		t.Errorf("%d events after loading twice at two dates", len(all))
	}
}
