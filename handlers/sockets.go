package handlers

import (
	"bufio"
	"context"
	"encoding/base64"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/websocket"

	"hoithi/hub"
	"hoithi/quiz"
)

// Websockets are served by gorilla/websocket on the connection taken over
// from Fiber's server (fasthttp). The handshake is checked in Fiber (auth,
// origin, ownership, the websocket headers) before the connection is taken
// over; the open socket then belongs to the hub (hoithi/hub), which writes
// to it, knows what it follows and closes it at shutdown.

// What sockets follow in the hub, and the one socket an attempt may have.
const (
	topicContestants = "contestants" // a round's attempt sockets, counted for the live figures
	topicBoard       = "board"       // a round's public board in one size (View)
	topicStaffBoard  = "staff-board" // a round's whole board, as staff read it, in one size
	topicStats       = "stats"       // a round's live figures
	keyAttempt       = "attempt"
)

func contestantsOf(roundID int64) hub.Topic {
	return hub.Topic{Kind: topicContestants, ID: roundID}
}

func attemptKey(attemptID int64) hub.Key { return hub.Key{Kind: keyAttempt, ID: attemptID} }

// socketRetryAfter is what a client over the websocket cap is told to
// wait: sockets close when people leave a page, which takes a while.
const socketRetryAfter = 30 * time.Second

// upgrader reads a client's messages through a small buffer (they are a
// few hundred bytes) and writes through none: the hub writes each socket's
// frames itself, and the pool only serves a frame gorilla might write.
var upgrader = websocket.Upgrader{
	ReadBufferSize:  512,
	WriteBufferPool: &sync.Pool{},
	// The origin is checked before the upgrade, where the way the request
	// was authenticated is known.
	CheckOrigin: func(*http.Request) bool { return true },
}

// upgrade switches the request to a websocket, opens it in the hub as
// kind and runs serve on it; serve runs the socket's read loop, and the
// socket closes when serve returns. A client address with its cap of
// sockets open is refused with 429 before the upgrade; the socket's place
// is freed once it has closed.
//
// The connection is taken over from fasthttp (which then forgets it: the
// server keeps hijacked connections open) and served by a goroutine of
// its own, so that nothing of the HTTP request stays behind for the
// socket's life: not the server's 16 KiB read buffer, not a goroutine.
func (h *Handler) upgrade(c *fiber.Ctx, kind string, serve func(*hub.Socket)) error {
	r, err := handshake(c)
	if err != nil {
		return err
	}
	addr := h.clientKey(c)
	if !h.sockets.Reserve(addr) {
		return rateLimited(c, socketRetryAfter)
	}
	conn := c.Context().Conn()
	c.Context().HijackSetNoResponse(true)
	c.Context().Hijack(func(net.Conn) { go h.serveSocket(conn, r, addr, kind, serve) })
	return nil
}

// serveSocket upgrades a connection taken over and serves the socket,
// then frees its place. Once upgraded, the request is no longer held.
func (h *Handler) serveSocket(conn net.Conn, r *http.Request, addr, kind string, serve func(*hub.Socket)) {
	defer h.sockets.Release(addr)
	ws, err := upgrader.Upgrade(&takenOver{conn: hub.Conn(conn)}, r, nil)
	if err != nil {
		_ = conn.Close()
		return
	}
	s, ok := h.sockets.Open(ws, kind)
	if !ok {
		return // shutting down: closed with 1001
	}
	defer s.Close()
	serve(s)
}

// handshake checks a websocket handshake the way gorilla/websocket will
// and returns the request it reads: what it would refuse is refused here,
// as an API error, while Fiber still answers the request.
func handshake(c *fiber.Ctx) (*http.Request, error) {
	r := &http.Request{Method: c.Method(), Header: http.Header{}, Host: c.Hostname(), RequestURI: c.OriginalURL()}
	for _, name := range []string{fiber.HeaderConnection, fiber.HeaderUpgrade, fiber.HeaderSecWebSocketVersion,
		fiber.HeaderSecWebSocketKey, fiber.HeaderSecWebSocketProtocol, fiber.HeaderOrigin} {
		if v := c.Get(name); v != "" {
			r.Header.Set(name, v)
		}
	}
	if !websocket.IsWebSocketUpgrade(r) {
		return nil, quiz.Errorf(codeBadRequest, "this address takes websocket connections only")
	}
	if r.Header.Get(fiber.HeaderSecWebSocketVersion) != "13" {
		return nil, quiz.Errorf(codeBadRequest, "websocket version 13 is the one served")
	}
	if key, err := base64.StdEncoding.DecodeString(r.Header.Get(fiber.HeaderSecWebSocketKey)); err != nil || len(key) != 16 {
		return nil, quiz.Errorf(codeBadRequest, "the websocket key is not 16 bytes in base64")
	}
	return r, nil
}

// takenOver is the response writer gorilla/websocket upgrades through: a
// connection already taken over from the HTTP server, with nothing read
// ahead of the handshake and nothing written yet.
type takenOver struct{ conn net.Conn }

func (t *takenOver) Header() http.Header         { return http.Header{} }
func (t *takenOver) Write(b []byte) (int, error) { return len(b), nil }
func (t *takenOver) WriteHeader(int)             {}
func (t *takenOver) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return t.conn, bufio.NewReadWriter(bufio.NewReaderSize(t.conn, 16), bufio.NewWriterSize(t.conn, 256)), nil
}

// CloseSockets lets every websocket finish the message it is handling, then
// closes it with 1001 (going away), and waits for all of them or for ctx.
// New websockets are refused from then on.
func (h *Handler) CloseSockets(ctx context.Context) error {
	return h.sockets.Shutdown(ctx)
}

// hearClaim closes this node's socket of an attempt that a newer socket
// claimed, here or on another node (quiz.SocketClaimed). The claim made
// here finds its own socket, which it does not close.
func (h *Handler) hearClaim(ev quiz.Event) {
	if ev.Kind == quiz.SocketClaimed {
		h.sockets.Yield(attemptKey(ev.AttemptID), hub.Claim{At: ev.ClaimAt, Tie: ev.ClaimTie})
	}
}
