// Package hub keeps hoithi's open websockets: every socket for shutdown,
// the topics sockets follow and what is published to them, the sockets
// there may be only one of (an attempt's), and what waits to be written
// to each.
//
// A message is encoded once by whoever publishes it and the same bytes go
// to every socket that follows the topic. Each socket has a writer of its
// own behind a bounded queue, a goroutine that runs while something waits
// to be written and writes all it finds in one system call, so a socket
// that reads slowly or not at all holds up nobody else: a message marked Latest (a board, the live
// figures) replaces its unsent predecessor, so a slow reader gets the
// newest and never a backlog; a socket whose write has waited 10 s, or
// whose queue of other messages is full, is closed.
//
// The hub knows nothing of HTTP: the handlers check the handshake, upgrade
// with gorilla/websocket and hand the connection to Open.
package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Close codes hoithi sends besides the standard ones.
const (
	// CloseReplaced: a newer socket took over the key (an attempt opened
	// again in another tab).
	CloseReplaced = 4001
)

// Topic is what sockets follow and what a publish goes to: a round's
// board in one size, a round's live figures, a live game. Kind and View
// mean what the code that publishes says; the hub only compares them.
type Topic struct {
	Kind string
	ID   int64 // the round's or the game's
	View int   // which view of it, for a kind that has several (a board's size)
}

// Key names a socket there is at most one of, such as an attempt's or a
// live game's player's: a newer socket under the same key replaces the
// older one.
type Key struct {
	Kind string
	ID   int64
}

// Message is one text frame, encoded before it reaches the hub. A publish
// hands the same Data to every socket; nobody may change it afterwards.
type Message struct {
	Data []byte
	// Latest names a message of which only the newest counts, like a
	// leaderboard: it takes the place of an unsent one of the same name
	// in a socket's queue, and a socket does not queue it again when Data
	// is the very slice it last got under that name (so a cache that hands
	// out the same slice while nothing changed sends nothing).
	Latest string
}

// Config is how the hub is set up.
type Config struct {
	// PerAddress caps the sockets open from one client address, all kinds
	// together; 0 sets no cap.
	PerAddress int
	// Opened, when set, hears of each socket opened (+1) and closed (-1),
	// by kind: the metrics' gauge.
	Opened func(kind string, delta int)
	// PingEvery is how often each client is pinged; 0 means every 25 s.
	// A client that answers nothing for a minute is gone.
	PingEvery time.Duration
}

// Hub is the registry of open sockets.
type Hub struct {
	opened    func(kind string, delta int)
	pingEvery time.Duration

	mu       sync.RWMutex
	sockets  map[*Socket]struct{}
	topics   map[Topic]map[*Socket]struct{}
	keys     map[Key]*Socket
	watchers map[string]func(Topic, bool)
	closing  bool
	open     sync.WaitGroup

	places places
}

// New makes an empty hub.
func New(c Config) *Hub {
	if c.PingEvery <= 0 {
		c.PingEvery = pingEvery
	}
	return &Hub{
		opened:    c.Opened,
		pingEvery: c.PingEvery,
		sockets:   map[*Socket]struct{}{},
		topics:    map[Topic]map[*Socket]struct{}{},
		keys:      map[Key]*Socket{},
		watchers:  map[string]func(Topic, bool){},
		places:    places{limit: c.PerAddress, open: map[string]int{}},
	}
}

// Watch has the hub call watched(t, true) when a topic of kind gets its
// first socket and watched(t, false) when its last one leaves, so that
// what feeds a topic (a board's pushes, the live figures) runs only while
// someone follows it. The calls come in order, under the hub's lock:
// watched must be quick and must not call the hub.
func (h *Hub) Watch(kind string, watched func(t Topic, on bool)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.watchers[kind] = watched
}

// Publish queues m for every socket that follows t and returns how many
// took it.
func (h *Hub) Publish(t Topic, m Message) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	n := 0
	for s := range h.topics[t] {
		if s.Send(m) {
			n++
		}
	}
	return n
}

// PublishJSON encodes v once and publishes it to t.
func (h *Hub) PublishJSON(t Topic, v any) (int, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return 0, fmt.Errorf("hub: encode for %s %d: %w", t.Kind, t.ID, err)
	}
	return h.Publish(t, Message{Data: data}), nil
}

// Count is how many sockets follow t. A topic nobody publishes to is
// still counted: the attempt sockets of a round follow one, which counts
// the contestants online.
func (h *Hub) Count(t Topic) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.topics[t])
}

// SendTo queues m for the socket under k, if one is open.
func (h *Hub) SendTo(k Key, m Message) bool {
	h.mu.RLock()
	s := h.keys[k]
	h.mu.RUnlock()
	return s != nil && s.Send(m)
}

// SendOnce sends m to the socket under k unless a message named name was
// sent to it before (Socket.Once), and reports whether it did.
func (h *Hub) SendOnce(k Key, name string, m Message) bool {
	h.mu.RLock()
	s := h.keys[k]
	h.mu.RUnlock()
	return s != nil && s.Once(name) && s.Send(m)
}

// StopKey stops the socket under k, if one is open (a player kicked out of
// a game).
func (h *Hub) StopKey(k Key, code int, text string) bool {
	h.mu.RLock()
	s := h.keys[k]
	h.mu.RUnlock()
	if s == nil {
		return false
	}
	s.Stop(code, text)
	return true
}

// StopTopic stops every socket that follows t and returns how many.
func (h *Hub) StopTopic(t Topic, code int, text string) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for s := range h.topics[t] {
		s.Stop(code, text)
	}
	return len(h.topics[t])
}

// Shutdown lets every socket finish the message it is handling, then
// closes it with 1001 (going away) once what was queued for it is
// written, and waits for all of them or for ctx. Sockets opened from then
// on are refused.
func (h *Hub) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	h.closing = true
	for s := range h.sockets {
		s.Stop(websocket.CloseGoingAway, goingAway)
	}
	h.mu.Unlock()
	done := make(chan struct{})
	go func() {
		h.open.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

const goingAway = "server shutting down"

// Open registers a websocket just upgraded, on a connection from Conn, and
// starts pinging its client. It is
// refused (ok false, the connection closed with 1001) once shutdown began.
// The caller runs the socket's read loop (Receive) and then Close.
func (h *Hub) Open(conn *websocket.Conn, kind string) (s *Socket, ok bool) {
	s = newSocket(h, conn, kind)
	h.mu.Lock()
	if h.closing {
		h.mu.Unlock()
		s.closeConn(websocket.CloseGoingAway, goingAway)
		return nil, false
	}
	h.sockets[s] = struct{}{}
	h.open.Add(1)
	h.mu.Unlock()
	if h.opened != nil {
		h.opened(kind, 1)
	}
	s.ping.Reset(h.pingEvery)
	return s, true
}

// subscribe adds s to t's followers.
func (h *Hub) subscribe(s *Socket, t Topic) {
	h.mu.Lock()
	defer h.mu.Unlock()
	followers := h.topics[t]
	if followers == nil {
		followers = map[*Socket]struct{}{}
		h.topics[t] = followers
	}
	if _, ok := followers[s]; ok {
		return
	}
	followers[s] = struct{}{}
	s.topics = append(s.topics, t)
	if len(followers) == 1 {
		h.notify(t, true)
	}
}

func (h *Hub) unsubscribe(s *Socket, t Topic) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if i := slices.Index(s.topics, t); i >= 0 {
		s.topics = slices.Delete(s.topics, i, i+1)
		h.leave(s, t)
	}
}

// leave takes s out of t's followers; the caller keeps s.topics.
func (h *Hub) leave(s *Socket, t Topic) {
	followers := h.topics[t]
	delete(followers, s)
	if len(followers) == 0 {
		delete(h.topics, t)
		h.notify(t, false)
	}
}

func (h *Hub) notify(t Topic, on bool) {
	if watched := h.watchers[t.Kind]; watched != nil {
		watched(t, on)
	}
}

// claim makes s the socket under k and stops the one it replaces.
func (h *Hub) claim(s *Socket, k Key) Claim {
	c := newClaim()
	h.mu.Lock()
	old := h.keys[k]
	h.keys[k] = s
	s.key, s.keyed, s.claim = k, true, c
	h.mu.Unlock()
	if old != nil && old != s {
		old.Stop(CloseReplaced, "replaced by a newer connection")
	}
	return c
}

// Claim is when a socket took a key, and a random number of its own that
// breaks a tie. Sockets under the same key on several nodes (a contestant
// whose reconnection a load balancer sent elsewhere) are weighed by their
// claims: the later one stays. Each node compares the same two claims, so
// they agree on which socket that is, whatever their clocks.
type Claim struct {
	At  int64  `json:"at"`  // unix nanoseconds
	Tie uint64 `json:"tie"` // random
}

func newClaim() Claim {
	return Claim{At: time.Now().UnixNano(), Tie: rand.Uint64()}
}

// After reports whether c is the later of c and o.
func (c Claim) After(o Claim) bool {
	return c.At > o.At || c.At == o.At && c.Tie > o.Tie
}

// Yield stops the socket under k with CloseReplaced if its claim came
// before c, a claim of k made elsewhere, and reports whether it did. A
// socket that claimed k after c keeps it, and so does the one c is.
func (h *Hub) Yield(k Key, c Claim) bool {
	h.mu.Lock()
	s := h.keys[k]
	if s == nil || !c.After(s.claim) {
		h.mu.Unlock()
		return false
	}
	delete(h.keys, k)
	s.keyed = false
	h.mu.Unlock()
	s.Stop(CloseReplaced, "replaced by a newer connection")
	return true
}

// forget takes s out of every topic and gives up its key.
func (h *Hub) forget(s *Socket) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, t := range s.topics {
		h.leave(s, t)
	}
	s.topics = nil
	if s.keyed && h.keys[s.key] == s {
		delete(h.keys, s.key)
	}
}

func (h *Hub) unregister(s *Socket) {
	h.mu.Lock()
	delete(h.sockets, s)
	h.mu.Unlock()
	if h.opened != nil {
		h.opened(s.kind, -1)
	}
	h.open.Done()
}

// Reserve counts one more socket from a client address unless it has its
// cap open. Each socket holds a connection, a goroutine and a buffer for as long as the client wants; without a cap one address
// could hold thousands. The handlers reserve before the upgrade, to
// refuse with a plain 429, and Release once the socket has closed.
func (h *Hub) Reserve(addr string) bool { return h.places.take(addr) }

// Release frees a place Reserve counted.
func (h *Hub) Release(addr string) { h.places.release(addr) }

// places counts the sockets open per client address.
type places struct {
	limit int // 0: no cap
	mu    sync.Mutex
	open  map[string]int
}

func (p *places) take(addr string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.limit > 0 && p.open[addr] >= p.limit {
		return false
	}
	p.open[addr]++
	return true
}

func (p *places) release(addr string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.open[addr] <= 1 {
		delete(p.open, addr)
		return
	}
	p.open[addr]--
}

// The timings every socket keeps.
const (
	writeTimeout = 10 * time.Second // a write that takes longer ends the socket
	pingEvery    = 25 * time.Second
	readTimeout  = 60 * time.Second // a client that answers no ping for this long is gone
	closeTimeout = time.Second      // for the close frame
	readLimit    = 8 << 10          // bytes in one client message
	// queueLimit is how many messages may wait for one socket's writer.
	// A client that reads keeps its queue near empty. One that stops
	// reading is closed when a write has waited writeTimeout; until then
	// its queue grows, and this bounds it: a queue this long closes the
	// socket at once. Latest messages never fill it, and an attempt's
	// 500 answers sent again at once fit in it.
	queueLimit = 1024
	// floodMark is how many messages may wait for a socket's writer
	// before its client's next message is read: a client that sends
	// without reading what it is answered (a script, a hostile page) is
	// closed then, with 1013, after a few hundred messages rather than
	// after a full queue, which costs the others the CPU of handling its
	// messages. A browser reads as it sends: its queue stays near empty.
	floodMark = 256
)
