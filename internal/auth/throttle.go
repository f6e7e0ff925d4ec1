package auth

import (
	"sync"
	"time"
)

// Throttle limits password guesses. Every attempt is counted against all
// its keys (the client's address and the account) before the password is
// checked, in one step under one lock, so that parallel guesses cannot all
// pass the check before any is counted. A key with Max attempts in Window
// is locked; each lock while still over the limit lasts twice the one
// before (Backoff, 2×Backoff, 4×Backoff ... up to MaxBackoff).
type Throttle struct {
	Max        int
	Window     time.Duration
	Backoff    time.Duration
	MaxBackoff time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time

	mu   sync.Mutex
	keys map[string]*throttleKey
}

type throttleKey struct {
	tries   []time.Time // attempts counted in the window, oldest first
	strikes int         // locks since the key was last clean
	until   time.Time   // locked until
}

// maxThrottleKeys bounds the memory a spray of keys can take.
const maxThrottleKeys = 100000

// NewThrottle allows max attempts per key within window; a locked key
// waits a minute, then two, four ... up to the window.
func NewThrottle(max int, window time.Duration) *Throttle {
	return &Throttle{Max: max, Window: window, Backoff: time.Minute, MaxBackoff: window}
}

func (t *Throttle) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

// Attempt counts one attempt against every key and returns true, unless a
// key is locked: then nothing is counted and it returns false and how long
// to wait. The returned time identifies the attempt for Refund.
func (t *Throttle) Attempt(keys ...string) (at time.Time, wait time.Duration, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.keys == nil {
		t.keys = map[string]*throttleKey{}
	}
	now := t.now()
	for _, k := range keys {
		if w := t.locked(k, now); w > 0 {
			wait = max(wait, w)
		}
	}
	if wait > 0 {
		return now, wait, false
	}
	if len(t.keys)+len(keys) > maxThrottleKeys {
		t.sweep(now)
	}
	for _, k := range keys {
		e := t.keys[k]
		if e == nil {
			e = &throttleKey{}
			t.keys[k] = e
		}
		e.tries = append(e.tries, now)
	}
	return now, 0, true
}

// locked returns how long key k must wait at now (0: it may try), locking
// it when it has reached Max attempts.
func (t *Throttle) locked(k string, now time.Time) time.Duration {
	e := t.keys[k]
	if e == nil {
		return 0
	}
	t.prune(e, now)
	if now.Before(e.until) {
		return e.until.Sub(now)
	}
	if len(e.tries) < t.Max {
		if len(e.tries) == 0 && now.Sub(e.until) > t.Window {
			delete(t.keys, k) // clean for a whole window: forget its strikes
		}
		return 0
	}
	d := t.Backoff << min(e.strikes, 20)
	if d <= 0 || (t.MaxBackoff > 0 && d > t.MaxBackoff) {
		d = max(t.MaxBackoff, time.Second)
	}
	e.strikes++
	e.until = now.Add(d)
	return d
}

func (t *Throttle) prune(e *throttleKey, now time.Time) {
	i := 0
	for i < len(e.tries) && now.Sub(e.tries[i]) >= t.Window {
		i++
	}
	e.tries = e.tries[i:]
}

// sweep drops clean keys; if that is not enough, all of them.
func (t *Throttle) sweep(now time.Time) {
	for k, e := range t.keys {
		t.prune(e, now)
		if len(e.tries) == 0 && !now.Before(e.until) {
			delete(t.keys, k)
		}
	}
	if len(t.keys) > maxThrottleKeys/2 {
		t.keys = map[string]*throttleKey{}
	}
}

// Refund takes back the attempt made at at (a successful login, or one
// refused before its password was checked) from keys.
func (t *Throttle) Refund(at time.Time, keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range keys {
		e := t.keys[k]
		if e == nil {
			continue
		}
		for i := len(e.tries) - 1; i >= 0; i-- {
			if e.tries[i].Equal(at) {
				e.tries = append(e.tries[:i], e.tries[i+1:]...)
				break
			}
		}
	}
}

// Reset forgets key.
func (t *Throttle) Reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.keys, key)
}
