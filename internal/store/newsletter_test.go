package store_test

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"legists/internal/store"
	"legists/internal/store/storetest"
)

func TestNewsletterSQLite(t *testing.T) {
	runNewsletterSuite(t, func(t *testing.T) store.Store { return storetest.OpenSQLite(t) })
}

func TestNewsletterPostgres(t *testing.T) {
	storetest.PostgresDSN(t) // skips when LEGISTS_TEST_POSTGRES is unset
	runNewsletterSuite(t, func(t *testing.T) store.Store { return storetest.OpenPostgres(t) })
}

func runNewsletterSuite(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("Settings", func(t *testing.T) { testSettings(t, open(t)) })
	t.Run("Subscribers", func(t *testing.T) { testSubscribers(t, open(t)) })
	t.Run("Deliveries", func(t *testing.T) { testDeliveries(t, open(t)) })
	t.Run("ConcurrentClaims", func(t *testing.T) { testConcurrentClaims(t, open(t)) })
	t.Run("Events", func(t *testing.T) { testEvents(t, open(t)) })
}

func testSettings(t *testing.T, s store.Store) {
	v, err := s.EnsureSetting(ctx, "k", "first")
	if err != nil || v != "first" {
		t.Fatalf("EnsureSetting: %q, %v", v, err)
	}
	v, err = s.EnsureSetting(ctx, "k", "second")
	if err != nil || v != "first" {
		t.Fatalf("EnsureSetting again: %q, %v", v, err)
	}
	if _, err := s.Setting(ctx, store.SettingBaseURL); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Setting of a key never set: %v, want ErrNotFound", err)
	}
	for _, base := range []string{"http://127.0.0.1:8080", "https://legists.example.org"} {
		if err := s.SetSetting(ctx, store.SettingBaseURL, base); err != nil {
			t.Fatal(err)
		}
		if v, err := s.Setting(ctx, store.SettingBaseURL); err != nil || v != base {
			t.Fatalf("Setting after SetSetting(%q): %q, %v", base, v, err)
		}
	}
}

func testSubscribers(t *testing.T, s store.Store) {
	sub, prev, err := s.Subscribe(ctx, store.SubscribeRequest{Email: " Ann@Example.org ", Frequency: store.Daily,
		Topics: []string{"sanctions", "sanctions", ""}, Firms: []string{"clifford-chance-llp"}, IP: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	if prev != "" || sub.Status != store.SubscriberPending || sub.Email != "Ann@Example.org" || sub.Frequency != store.Daily ||
		!slices.Equal(sub.Topics, []string{"sanctions"}) || !slices.Equal(sub.Firms, []string{"clifford-chance-llp"}) ||
		sub.Nonce == "" || sub.SignupIP != "192.0.2.1" || sub.CreatedAt.IsZero() {
		t.Fatalf("new subscriber: %+v", sub)
	}
	// The same address in another case is the same subscriber.
	again, prev, err := s.Subscribe(ctx, store.SubscribeRequest{Email: "ann@example.ORG", Frequency: store.Weekly})
	if err != nil || prev != store.SubscriberPending || again.ID != sub.ID || again.Frequency != store.Weekly || again.Nonce != sub.Nonce {
		t.Fatalf("subscribe again: %+v, %s, %v", again, prev, err)
	}
	for _, bad := range []store.SubscribeRequest{{Email: "nobody"}, {Email: "a@b.c", Frequency: "hourly"}, {Email: "<a@b.c>"}} {
		if _, _, err := s.Subscribe(ctx, bad); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Subscribe(%+v): %v", bad, err)
		}
	}
	conf, err := s.ConfirmSubscriber(ctx, sub.ID, "192.0.2.2", time.Time{})
	if err != nil || conf.Status != store.SubscriberConfirmed || conf.ConfirmedAt == nil || conf.ConfirmIP != "192.0.2.2" {
		t.Fatalf("confirm: %+v, %v", conf, err)
	}
	// A confirmed subscriber's preferences do not change by sign-up.
	same, prev, err := s.Subscribe(ctx, store.SubscribeRequest{Email: "ANN@example.org", Frequency: store.Daily, Topics: []string{"energy"}})
	if err != nil || prev != store.SubscriberConfirmed || same.Frequency != store.Weekly || len(same.Topics) != 0 {
		t.Fatalf("subscribe when confirmed: %+v, %s, %v", same, prev, err)
	}
	upd, err := s.UpdatePreferences(ctx, sub.ID, store.Preferences{Frequency: store.Daily, Topics: []string{"energy", "competition"}})
	if err != nil || upd.Frequency != store.Daily || !slices.Equal(upd.Topics, []string{"energy", "competition"}) || upd.Firms != nil {
		t.Fatalf("update preferences: %+v, %v", upd, err)
	}
	if _, err := s.UpdatePreferences(ctx, sub.ID, store.Preferences{Frequency: "monthly"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("bad frequency: %v", err)
	}
	if _, err := s.UpdatePreferences(ctx, 99999, store.Preferences{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown subscriber: %v", err)
	}
	un, err := s.SetSubscriberStatus(ctx, sub.ID, store.SubscriberUnsubscribed, time.Time{}, "")
	if err != nil || un.Status != store.SubscriberUnsubscribed || un.UnsubscribedAt == nil {
		t.Fatalf("unsubscribe: %+v, %v", un, err)
	}
	// An old confirmation link must not undo the unsubscribe.
	if _, err := s.ConfirmSubscriber(ctx, sub.ID, "", time.Time{}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("confirm after unsubscribe: %v", err)
	}
	re, prev, err := s.Subscribe(ctx, store.SubscribeRequest{Email: "ann@example.org", Frequency: store.Daily})
	if err != nil || prev != store.SubscriberUnsubscribed || re.Status != store.SubscriberPending {
		t.Fatalf("resubscribe: %+v, %s, %v", re, prev, err)
	}
	got, err := s.GetSubscriberByEmail(ctx, "ANN@EXAMPLE.ORG")
	if err != nil || got.ID != sub.ID {
		t.Fatalf("by email: %+v, %v", got, err)
	}
	if _, err := s.GetSubscriberByEmail(ctx, "zed@example.org"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown email: %v", err)
	}

	n, err := s.ImportSubscribers(ctx, []store.Subscriber{{Email: "b@example.org"}, {Email: "c@example.org", Frequency: store.Daily},
		{Email: "ann@example.org"}})
	if err != nil || n != 2 {
		t.Fatalf("import: %d, %v", n, err)
	}
	counts, err := s.CountSubscribers(ctx)
	if err != nil || counts[store.SubscriberConfirmed] != 2 || counts[store.SubscriberPending] != 1 {
		t.Fatalf("counts: %v, %v", counts, err)
	}
	list, err := s.ListSubscribers(ctx, store.SubscriberFilter{Status: store.SubscriberConfirmed})
	if err != nil || len(list) != 2 || list[0].Email != "b@example.org" || list[0].ConfirmedAt == nil {
		t.Fatalf("list: %+v, %v", list, err)
	}
	page, err := s.ListSubscribers(ctx, store.SubscriberFilter{AfterID: list[0].ID, Limit: 1})
	if err != nil || len(page) != 1 || page[0].ID != list[1].ID {
		t.Fatalf("page: %+v, %v", page, err)
	}
	if err := s.DeleteSubscriber(ctx, sub.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetSubscriber(ctx, sub.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after erase: %v", err)
	}
	if err := s.DeleteSubscriber(ctx, sub.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("erase twice: %v", err)
	}
}

func importSubscribersN(t *testing.T, s store.Store, n int, freq store.Frequency) []store.Subscriber {
	t.Helper()
	var subs []store.Subscriber
	for i := range n {
		subs = append(subs, store.Subscriber{Email: fmt.Sprintf("reader%03d@example.org", i), Frequency: freq})
	}
	if _, err := s.ImportSubscribers(ctx, subs); err != nil {
		t.Fatal(err)
	}
	out, err := s.ListSubscribers(ctx, store.SubscriberFilter{Limit: n})
	if err != nil || len(out) != n {
		t.Fatalf("list: %d, %v", len(out), err)
	}
	return out
}

func claimOf(sub store.Subscriber, edition string, end time.Time) store.DeliveryClaim {
	return store.DeliveryClaim{SubscriberID: sub.ID, Edition: edition, LastDigestAt: sub.LastDigestAt,
		WindowStart: end.Add(-24 * time.Hour), WindowEnd: end}
}

func testDeliveries(t *testing.T, s store.Store) {
	subs := importSubscribersN(t, s, 3, store.Daily)
	now := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
	q := store.DueQuery{Daily: "daily:2026-11-28", Weekly: "weekly:2026-W48"}
	due, err := s.DueSubscribers(ctx, q)
	if err != nil || len(due) != 3 || due[0].Edition != q.Daily || due[0].State != "" {
		t.Fatalf("due: %+v, %v", due, err)
	}
	var claims []store.DeliveryClaim
	for _, d := range due {
		claims = append(claims, claimOf(d.Subscriber, d.Edition, now))
	}
	got, err := s.ClaimDeliveries(ctx, claims, "a", now, now.Add(time.Minute))
	if err != nil || len(got) != 3 || got[0].State != store.DeliverySending || got[0].Attempts != 1 || got[0].ClaimedBy != "a" {
		t.Fatalf("claim: %+v, %v", got, err)
	}
	// Held by a: nobody else gets them before the lease ends.
	if again, err := s.ClaimDeliveries(ctx, claims, "b", now.Add(30*time.Second), now.Add(2*time.Minute)); err != nil || len(again) != 0 {
		t.Fatalf("claim while held: %+v, %v", again, err)
	}
	// Sent.
	ok, err := s.FinishDelivery(ctx, got[0].ID, "a", store.DeliveryResult{State: store.DeliverySent, MessageID: "m1", Briefs: 2})
	if err != nil || !ok {
		t.Fatalf("finish: %v, %v", ok, err)
	}
	sub0, _ := s.GetSubscriber(ctx, subs[0].ID)
	if sub0.LastDigestAt == nil || !sub0.LastDigestAt.Equal(now) {
		t.Errorf("last digest: %v", sub0.LastDigestAt)
	}
	// Not twice, and not by someone who does not hold it.
	if ok, err := s.FinishDelivery(ctx, got[0].ID, "a", store.DeliveryResult{State: store.DeliveryFailed}); err != nil || ok {
		t.Errorf("finish twice: %v, %v", ok, err)
	}
	if ok, err := s.FinishDelivery(ctx, got[1].ID, "b", store.DeliveryResult{State: store.DeliverySent}); err != nil || ok {
		t.Errorf("finish by another owner: %v, %v", ok, err)
	}
	// Bounced.
	if ok, err := s.FinishDelivery(ctx, got[1].ID, "a", store.DeliveryResult{State: store.DeliveryBounced, Error: "550 no such user"}); err != nil || !ok {
		t.Fatalf("bounce: %v, %v", ok, err)
	}
	sub1, _ := s.GetSubscriber(ctx, subs[1].ID)
	if sub1.Status != store.SubscriberBounced || sub1.BounceReason != "550 no such user" {
		t.Errorf("bounced subscriber: %+v", sub1)
	}
	// got[2] stays in sending: its sender "died". Due still lists it.
	due, err = s.DueSubscribers(ctx, q)
	if err != nil || len(due) != 1 || due[0].ID != subs[2].ID || due[0].State != store.DeliverySending || due[0].Attempts != 1 {
		t.Fatalf("due after: %+v, %v", due, err)
	}
	// After the lease ends, b takes it over.
	later := now.Add(2 * time.Minute)
	taken, err := s.ClaimDeliveries(ctx, []store.DeliveryClaim{claimOf(due[0].Subscriber, q.Daily, now)}, "b", later, later.Add(time.Minute))
	if err != nil || len(taken) != 1 || taken[0].ID != got[2].ID || taken[0].Attempts != 2 || taken[0].ClaimedBy != "b" {
		t.Fatalf("take over: %+v, %v", taken, err)
	}
	// a's late report is ignored.
	if ok, _ := s.FinishDelivery(ctx, got[2].ID, "a", store.DeliveryResult{State: store.DeliverySent}); ok {
		t.Error("a finished b's delivery")
	}
	// b fails temporarily, then gives up a claim (release).
	if ok, _ := s.FinishDelivery(ctx, got[2].ID, "b", store.DeliveryResult{State: store.DeliveryFailed, Error: "451 later"}); !ok {
		t.Fatal("fail")
	}
	taken, err = s.ClaimDeliveries(ctx, []store.DeliveryClaim{claimOf(due[0].Subscriber, q.Daily, now)}, "c", later, later.Add(time.Minute))
	if err != nil || len(taken) != 1 || taken[0].Attempts != 3 || taken[0].LastError != "451 later" {
		t.Fatalf("retry failed: %+v, %v", taken, err)
	}
	if ok, _ := s.FinishDelivery(ctx, got[2].ID, "c", store.DeliveryResult{State: store.DeliveryPending}); !ok {
		t.Fatal("release")
	}
	// MaxAttempts.
	c := claimOf(due[0].Subscriber, q.Daily, now)
	c.MaxAttempts = 2
	if taken, _ := s.ClaimDeliveries(ctx, []store.DeliveryClaim{c}, "d", later, later.Add(time.Minute)); len(taken) != 0 {
		t.Errorf("claimed past MaxAttempts: %+v", taken)
	}
	// Optimistic check: the sender read a stale LastDigestAt.
	sub0, _ = s.GetSubscriber(ctx, subs[0].ID)
	stale := claimOf(subs[0], "daily:2026-11-29", now.Add(24*time.Hour))
	if taken, _ := s.ClaimDeliveries(ctx, []store.DeliveryClaim{stale}, "e", later, later.Add(time.Minute)); len(taken) != 0 {
		t.Errorf("claimed with a stale last digest: %+v", taken)
	}
	fresh := claimOf(*sub0, "daily:2026-11-29", now.Add(24*time.Hour))
	tomorrow, err := s.ClaimDeliveries(ctx, []store.DeliveryClaim{fresh}, "e", later, later.Add(time.Minute))
	if err != nil || len(tomorrow) != 1 {
		t.Fatalf("claim of the next edition: %+v, %v", tomorrow, err)
	}
	// While one edition is being sent, another edition of the same
	// subscriber cannot be claimed.
	if taken, _ := s.ClaimDeliveries(ctx, []store.DeliveryClaim{claimOf(*sub0, "weekly:2026-W49", now)}, "f", later, later.Add(time.Minute)); len(taken) != 0 {
		t.Errorf("claimed a second edition while one is sending: %+v", taken)
	}
	// Unsubscribed: not due, not claimable.
	if _, err := s.SetSubscriberStatus(ctx, subs[2].ID, store.SubscriberUnsubscribed, time.Time{}, ""); err != nil {
		t.Fatal(err)
	}
	if taken, _ := s.ClaimDeliveries(ctx, []store.DeliveryClaim{claimOf(subs[2], q.Daily, now)}, "g", later, later.Add(time.Minute)); len(taken) != 0 {
		t.Errorf("claimed for an unsubscribed reader: %+v", taken)
	}
	dl, err := s.ListDeliveries(ctx, subs[0].ID)
	if err != nil || len(dl) != 2 {
		t.Fatalf("deliveries: %+v, %v", dl, err)
	}
	if err := s.DeleteSubscriber(ctx, subs[0].ID); err != nil {
		t.Fatal(err)
	}
	if dl, _ := s.ListDeliveries(ctx, subs[0].ID); len(dl) != 0 {
		t.Errorf("deliveries after erase: %+v", dl)
	}
}

// testConcurrentClaims has four owners claim the same 60 editions at once,
// in batches: every edition is claimed by exactly one.
func testConcurrentClaims(t *testing.T, s store.Store) {
	subs := importSubscribersN(t, s, 60, store.Weekly)
	now := time.Now()
	var (
		mu     sync.Mutex
		owners = map[int64]string{}
		wg     sync.WaitGroup
		errs   = make(chan error, 4)
	)
	for w := range 4 {
		owner := fmt.Sprintf("owner-%d", w)
		wg.Go(func() {
			order := slices.Clone(subs)
			if w%2 == 1 {
				slices.Reverse(order)
			}
			for i := 0; i < len(order); i += 7 {
				var claims []store.DeliveryClaim
				for _, sub := range order[i:min(i+7, len(order))] {
					claims = append(claims, claimOf(sub, "weekly:2026-W48", now))
				}
				got, err := s.ClaimDeliveries(ctx, claims, owner, now, now.Add(time.Hour))
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				for _, d := range got {
					if prev, dup := owners[d.SubscriberID]; dup {
						errs <- fmt.Errorf("subscriber %d claimed by %s and %s", d.SubscriberID, prev, owner)
					}
					owners[d.SubscriberID] = owner
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(owners) != len(subs) {
		t.Errorf("%d of %d claimed", len(owners), len(subs))
	}
}

func testEvents(t *testing.T, s store.Store) {
	start := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	e, err := s.SaveEvent(ctx, &store.Event{Title: "Sanctions Forum", StartsAt: start, EndsAt: start.Add(8 * time.Hour),
		TimeZone: "Europe/London", Place: "London", Topics: []string{"Sanctions", " ", "United Kingdom"}})
	if err != nil {
		t.Fatal(err)
	}
	if e.Slug != "2026-12-03-sanctions-forum" || !e.StartsAt.Equal(start) || e.TimeZone != "Europe/London" ||
		!slices.Equal(e.Topics, []string{"Sanctions", "United Kingdom"}) || e.ID == 0 {
		t.Fatalf("saved: %+v", e)
	}
	e.Description = "Updated"
	e2, err := s.SaveEvent(ctx, e)
	if err != nil || e2.ID != e.ID || e2.Description != "Updated" {
		t.Fatalf("update: %+v, %v", e2, err)
	}
	if _, err := s.SaveEvent(ctx, &store.Event{Title: "Webinar", StartsAt: start.Add(48 * time.Hour), OnlineURL: "https://example.org/w"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveEvent(ctx, &store.Event{Title: "Past", StartsAt: start.Add(-48 * time.Hour), EndsAt: start.Add(-47 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []store.Event{{StartsAt: start}, {Title: "x"}, {Title: "x", StartsAt: start, EndsAt: start.Add(-time.Hour)},
		{Title: "x", StartsAt: start, TimeZone: "Mars/Olympus"}, {Title: "x", StartsAt: start, OnlineURL: "javascript:alert(1)"}} {
		if _, err := s.SaveEvent(ctx, &bad); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("SaveEvent(%+v): %v", bad, err)
		}
	}
	up, err := s.ListEvents(ctx, store.EventFilter{EndsAfter: start.Add(time.Hour)})
	if err != nil || len(up) != 2 || up[0].Slug != e.Slug || up[1].Title != "Webinar" || up[1].TimeZone != "UTC" {
		t.Fatalf("upcoming: %+v, %v", up, err)
	}
	all, err := s.ListEvents(ctx, store.EventFilter{})
	if err != nil || len(all) != 3 || all[0].Title != "Past" {
		t.Fatalf("all: %+v, %v", all, err)
	}
	if err := s.DeleteEvent(ctx, e.Slug); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetEvent(ctx, e.Slug); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted event: %v", err)
	}
}
