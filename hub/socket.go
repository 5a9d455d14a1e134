package hub

import (
	"bytes"
	"encoding/json"
	"math"
	"net"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Socket is one open websocket. Its owner (the handler that opened it)
// subscribes it, claims a key, runs its read loop with Receive and then
// calls Close; anyone may Send to it or Stop it. What is queued is written
// in order by a writer goroutine that runs only while there is something
// to write, all it finds queued in one system call; a timer pings the
// client. An idle socket thus holds one goroutine, its read loop.
type Socket struct {
	hub  *Hub
	conn *websocket.Conn
	out  net.Conn // what the writer writes frames to (a Conn)
	kind string
	ping *time.Timer
	run  func() // write, made once: starting it allocates nothing

	mu       sync.Mutex
	queue    []Message         // waiting for the writer
	spare    []Message         // the writer's last batch, emptied, for the next queue
	sending  int               // messages in the batch being written
	last     map[string][]byte // by Latest name, the data last queued
	pinging  bool              // a ping waits for the writer
	writing  bool              // a writer goroutine runs
	stopping bool              // the read loop is to return
	closing  bool              // Close was called: nothing more is queued
	broken   bool              // a write failed or the queue overflowed: nothing more is written
	code     int               // the close frame's
	text     string
	written  chan struct{} // closed once the writer has closed the connection
	closed   sync.Once
	once     map[string]bool // the names Once has been asked

	// Under the hub's lock.
	topics []Topic
	key    Key
	keyed  bool
	claim  Claim // when the socket took key
}

func newSocket(h *Hub, conn *websocket.Conn, kind string) *Socket {
	s := &Socket{hub: h, conn: conn, out: conn.NetConn(), kind: kind, code: websocket.CloseNormalClosure,
		written: make(chan struct{})}
	s.run = s.write
	s.ping = time.AfterFunc(time.Duration(math.MaxInt64), s.pingClient) // Open sets it going
	conn.SetReadLimit(readLimit)
	_ = conn.SetReadDeadline(time.Now().Add(readTimeout))
	conn.SetPongHandler(func(string) error {
		s.extendRead()
		return nil
	})
	conn.SetCloseHandler(s.closedByClient)
	return s
}

// closedByClient answers a client's close frame: the writer's close frame,
// the only one the socket sends, echoes the client's code unless the
// socket was already being stopped with a code of its own.
func (s *Socket) closedByClient(code int, _ string) error {
	if code == websocket.CloseNoStatusReceived {
		code = websocket.CloseNormalClosure
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.stopping {
		s.code, s.text = code, ""
	}
	s.stopLocked(s.code, s.text)
	return nil
}

// Subscribe makes the socket follow t until Unsubscribe or Close.
func (s *Socket) Subscribe(t Topic) { s.hub.subscribe(s, t) }

// Unsubscribe stops following t.
func (s *Socket) Unsubscribe(t Topic) { s.hub.unsubscribe(s, t) }

// Claim makes the socket the one under k; the socket it replaces is
// stopped with CloseReplaced. It returns the claim, for other nodes to
// weigh their own sockets under k against (Hub.Yield).
func (s *Socket) Claim(k Key) Claim { return s.hub.claim(s, k) }

// Once reports whether the socket is asked about name for the first time:
// a message that must reach a socket at most once (an attempt's result,
// which may come from this node or from another) is sent only when it is.
func (s *Socket) Once(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.once[name] {
		return false
	}
	if s.once == nil {
		s.once = map[string]bool{}
	}
	s.once[name] = true
	return true
}

// Send queues m for the socket's writer. It reports false once the socket
// is closing or broken, or when m overflowed the queue: then the socket is
// stopped with 1013 (try again later), since its client has stopped
// reading.
func (s *Socket) Send(m Message) bool {
	s.mu.Lock()
	queued := s.enqueue(m)
	start := queued && s.startWriter()
	s.mu.Unlock()
	if start {
		go s.run()
	}
	return queued
}

// startWriter reports whether the caller is to start the writer: there
// was none. Under s.mu.
func (s *Socket) startWriter() bool {
	if s.writing {
		return false
	}
	s.writing = true
	return true
}

// pingClient queues a ping, every pingEvery until the socket closes: a
// client that answers none is gone once its read deadline passes.
func (s *Socket) pingClient() {
	s.mu.Lock()
	if s.closing || s.broken {
		s.mu.Unlock()
		return
	}
	s.pinging = true
	start := s.startWriter()
	s.mu.Unlock()
	s.ping.Reset(s.hub.pingEvery)
	if start {
		go s.run()
	}
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
// socket's read loop: the owner calls it once. A message's bytes are read
// into a buffer the sockets share, so handle must not keep data past its
// return (decoding it copies what it needs).
func (s *Socket) Receive(handle func(messageType int, data []byte)) {
	s.release()
	for !s.Stopping() {
		kind, r, err := s.conn.NextReader()
		if err != nil {
			return
		}
		buf := readBuffers.Get().(*bytes.Buffer)
		buf.Reset()
		_, err = buf.ReadFrom(r)
		if err == nil {
			s.extendRead()
			if handle != nil {
				handle(kind, buf.Bytes())
			}
		}
		readBuffers.Put(buf) // at most readLimit bytes
		if err != nil {
			return
		}
		if s.backlog() >= floodMark {
			s.Stop(websocket.CloseTryAgainLater, "too slow to read")
		}
	}
}

// release writes the upgrade's response held back (Conn) before
// the read loop waits on the client, who may wait for it to send anything;
// a writer already going writes it with its frames.
func (s *Socket) release() {
	s.mu.Lock()
	writing := s.writing
	s.mu.Unlock()
	if fc, ok := s.out.(*frameConn); ok && !writing {
		_ = fc.flush()
	}
}

// backlog is how many messages wait for the writer or are being written.
func (s *Socket) backlog() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue) + s.sending
}

// readBuffers hold a client's message while it is handled: a socket holds
// none between messages.
var readBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Close ends the socket once its read loop has returned: it follows no
// topic and holds no key any more, its writer writes what was queued and
// the close frame and closes the connection, and the hub forgets it.
func (s *Socket) Close() {
	s.closed.Do(func() {
		s.hub.forget(s)
		s.ping.Stop()
		s.mu.Lock()
		s.closing = true
		start := s.startWriter()
		s.mu.Unlock()
		if start {
			s.write() // the read loop's goroutine writes the rest itself
		}
		<-s.written
		s.hub.unregister(s)
	})
}

// write is the socket's writer. It writes what is queued, in order, all
// it finds at once in one write within writeTimeout, until the queue is
// empty; then it ends, unless the socket is closing: then it writes the
// close frame and closes the connection.
func (s *Socket) write() {
	for {
		batch, ping, done := s.take()
		if done {
			s.mu.Lock()
			code, text := s.code, s.text
			s.mu.Unlock()
			s.closeConn(code, text)
			close(s.written)
			return
		}
		if len(batch) == 0 && !ping {
			return // take saw nothing to do and let the writer go
		}
		f := framesPool.Get().(*frames)
		f.reserve(len(batch) + 1)
		if ping {
			f.add(opPing, nil)
		}
		for _, m := range batch {
			f.add(opText, m.Data)
		}
		err := f.write(s.out, writeTimeout)
		f.reset()
		framesPool.Put(f)
		s.recycle(batch)
		if err != nil {
			s.fail()
		}
	}
}

// take hands the writer what is queued (nothing once the socket is
// broken) and whether a ping is due. With nothing to write it reports
// done when the socket is closing, and otherwise marks the writer gone.
func (s *Socket) take() (batch []Message, ping, done bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	batch, s.queue, s.spare = s.queue, s.spare[:0], nil
	s.sending = len(batch)
	ping, s.pinging = s.pinging && !s.broken, false
	if len(batch) == 0 && !ping {
		if s.closing {
			return nil, false, true
		}
		s.writing = false
	}
	return batch, ping, false
}

// recycle keeps a written batch's array for the next queue, emptied so
// that it holds no message's data.
func (s *Socket) recycle(batch []Message) {
	clear(batch)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.spare, s.sending = batch[:0], 0
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
	f := framesPool.Get().(*frames)
	f.reserve(1)
	f.add(opClose, websocket.FormatCloseMessage(code, text))
	_ = f.write(s.out, closeTimeout)
	f.reset()
	framesPool.Put(f)
	_ = s.conn.Close()
}
