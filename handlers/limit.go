package handlers

import (
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"hoithi/quiz"
)

// limiter counts events per key in fixed windows: at most limit events a
// window. It forgets keys whose window has passed.
type limiter struct {
	limit  int
	window time.Duration
	now    func() time.Time

	mu        sync.Mutex
	counts    map[string]*windowCount
	lastSweep time.Time
}

type windowCount struct {
	start time.Time
	n     int
}

func newLimiter(limit int, window time.Duration, now func() time.Time) *limiter {
	return &limiter{limit: limit, window: window, now: now, counts: map[string]*windowCount{}}
}

// current returns key's count in the window running now.
func (l *limiter) current(key string) *windowCount {
	now := l.now()
	if now.Sub(l.lastSweep) > l.window {
		for k, w := range l.counts {
			if now.Sub(w.start) >= l.window {
				delete(l.counts, k)
			}
		}
		l.lastSweep = now
	}
	w := l.counts[key]
	if w == nil || now.Sub(w.start) >= l.window {
		w = &windowCount{start: now}
		l.counts[key] = w
	}
	return w
}

// take counts one event for key unless its window is used up; then it
// says how long until the key may try again. Counting before the work,
// rather than after, keeps a burst of parallel requests within the limit.
func (l *limiter) take(key string) (ok bool, retry time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.current(key)
	if w.n >= l.limit {
		return false, w.start.Add(l.window).Sub(l.now())
	}
	w.n++
	return true, 0
}

// give back an event taken for key that turned out not to count (a login
// that succeeded, a registration refused for invalid input).
func (l *limiter) give(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if w := l.counts[key]; w != nil && w.n > 0 {
		w.n--
	}
}

// rateLimited answers 429 with Retry-After in whole seconds.
func rateLimited(c *fiber.Ctx, retry time.Duration) error {
	secs := int(retry.Round(time.Second) / time.Second)
	if secs < 1 {
		secs = 1
	}
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
	return quiz.Errorf(quiz.CodeRateLimited, "too many requests; retry in %d s", secs)
}
