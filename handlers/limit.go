package handlers

import (
	"crypto/sha256"
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

// full reports whether key's window is used up, and how long until it
// ends, without counting an event.
func (l *limiter) full(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.counts[key]
	if w == nil || l.now().Sub(w.start) >= l.window || w.n < l.limit {
		return false, 0
	}
	return true, w.start.Add(l.window).Sub(l.now())
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

// checkPassword checks a login and password under the limits on failed
// logins and returns the account. read gives the login and password; it
// is called only once the client's address may still try, so that the
// body of a refused request is never read. Only wrong passwords count:
// per client address (one address guessing at many accounts) and per
// login as accounts are looked up by it (many addresses guessing at one
// account), also for logins naming no account, so that a refusal does not
// tell which accounts exist. Once either limit is reached even the right
// password waits for the window to pass, so that guessing cannot go on.
//
// The check runs in the client's turn at hashing, and is counted there,
// before it runs, and given back unless the password was wrong: a burst of
// parallel guesses overshoots a limit by at most the hashing slots, and
// valid logins waiting their turn (an office at the opening rush) hold no
// count.
func (h *Handler) checkPassword(c *fiber.Ctx, read func() (loginBody, error)) (quiz.User, error) {
	var u quiz.User
	var b loginBody
	err := h.guardPassword(c, func() (string, error) {
		var err error
		b, err = read()
		return b.Login, err
	}, func() (bool, error) {
		var err error
		u, err = h.Accounts.Login(c.UserContext(), b.Login, b.Password)
		return quiz.ErrorCode(err) == quiz.CodeInvalidLogin, err
	})
	return u, err
}

// guardPassword runs check, a password check of the account login gives,
// under the limits on failed logins and in the client's turn at hashing,
// as checkPassword describes; check reports whether the password was
// wrong. login is called only once the client's address may still try.
func (h *Handler) guardPassword(c *fiber.Ctx, login func() (string, error), check func() (wrong bool, err error)) error {
	addr := h.clientKey(c)
	if err := h.refuseLimited(c, h.logins, addr); err != nil {
		return err
	}
	name, err := login()
	if err != nil {
		return err
	}
	account := accountKey(name)
	if err := h.refuseLimited(c, h.accounts, account); err != nil {
		return err
	}
	return h.hashing(c, func() error {
		if h.RateLimit {
			if ok, retry := h.logins.take(addr); !ok {
				return rateLimited(c, retry)
			}
			if ok, retry := h.accounts.take(account); !ok {
				h.logins.give(addr)
				return rateLimited(c, retry)
			}
		}
		wrong, err := check()
		if h.RateLimit && !wrong {
			h.logins.give(addr)
			h.accounts.give(account)
		}
		return err
	})
}

// refuseLimited answers 429 when key has used up its window in l (and the
// limits are on), without counting anything.
func (h *Handler) refuseLimited(c *fiber.Ctx, l *limiter, key string) error {
	if !h.RateLimit {
		return nil
	}
	if full, retry := l.full(key); full {
		return rateLimited(c, retry)
	}
	return nil
}

// accountKey is the key failed logins to one account are counted under:
// the login as accounts are looked up by it, hashed so that the counts
// hold neither people's phone numbers nor arbitrarily long strings.
func accountKey(login string) string {
	sum := sha256.Sum256([]byte(quiz.NormalizeLogin(login)))
	return string(sum[:])
}
