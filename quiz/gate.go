package quiz

import (
	"context"
	"sync"
	"time"
)

// CodeBusy refuses work the server has no room for now; the client may try
// again a little later.
const CodeBusy = "busy"

// Gate lets a few heavy jobs (a workbook of every contestant) run at once,
// so that many of them together cannot take the server's memory: the
// others wait their turn for a while, then are refused with CodeBusy.
type Gate struct {
	slots chan struct{}
	wait  time.Duration
}

// NewGate returns a gate for at most slots jobs at once, whose other jobs
// wait at most wait for a turn.
func NewGate(slots int, wait time.Duration) *Gate {
	return &Gate{slots: make(chan struct{}, max(slots, 1)), wait: wait}
}

// Enter waits for a turn and returns the function that ends it, which may
// be called more than once. Without a turn within the gate's wait it
// returns CodeBusy.
func (g *Gate) Enter(ctx context.Context) (leave func(), err error) {
	timer := time.NewTimer(g.wait)
	defer timer.Stop()
	select {
	case g.slots <- struct{}{}:
	case <-timer.C:
		return func() {}, Errorf(CodeBusy, "%d heavy jobs are running; none ended within %s", cap(g.slots), g.wait)
	case <-ctx.Done():
		return func() {}, ctx.Err()
	}
	var once sync.Once
	return func() { once.Do(func() { <-g.slots }) }, nil
}
