package handlers

import (
	"sync"
	"time"
)

// socketRetryAfter is what a client over the websocket cap is told to
// wait: sockets close when people leave a page, which takes a while.
const socketRetryAfter = 30 * time.Second

// socketCount caps the websockets open per client address, all kinds
// together. Each open socket holds a connection, two goroutines and their
// buffers for as long as the client wants; without a cap one address
// could hold thousands.
type socketCount struct {
	limit int // 0: no cap
	mu    sync.Mutex
	open  map[string]int
}

func newSocketCount(limit int) *socketCount {
	return &socketCount{limit: limit, open: map[string]int{}}
}

// take counts one more socket for key unless key has limit open.
func (s *socketCount) take(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.limit > 0 && s.open[key] >= s.limit {
		return false
	}
	s.open[key]++
	return true
}

// release forgets a socket counted for key once it has closed.
func (s *socketCount) release(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.open[key] <= 1 {
		delete(s.open, key)
		return
	}
	s.open[key]--
}
