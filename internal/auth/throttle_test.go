package auth

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time             { return c.t }
func (c *fakeClock) add(d time.Duration)        { c.t = c.t.Add(d) }
func newClock() *fakeClock                      { return &fakeClock{t: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)} }
func attempt(th *Throttle, keys ...string) bool { _, _, ok := th.Attempt(keys...); return ok }

// Parallel guesses are counted as they are let through: of 50 at once,
// exactly Max pass (the old throttle checked before it counted, and let
// 24 of 24 through).
func TestThrottleCheckAndCountAtomic(t *testing.T) {
	th := NewThrottle(10, 15*time.Minute)
	var passed atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 50 {
		wg.Go(func() {
			<-start
			if attempt(th, "addr 192.0.2.1", "account a@example.org") {
				passed.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	if passed.Load() != 10 {
		t.Errorf("%d of 50 parallel guesses were let through, want 10", passed.Load())
	}
}

// Guesses at one account from many addresses are limited by the account
// key (40 from 10 addresses were all evaluated before).
func TestThrottlePerAccount(t *testing.T) {
	th := NewThrottle(10, 15*time.Minute)
	passed := 0
	for i := range 40 {
		addr := "addr 192.0.2." + string(rune('0'+i%10))
		if attempt(th, addr, "account victim@example.org") {
			passed++
		}
	}
	if passed != 10 {
		t.Errorf("%d of 40 guesses at one account from 10 addresses passed, want 10", passed)
	}
	if !attempt(th, "addr 192.0.2.9", "account other@example.org") {
		t.Error("another account is locked too")
	}
}

func TestThrottleGrowingBackoff(t *testing.T) {
	c := newClock()
	th := NewThrottle(3, time.Hour)
	th.MaxBackoff = 10 * time.Minute
	th.Now = c.now
	for range 3 {
		if !attempt(th, "k") {
			t.Fatal("throttled early")
		}
	}
	var waits []time.Duration
	for range 4 {
		_, wait, ok := th.Attempt("k")
		if ok {
			t.Fatal("not throttled")
		}
		waits = append(waits, wait)
		c.add(wait) // wait out the lock, and try again: still over the limit
	}
	want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("locks %v, want %v", waits, want)
		}
	}
	if _, wait, ok := th.Attempt("k"); ok || wait != 10*time.Minute {
		t.Errorf("fifth lock: %v %v, want capped at 10 minutes", ok, wait)
	}
	// An attempt within a lock is refused without extending it.
	c.add(time.Minute)
	if _, wait, ok := th.Attempt("k"); ok || wait != 9*time.Minute {
		t.Errorf("within the lock: %v %v, want 9 minutes left", ok, wait)
	}
	c.add(time.Hour)
	if !attempt(th, "k") {
		t.Error("still throttled after an hour")
	}
}

func TestThrottleRefund(t *testing.T) {
	th := NewThrottle(2, time.Minute)
	at, _, _ := th.Attempt("a", "b")
	th.Refund(at, "a", "b")
	attempt(th, "a")
	if !attempt(th, "a") {
		t.Error("the refunded attempt still counts")
	}
	if attempt(th, "a") {
		t.Error("not throttled after two counted attempts")
	}
}

func TestHashLimitQueueTimeout(t *testing.T) {
	l := NewHashLimit(2, 50*time.Millisecond)
	r1, err1 := l.Acquire()
	r2, err2 := l.Acquire()
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if _, err := l.Acquire(); !errors.Is(err, ErrBusy) {
		t.Fatalf("third hash with two slots taken: %v, want ErrBusy", err)
	}
	r1()
	r3, err := l.Acquire()
	if err != nil {
		t.Fatalf("a freed slot is not reused: %v", err)
	}
	r2()
	r3()
	if l.InUse() != 0 {
		t.Errorf("%d slots still in use", l.InUse())
	}
}

// However many hash at once, no more than the limit run together.
func TestHashingBounded(t *testing.T) {
	old, oldLimit := DefaultParams, Hashing
	DefaultParams = Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	Hashing = NewHashLimit(2, time.Minute)
	defer func() { DefaultParams, Hashing = old, oldLimit }()
	var peak atomic.Int32
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
				if n := int32(Hashing.InUse()); n > peak.Load() {
					peak.Store(n)
				}
			}
		}
	}()
	var wg sync.WaitGroup
	for range 30 {
		wg.Go(func() {
			if _, err := HashPassword("correct horse battery staple"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	close(stop)
	if p := peak.Load(); p > 2 || p == 0 {
		t.Errorf("peak %d hashes at once, want 1 or 2", p)
	}
}

func TestCheckPassword(t *testing.T) {
	for pw, want := range map[string]string{
		"ééééé":                   "at least 12 characters",
		"ééééééééééé":             "at least 12 characters", // 11 characters, 22 bytes
		"short":                   "at least 12 characters",
		"qwerty123456":            "most common",
		"QWERTY123456":            "most common",
		"1qaz2wsx3edc":            "most common",
		"abc\xffdefghijklmn":      "UTF-8",
		strings.Repeat("x", 2000): "at most",
		"éééééééééééé":            "",
		"correct horse battery":   "",
	} {
		err := CheckPassword(pw)
		if want == "" {
			if err != nil {
				t.Errorf("%q refused: %v", pw, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want an error saying %q", pw, err, want)
		}
	}
	if !IsCommonPassword("password") || !IsCommonPassword("PassWord") || IsCommonPassword("a quite unusual phrase") {
		t.Error("IsCommonPassword")
	}
}
