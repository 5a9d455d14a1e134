package quiz

import (
	"sort"
	"sync"
	"time"
)

// Clock is the time the domain runs on: what time it is, and functions
// run once a duration has passed. The server uses the real one; tests give
// a FakeClock and move it, so that deadlines pass without waiting.
type Clock interface {
	Now() time.Time
	// AfterFunc runs f in its own goroutine once d has passed.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a function waiting on a Clock.
type Timer interface {
	// Stop prevents the function from running; it reports whether it did
	// (false: it has run or was stopped already).
	Stop() bool
}

// RealClock is the wall clock.
type RealClock struct{}

// Now returns the current time.
func (RealClock) Now() time.Time { return time.Now() }

// AfterFunc runs f after d, as time.AfterFunc does.
func (RealClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// FakeClock is a clock that moves only when told to. Functions whose time
// has come run when Advance or Set passes their time, in time order, each in
// its own goroutine as a real timer's would.
type FakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiting []*fakeTimer
	seq     int
}

// NewFakeClock returns a clock stopped at now.
func NewFakeClock(now time.Time) *FakeClock { return &FakeClock{now: now} }

// Now returns the clock's time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc runs f once the clock has moved d past now; d <= 0 runs it at
// once.
func (c *FakeClock) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	c.seq++
	t := &fakeTimer{clock: c, at: c.now.Add(d), seq: c.seq, f: f}
	if d <= 0 {
		c.mu.Unlock()
		go f()
		return t
	}
	c.waiting = append(c.waiting, t)
	c.mu.Unlock()
	return t
}

// Advance moves the clock forward by d and runs what has come due.
func (c *FakeClock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// Set moves the clock to t (never back) and runs what has come due.
func (c *FakeClock) Set(t time.Time) {
	c.mu.Lock()
	if t.After(c.now) {
		c.now = t
	}
	var due, rest []*fakeTimer
	for _, w := range c.waiting {
		if !w.at.After(c.now) {
			due = append(due, w)
		} else {
			rest = append(rest, w)
		}
	}
	c.waiting = rest
	c.mu.Unlock()
	sort.Slice(due, func(i, j int) bool {
		if !due[i].at.Equal(due[j].at) {
			return due[i].at.Before(due[j].at)
		}
		return due[i].seq < due[j].seq
	})
	for _, w := range due {
		go w.f()
	}
}

// Waiting returns how many functions wait on the clock: a test moves the
// clock once the code under test has set its timer.
func (c *FakeClock) Waiting() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.waiting)
}

type fakeTimer struct {
	clock *FakeClock
	at    time.Time
	seq   int
	f     func()
}

func (t *fakeTimer) Stop() bool {
	c := t.clock
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, w := range c.waiting {
		if w == t {
			c.waiting = append(c.waiting[:i], c.waiting[i+1:]...)
			return true
		}
	}
	return false
}
