package handlers

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/gorilla/websocket"

	"hoithi/hub"
	"hoithi/quiz"
)

// Websockets are served by gorilla/websocket through Fiber's net/http
// adaptor, whose response writer can be hijacked (fasthttp ≥ 1.78). The
// handshake is checked in Fiber (auth, origin, ownership) before upgrading;
// the open socket then belongs to the hub (hoithi/hub), which writes to it,
// knows what it follows and closes it at shutdown.

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

var upgrader = websocket.Upgrader{
	ReadBufferSize:  2048,
	WriteBufferSize: 4096,
	// The origin is checked before the upgrade, where the way the request
	// was authenticated is known.
	CheckOrigin: func(*http.Request) bool { return true },
}

// upgrade switches the request to a websocket, opens it in the hub as
// kind and runs serve on it; serve runs the socket's read loop, and the
// socket closes when serve returns. A client address with its cap of
// sockets open is refused with 429 before the upgrade; the socket's place
// is freed once it has closed.
func (h *Handler) upgrade(c *fiber.Ctx, kind string, serve func(*hub.Socket)) error {
	if !websocket.IsWebSocketUpgrade(adaptorRequestHeaders(c)) {
		return quiz.Errorf(codeBadRequest, "this address takes websocket connections only")
	}
	addr := h.clientKey(c)
	if !h.sockets.Reserve(addr) {
		return rateLimited(c, socketRetryAfter)
	}
	var started atomic.Bool
	err := adaptor.HTTPHandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started.Store(true)
		defer h.sockets.Release(addr)
		ws, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			return // the upgrader has answered the client
		}
		s, ok := h.sockets.Open(ws, kind)
		if !ok {
			return // shutting down: closed with 1001
		}
		defer s.Close()
		serve(s)
	})(c)
	if !started.Load() { // the request could not be converted
		h.sockets.Release(addr)
	}
	return err
}

// adaptorRequestHeaders gives IsWebSocketUpgrade the headers it reads.
func adaptorRequestHeaders(c *fiber.Ctx) *http.Request {
	r := &http.Request{Header: http.Header{}}
	r.Header.Set("Connection", c.Get(fiber.HeaderConnection))
	r.Header.Set("Upgrade", c.Get(fiber.HeaderUpgrade))
	return r
}

// CloseSockets lets every websocket finish the message it is handling, then
// closes it with 1001 (going away), and waits for all of them or for ctx.
// New websockets are refused from then on.
func (h *Handler) CloseSockets(ctx context.Context) error {
	return h.sockets.Shutdown(ctx)
}
