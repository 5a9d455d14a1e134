package handlers

import (
	"runtime"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Checking or hashing a password costs tens of milliseconds of one core
// (bcrypt), and valid logins are never limited. Run at once, a flood of
// them from one address shares the cores with everyone else's and every
// login waits as long as the flood. So hashing runs in a few slots, one a
// core, and requests wait for a slot in turns by client address: each
// free slot goes to the next address in the round, which serves one
// request from each waiting address before a second from any. A flood
// then delays others by at most one turn per slot, and the queues are
// bounded so that it cannot hold unbounded goroutines either.

// Bounds of the queue. An office behind one address at the opening rush
// has its first 128 logins queued (a few seconds at the default cost)
// and the rest asked to retry; 1,024 waiting in all are a few tens of
// MiB of goroutines and buffers.
const (
	hashQueuePerAddress = 128
	hashQueueTotal      = 1024
	// hashRetryAfter is what a request refused for a full queue is told
	// to wait: about how long the queue takes to move on.
	hashRetryAfter = 2 * time.Second
)

// hashQueue gives hashing slots to waiting requests, round-robin by key.
type hashQueue struct {
	slots   int // how many run at once
	perKey  int // how many may wait per key
	total   int // how many may wait in all
	mu      sync.Mutex
	running int
	waiting int
	queues  map[string][]chan struct{} // the requests waiting, by key, oldest first
	round   []string                   // keys with requests waiting, in serving order
}

func newHashQueue(slots, perKey, total int) *hashQueue {
	if slots <= 0 {
		slots = runtime.GOMAXPROCS(0)
	}
	return &hashQueue{slots: slots, perKey: perKey, total: total, queues: map[string][]chan struct{}{}}
}

// acquire waits for a slot for key; it is false, at once, when key's
// queue or the whole queue is full. A true acquire is followed by release.
func (q *hashQueue) acquire(key string) bool {
	q.mu.Lock()
	if q.running < q.slots { // then nobody waits
		q.running++
		q.mu.Unlock()
		return true
	}
	queue := q.queues[key]
	if len(queue) >= q.perKey || q.waiting >= q.total {
		q.mu.Unlock()
		return false
	}
	turn := make(chan struct{})
	if len(queue) == 0 {
		q.round = append(q.round, key)
	}
	q.queues[key] = append(queue, turn)
	q.waiting++
	q.mu.Unlock()
	<-turn // the slot is handed over by release
	return true
}

// release hands the slot to the oldest request of the next key in the
// round, which goes to the back of the round if it has more waiting.
func (q *hashQueue) release() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.round) == 0 {
		q.running--
		return
	}
	key := q.round[0]
	q.round = q.round[1:]
	queue := q.queues[key]
	turn := queue[0]
	if len(queue) == 1 {
		delete(q.queues, key)
	} else {
		q.queues[key] = queue[1:]
		q.round = append(q.round, key)
	}
	q.waiting--
	close(turn)
}

// hashing runs work, which checks or hashes a password, in a hashing slot
// when it is the client's turn; with the client's queue full it answers
// 429 rate_limited instead.
func (h *Handler) hashing(c *fiber.Ctx, work func() error) error {
	if !h.hashes.acquire(h.clientKey(c)) {
		return rateLimited(c, hashRetryAfter)
	}
	defer h.hashes.release()
	return work()
}
