package handlers

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/websocket"

	"hoithi/quiz"
)

// The live quiz's websocket, /ws/live/{pin}. A connection whose token is an
// organizer's or an admin's is the game's host (the projector); any other
// is a player, a guest or a signed-in account. quiz.Live runs the game and
// says what each party hears through the sink below; this file carries it.
//
// Every message the game sends is encoded once and the same bytes are
// queued for each connection that gets it. Each connection has a writer of
// its own behind a bounded queue: a phone that stops reading holds up
// nobody, and once its queue is full it is closed (the phone reconnects
// and rejoins, and gets the game as it stands).

// Close codes of the live socket besides the standard ones (closeReplaced,
// 4001, when a newer socket of the same player takes over).
const (
	// closeKicked: the host removed the player from the game.
	closeKicked = 4003
	// closeTooSlow: the connection's queue overflowed, its client having
	// stopped reading (1013, try again later).
	closeTooSlow = websocket.CloseTryAgainLater
)

// Queue limits, in messages. A phone hears about five messages a
// question; one with 64 waiting has stopped reading. The host hears of
// every player who joins, which a hall does within seconds, so its queue
// holds a whole game's worth of joins.
const (
	livePlayerQueue = 64
	liveHostQueue   = 4 * quiz.MaxLivePlayers
)

// liveConn is the outgoing side of one live websocket: a queue of encoded
// messages and the goroutine that writes them in order.
type liveConn struct {
	*socket
	limit int

	mu      sync.Mutex
	queue   [][]byte
	closing bool // the read loop has returned: nothing more is queued
	broken  bool // a write failed or the queue overflowed: nothing more is written
	wake    chan struct{}
	written chan struct{} // closed once the writer has stopped
}

func newLiveConn(s *socket, limit int) *liveConn {
	c := &liveConn{socket: s, limit: limit, wake: make(chan struct{}, 1), written: make(chan struct{})}
	go c.write()
	return c
}

// push queues msg without waiting. It reports false when the connection
// is closing or broken, or when msg overflowed the queue: the connection
// is then stopped, since its client has stopped reading.
func (c *liveConn) push(msg []byte) bool {
	c.mu.Lock()
	if c.closing || c.broken {
		c.mu.Unlock()
		return false
	}
	if len(c.queue) >= c.limit {
		c.broken = true
		c.queue = nil
		c.mu.Unlock()
		c.stop(closeTooSlow, "too slow to read")
		return false
	}
	c.queue = append(c.queue, msg)
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
	return true
}

// write writes what is queued, in order, until the connection closes or
// breaks.
func (c *liveConn) write() {
	defer close(c.written)
	for range c.wake {
		for {
			c.mu.Lock()
			batch, done := c.queue, c.closing || c.broken
			c.queue = nil
			if c.broken {
				batch = nil
			}
			c.mu.Unlock()
			if len(batch) == 0 {
				if done {
					return
				}
				break
			}
			for _, msg := range batch {
				if err := c.sendRaw(msg); err != nil {
					c.mu.Lock()
					c.broken = true
					c.mu.Unlock()
					c.stop(closeTooSlow, "write failed")
					break
				}
			}
		}
	}
}

// drain takes no more messages and waits until the writer has written
// those queued (each write is bounded by writeTimeout).
func (c *liveConn) drain() {
	c.mu.Lock()
	c.closing = true
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
	<-c.written
}

// goingAway reports whether the server stopped the connection because it
// is shutting down.
func (c *liveConn) goingAway() bool {
	c.stopMu.Lock()
	defer c.stopMu.Unlock()
	return c.stopping && c.closeCode == websocket.CloseGoingAway
}

// liveRooms knows which connections are in which game: each player's (one
// a player; a newer one replaces the older) and the host's (any number:
// a projector and a laptop). It is the sink the games speak through; it
// never blocks and never calls the games back.
type liveRooms struct {
	mu      sync.RWMutex
	players map[int64]map[int64]*liveConn // game → player → connection
	hosts   map[int64]map[*liveConn]struct{}
}

// liveSink makes the rooms and has the games speak through them.
func (h *Handler) liveSink() *liveRooms {
	r := &liveRooms{players: map[int64]map[int64]*liveConn{}, hosts: map[int64]map[*liveConn]struct{}{}}
	if h.Live != nil {
		h.Live.SetSink(r)
	}
	return r
}

// ToPlayers queues msg for every player connection of the game.
func (r *liveRooms) ToPlayers(gameID int64, msg []byte) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, c := range r.players[gameID] {
		c.push(msg)
	}
}

// ToPlayer queues msg for one player's connection.
func (r *liveRooms) ToPlayer(gameID, playerID int64, msg []byte) {
	r.mu.RLock()
	c := r.players[gameID][playerID]
	r.mu.RUnlock()
	if c != nil {
		c.push(msg)
	}
}

// ToHost queues msg for the game's host connections.
func (r *liveRooms) ToHost(gameID int64, msg []byte) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for c := range r.hosts[gameID] {
		c.push(msg)
	}
}

// Drop closes a kicked player's connection once what is queued for it
// (the "kicked" message) is written.
func (r *liveRooms) Drop(gameID, playerID int64) {
	r.mu.RLock()
	c := r.players[gameID][playerID]
	r.mu.RUnlock()
	if c != nil {
		c.stop(closeKicked, "removed by the host")
	}
}

// addPlayer makes c the player's connection; an older one is closed with
// closeReplaced (the same phone reconnecting before its old connection
// timed out, or a second tab).
func (r *liveRooms) addPlayer(gameID, playerID int64, c *liveConn) {
	r.mu.Lock()
	players := r.players[gameID]
	if players == nil {
		players = map[int64]*liveConn{}
		r.players[gameID] = players
	}
	old := players[playerID]
	players[playerID] = c
	r.mu.Unlock()
	if old != nil {
		old.stop(closeReplaced, "replaced by a newer connection")
	}
}

func (r *liveRooms) removePlayer(gameID, playerID int64, c *liveConn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if players := r.players[gameID]; players[playerID] == c {
		delete(players, playerID)
		if len(players) == 0 {
			delete(r.players, gameID)
		}
	}
}

func (r *liveRooms) addHost(gameID int64, c *liveConn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	hosts := r.hosts[gameID]
	if hosts == nil {
		hosts = map[*liveConn]struct{}{}
		r.hosts[gameID] = hosts
	}
	hosts[c] = struct{}{}
}

func (r *liveRooms) removeHost(gameID int64, c *liveConn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if hosts := r.hosts[gameID]; hosts != nil {
		delete(hosts, c)
		if len(hosts) == 0 {
			delete(r.hosts, gameID)
		}
	}
}

// liveClientMsg is any message a player or a host sends.
type liveClientMsg struct {
	Type          string  `json:"type"`
	Nickname      string  `json:"nickname"`
	Token         string  `json:"token"`
	QuestionIndex *int    `json:"question_index"`
	OptionIDs     []int64 `json:"option_ids"`
	PlayerID      int64   `json:"player_id"`
	On            *bool   `json:"on"`
}

// decodeLiveMessage reads one frame: a JSON text frame with a type.
func decodeLiveMessage(kind int, data []byte) (liveClientMsg, error) {
	var m liveClientMsg
	if kind != websocket.TextMessage {
		return m, quiz.Errorf(quiz.CodeBadMessage, "live messages are JSON text frames")
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, quiz.Errorf(quiz.CodeBadMessage, "not a valid message: %v", err)
	}
	return m, nil
}

func badLiveMessage(format string, args ...any) error {
	return quiz.Errorf(quiz.CodeBadMessage, format, args...)
}

// liveSocket checks the handshake and serves the game of the PIN (or of
// ?game=<id> with its PIN, which also finds a game that has ended, for the
// phones and projectors that reconnect to it): as its host for an
// organizer's or admin's token, else as a player. A browser's socket from
// another site is refused: a page elsewhere must not join its visitors to
// games, nor play for them.
func (h *Handler) liveSocket(c *fiber.Ctx) error {
	g, err := h.liveGameForSocket(c)
	if err != nil {
		return err
	}
	if !fromThisSite(c) {
		return quiz.Errorf(quiz.CodeForbidden, "cross-site websocket refused")
	}
	l := h.lang(c)
	p := principalOf(c)
	if p != nil && quiz.CanHost(p.Role) {
		return h.upgrade(c, func(ws *websocket.Conn) { h.serveLiveHost(ws, g.ID, l) })
	}
	var userID int64
	if p != nil {
		userID = p.UserID
	}
	return h.upgrade(c, func(ws *websocket.Conn) { h.serveLivePlayer(ws, g.ID, userID, l) })
}

// serveLivePlayer runs one player's connection: the first message joins
// (a nickname) or rejoins (the token the player got); errors leave the
// socket open for another try. Then answers, one at a time: each call
// returns once the answer is stored and acknowledged.
func (h *Handler) serveLivePlayer(ws *websocket.Conn, gameID, userID int64, l lang) {
	s, ok := h.open(ws, "live_player")
	if !ok {
		return
	}
	conn := newLiveConn(s, livePlayerQueue)
	ctx := context.Background()
	var playerID int64
	for !s.isStopping() {
		kind, data, err := ws.ReadMessage()
		if err != nil {
			break
		}
		s.extendRead()
		m, err := decodeLiveMessage(kind, data)
		if err == nil {
			if playerID == 0 {
				playerID, err = h.joinLive(ctx, conn, gameID, userID, m)
			} else {
				err = h.playLive(ctx, gameID, playerID, m)
			}
		}
		if err != nil {
			conn.push(h.liveErrorMsg(l, err))
		}
	}
	if playerID != 0 {
		h.liveRooms.removePlayer(gameID, playerID, conn)
		// A server shutting down leaves the game as it is: the players
		// did not leave, the next start takes the game up.
		if !conn.goingAway() {
			h.Live.Disconnect(gameID, playerID)
		}
	}
	conn.drain()
	h.closeSocket(s)
}

// joinLive takes a player's first message. On success the player's
// "joined" goes first, then the connection is registered and the game
// sends what it shows now; a broadcast in between is at most repeated.
func (h *Handler) joinLive(ctx context.Context, conn *liveConn, gameID, userID int64, m liveClientMsg) (int64, error) {
	var j quiz.LiveJoined
	var err error
	switch m.Type {
	case "join":
		j, err = h.Live.Join(ctx, gameID, m.Nickname, userID)
	case "rejoin":
		j, err = h.Live.Rejoin(ctx, gameID, m.Token)
	default:
		return 0, badLiveMessage("join or rejoin first, not %q", m.Type)
	}
	if err != nil {
		return 0, err
	}
	conn.push(j.Message)
	h.liveRooms.addPlayer(gameID, j.PlayerID, conn)
	if err := h.Live.Connect(gameID, j.PlayerID); err != nil {
		h.liveRooms.removePlayer(gameID, j.PlayerID, conn)
		return 0, err
	}
	return j.PlayerID, nil
}

// playLive takes a joined player's message: an answer.
func (h *Handler) playLive(ctx context.Context, gameID, playerID int64, m liveClientMsg) error {
	if m.Type != "answer" {
		return badLiveMessage("a player sends answers, not %q", m.Type)
	}
	if m.QuestionIndex == nil || m.OptionIDs == nil {
		return badLiveMessage("an answer needs question_index and option_ids")
	}
	return h.Live.Answer(ctx, gameID, playerID, *m.QuestionIndex, m.OptionIDs)
}

// serveLiveHost runs a host connection: the game as it stands, then the
// host's commands, each stored before anyone hears of it.
func (h *Handler) serveLiveHost(ws *websocket.Conn, gameID int64, l lang) {
	s, ok := h.open(ws, "live_host")
	if !ok {
		return
	}
	conn := newLiveConn(s, liveHostQueue)
	h.liveRooms.addHost(gameID, conn)
	if err := h.Live.HostConnect(gameID); err != nil {
		conn.push(h.liveErrorMsg(l, err))
		s.stop(websocket.CloseNormalClosure, "")
	}
	ctx := context.Background()
	for !s.isStopping() {
		kind, data, err := ws.ReadMessage()
		if err != nil {
			break
		}
		s.extendRead()
		m, err := decodeLiveMessage(kind, data)
		if err == nil {
			err = h.hostLive(ctx, gameID, m)
		}
		if err != nil {
			conn.push(h.liveErrorMsg(l, err))
		}
	}
	h.liveRooms.removeHost(gameID, conn)
	conn.drain()
	h.closeSocket(s)
}

// hostLive carries out one host command.
func (h *Handler) hostLive(ctx context.Context, gameID int64, m liveClientMsg) error {
	switch m.Type {
	case "start":
		return h.Live.StartGame(ctx, gameID)
	case "next":
		return h.Live.Next(ctx, gameID)
	case "skip":
		return h.Live.Skip(ctx, gameID)
	case "end":
		return h.Live.End(ctx, gameID)
	case "kick":
		if m.PlayerID == 0 {
			return badLiveMessage("kick needs a player_id")
		}
		return h.Live.Kick(ctx, gameID, m.PlayerID)
	case "auto_advance":
		if m.On == nil {
			return badLiveMessage("auto_advance needs on")
		}
		return h.Live.SetAutoAdvance(ctx, gameID, *m.On)
	}
	return badLiveMessage("unknown host command %q", m.Type)
}
