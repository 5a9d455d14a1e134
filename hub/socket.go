package hub

import (
	"encoding/json"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Socket is one open websocket. Its owner (the handler that opened it)
// subscribes it, claims a key, runs its read loop with Receive and then
// calls Close; anyone may Send to it or Stop it. Its writer goroutine
// writes what is queued, in order, and pings the client.
type Socket struct {
	hub  *Hub
	conn *websocket.Conn
	kind string

	mu       sync.Mutex
	queue    []Message         // waiting for the writer
	spare    []Message         // the writer's last batch, emptied, for the next queue
	last     map[string][]byte // by Latest name, the data last queued
	stopping bool              // the read loop is to return
	closing  bool              // Close was called: nothing more is queued
	broken   bool              // a write failed or the queue overflowed: nothing more is written
	code     int               // the close frame's
	text     string
	wake     chan struct{} // something was queued, or Close was called
	written  chan struct{} // closed once the writer has closed the connection
	closed   sync.Once

	// Under the hub's lock.
	topics []Topic
	key    Key
	keyed  bool
}

func newSocket(h *Hub, conn *websocket.Conn, kind string) *Socket {
	s := &Socket{hub: h, conn: conn, kind: kind, code: websocket.CloseNormalClosure,
		wake: make(chan struct{}, 1), written: make(chan struct{})}
	conn.SetReadLimit(readLimit)
	_ = conn.SetReadDeadline(time.Now().Add(readTimeout))
	conn.SetPongHandler(func(string) error {
		s.extendRead()
		return nil
	})
	return s
}

// Subscribe makes the socket follow t until Unsubscribe or Close.
func (s *Socket) Subscribe(t Topic) { s.hub.subscribe(s, t) }

// Unsubscribe stops following t.
func (s *Socket) Unsubscribe(t Topic) { s.hub.unsubscribe(s, t) }

// Claim makes the socket the one under k; the socket it replaces is
// stopped with CloseReplaced.
func (s *Socket) Claim(k Key) { s.hub.claim(s, k) }

// Send queues m for the socket's writer. It reports false once the socket
// is closing or broken, or when m overflowed the queue: then the socket is
// stopped with 1013 (try again later), since its client has stopped
// reading.
func (s *Socket) Send(m Message) bool {
	s.mu.Lock()
	queued := s.enqueue(m)
	s.mu.Unlock()
	if queued {
		s.signal()
	}
	return queued
}

// SendJSON encodes v and sends it: for what only this socket gets.
func (s *Socket) SendJSON(v any) bool {
	data, err := json.Marshal(v)
	return err == nil && s.Send(Message{Data: data})
}

func (s *Socket) enqueue(m Message) bool {
	if s.closing || s.broken {
		return false
	}
	if m.Latest != "" {
		if last, ok := s.last[m.Latest]; ok && sameSlice(last, m.Data) {
			return true
		}
		if s.last == nil {
			s.last = map[string][]byte{}
		}
		s.last[m.Latest] = m.Data
		for i := range s.queue {
			if s.queue[i].Latest == m.Latest {
				s.queue[i].Data = m.Data
				return true
			}
		}
	}
	if len(s.queue) >= queueLimit {
		s.breakLocked()
		s.stopLocked(websocket.CloseTryAgainLater, "too slow to read")
		return false
	}
	s.queue = append(s.queue, m)
	return true
}

// sameSlice reports whether a and b are one slice, which a cache hands
// out again while what it holds does not change.
func sameSlice(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

func (s *Socket) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Stop makes the read loop return after the message it is handling, so
// that the socket closes with code and text. The first Stop names them.
func (s *Socket) Stop(code int, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopLocked(code, text)
}

func (s *Socket) stopLocked(code int, text string) {
	if s.stopping {
		return
	}
	s.stopping, s.code, s.text = true, code, text
	_ = s.conn.SetReadDeadline(time.Now())
}

// Stopping reports whether the socket was stopped.
func (s *Socket) Stopping() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopping
}

// extendRead moves the read deadline on after a message or a pong, unless
// the socket is being stopped.
func (s *Socket) extendRead() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.stopping {
		_ = s.conn.SetReadDeadline(time.Now().Add(readTimeout))
	}
}

// Receive reads the client's messages and hands each to handle (nil drops
// them) until the client leaves or the socket is stopped. It is the
// socket's read loop: the owner calls it once.
func (s *Socket) Receive(handle func(messageType int, data []byte)) {
	for !s.Stopping() {
		kind, data, err := s.conn.ReadMessage()
		if err != nil {
			return
		}
		s.extendRead()
		if handle != nil {
			handle(kind, data)
		}
	}
}

// Close ends the socket once its read loop has returned: it follows no
// topic and holds no key any more, its writer writes what was queued and
// the close frame and closes the connection, and the hub forgets it.
func (s *Socket) Close() {
	s.closed.Do(func() {
		s.hub.forget(s)
		s.mu.Lock()
		s.closing = true
		s.mu.Unlock()
		s.signal()
		<-s.written
		s.hub.unregister(s)
	})
}

// write is the socket's writer: it writes what is queued, in order, each
// write within writeTimeout, pings the client every pingEvery, and once
// the socket is closing and its queue empty, closes the connection.
func (s *Socket) write() {
	defer close(s.written)
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	for {
		select {
		case <-s.wake:
		case <-ping.C:
			if s.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeTimeout)) != nil {
				s.fail()
			}
		}
		for {
			batch, closing := s.take()
			if len(batch) == 0 {
				if closing {
					s.mu.Lock()
					code, text := s.code, s.text
					s.mu.Unlock()
					s.closeConn(code, text)
					return
				}
				break
			}
			for _, m := range batch {
				_ = s.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
				if s.conn.WriteMessage(websocket.TextMessage, m.Data) != nil {
					s.fail()
					break
				}
			}
			s.recycle(batch)
		}
	}
}

// take hands the writer what is queued, nothing once the socket is
// broken, and whether the socket is closing.
func (s *Socket) take() (batch []Message, closing bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	batch, s.queue, s.spare = s.queue, s.spare[:0], nil
	return batch, s.closing
}

// recycle keeps a written batch's array for the next queue, emptied so
// that it holds no message's data.
func (s *Socket) recycle(batch []Message) {
	clear(batch)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.spare = batch[:0]
}

// fail marks the socket broken after a write failed and stops its read
// loop: a client that cannot be written to is gone.
func (s *Socket) fail() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.breakLocked()
	s.stopLocked(s.code, s.text)
}

func (s *Socket) breakLocked() {
	s.broken = true
	clear(s.queue)
	s.queue = s.queue[:0]
}

// closeConn sends the close frame and closes the connection.
func (s *Socket) closeConn(code int, text string) {
	_ = s.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(closeTimeout))
	_ = s.conn.Close()
}
