// Package batch is the queue both stores' writers take their operations
// from. Callers put an operation and wait for it to be done; the writer
// takes a batch at a time, one operation and what else has queued up
// meanwhile, and commits the batch in one transaction. Under load the
// queue fills while the last batch commits, so batches grow with the load
// and many callers share one commit.
package batch

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"time"
)

// ErrClosed is returned by Put once the queue is closed.
var ErrClosed = errors.New("closed")

// Queue holds the operations waiting for the writer.
type Queue[T any] struct {
	mu      sync.RWMutex // guards closed against sends on a closed channel
	closed  bool
	ops     chan T
	max     int
	maxWait time.Duration
}

// New returns a queue whose batches hold at most max operations. With
// maxWait, the writer waits that long for more after the first of a batch;
// without, it takes what has queued up already.
func New[T any](max int, maxWait time.Duration) *Queue[T] {
	return &Queue[T]{ops: make(chan T, 4*max), max: max, maxWait: maxWait}
}

// Put queues op. It fails with ErrClosed once the queue is closed, and
// with ctx's error when ctx ends before there is room.
func (q *Queue[T]) Put(ctx context.Context, op T) error {
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.closed {
		return ErrClosed
	}
	select {
	case q.ops <- op:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Len is how many operations wait for the writer.
func (q *Queue[T]) Len() int { return len(q.ops) }

// Close refuses later Puts; what is queued stays for Next.
func (q *Queue[T]) Close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.closed {
		q.closed = true
		close(q.ops)
	}
}

// Next waits for an operation and returns the batch it starts, in batch's
// storage; false once the queue is closed and empty.
func (q *Queue[T]) Next(batch []T) ([]T, bool) {
	op, ok := <-q.ops
	if !ok {
		return batch[:0], false
	}
	batch = append(batch[:0], op)
	var timeout <-chan time.Time
	if q.maxWait > 0 {
		timer := time.NewTimer(q.maxWait)
		defer timer.Stop()
		timeout = timer.C
	} else {
		// Let the goroutines that are about to queue an operation do so
		// first.
		runtime.Gosched()
	}
	for len(batch) < q.max {
		var op T
		var ok bool
		if timeout != nil {
			select {
			case op, ok = <-q.ops:
			case <-timeout:
				return batch, true
			}
		} else {
			select {
			case op, ok = <-q.ops:
			default:
				return batch, true
			}
		}
		if !ok {
			return batch, true // closed: this batch, then no more
		}
		batch = append(batch, op)
	}
	return batch, true
}
