package auth

import (
	"errors"
	"runtime"
	"time"
)

// ErrBusy is returned when no password-hashing slot freed up within the
// queue timeout: the server is busy, and the client should retry later.
var ErrBusy = errors.New("auth: too many logins at once, try again shortly")

// HashLimit bounds how many argon2id hashes run at once. Each one takes
// DefaultParams.Memory (64 MiB) and about a second of CPU, so without a
// bound a few dozen parallel logins exhaust the server's memory and starve
// every other request.
type HashLimit struct {
	slots chan struct{}
	// Wait is how long a hash may queue for a slot before ErrBusy.
	Wait time.Duration
}

// NewHashLimit lets n hashes run at once, each queueing at most wait.
func NewHashLimit(n int, wait time.Duration) *HashLimit {
	return &HashLimit{slots: make(chan struct{}, max(1, n)), Wait: wait}
}

// Hashing is the process's limit: one hash per two CPUs (at least one),
// so that hashing never takes every core; a hash queues at most 3 seconds.
var Hashing = NewHashLimit(runtime.GOMAXPROCS(0)/2, 3*time.Second)

// RetryAfter is the Retry-After (in seconds) to send with ErrBusy.
func (l *HashLimit) RetryAfter() int { return max(1, int(l.Wait.Seconds())) }

// InUse reports how many hashes are running.
func (l *HashLimit) InUse() int { return len(l.slots) }

// Capacity is how many hashes may run at once.
func (l *HashLimit) Capacity() int { return cap(l.slots) }

// Acquire waits at most l.Wait for a slot; call release when done.
func (l *HashLimit) Acquire() (release func(), err error) {
	select {
	case l.slots <- struct{}{}:
		return l.release, nil
	default:
	}
	t := time.NewTimer(l.Wait)
	defer t.Stop()
	select {
	case l.slots <- struct{}{}:
		return l.release, nil
	case <-t.C:
		return nil, ErrBusy
	}
}

func (l *HashLimit) release() { <-l.slots }

// returnHashMemory collects the garbage of a hash that took memory KiB
// when that is large (the default 64 MiB): without it, the blocks of
// successive hashes pile up until the next GC cycle, and a stream of
// logins holds several times the memory of the hashes running.
func returnHashMemory(memory uint32) {
	if memory >= 8*1024 {
		runtime.GC()
	}
}
