package handlers

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/gorilla/websocket"

	"hoithi/quiz"
)

// Websockets are served by gorilla/websocket through Fiber's net/http
// adaptor, whose response writer can be hijacked (fasthttp ≥ 1.78). The
// handshake is checked in Fiber (auth, origin, ownership) before upgrading.

const (
	writeTimeout = 10 * time.Second
	pingEvery    = 25 * time.Second
	readTimeout  = 60 * time.Second // a client that answers no ping for this long is gone
)

// Close codes hoithi sends besides the standard ones.
const closeReplaced = 4001 // a newer socket took over the attempt

var upgrader = websocket.Upgrader{
	ReadBufferSize:  2048,
	WriteBufferSize: 4096,
	// The origin is checked before the upgrade, where the way the request
	// was authenticated is known.
	CheckOrigin: func(*http.Request) bool { return true },
}

// upgrade switches the request to a websocket and runs serve on it; serve
// runs until the socket closes. A client address with its cap of sockets
// open is refused with 429 before the upgrade; the socket's place is
// freed when serve returns.
func (h *Handler) upgrade(c *fiber.Ctx, serve func(*websocket.Conn)) error {
	if !websocket.IsWebSocketUpgrade(adaptorRequestHeaders(c)) {
		return quiz.Errorf(codeBadRequest, "this address takes websocket connections only")
	}
	addr := h.clientKey(c)
	if !h.perAddr.take(addr) {
		return rateLimited(c, socketRetryAfter)
	}
	var started atomic.Bool
	err := adaptor.HTTPHandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started.Store(true)
		defer h.perAddr.release(addr)
		ws, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			return // the upgrader has answered the client
		}
		serve(ws)
	})(c)
	if !started.Load() { // the request could not be converted
		h.perAddr.release(addr)
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

// socket is one websocket with its single writer lock and a way to stop
// its read loop from outside.
type socket struct {
	ws   *websocket.Conn
	kind string

	writeMu sync.Mutex

	stopMu    sync.Mutex
	stopping  bool
	closeCode int
	closeText string

	finished sync.Once
	done     chan struct{}
}

func newSocket(ws *websocket.Conn, kind string) *socket {
	s := &socket{ws: ws, kind: kind, closeCode: websocket.CloseNormalClosure, done: make(chan struct{})}
	ws.SetReadLimit(8 << 10)
	_ = ws.SetReadDeadline(time.Now().Add(readTimeout))
	ws.SetPongHandler(func(string) error {
		s.stopMu.Lock()
		defer s.stopMu.Unlock()
		if s.stopping {
			return nil
		}
		return ws.SetReadDeadline(time.Now().Add(readTimeout))
	})
	return s
}

// send writes one JSON message.
func (s *socket) send(v any) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	_ = s.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	return s.ws.WriteJSON(v)
}

// sendRaw writes one message already encoded.
func (s *socket) sendRaw(b []byte) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	_ = s.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	return s.ws.WriteMessage(websocket.TextMessage, b)
}

// extendRead moves the read deadline on after a message, unless the socket
// is being stopped.
func (s *socket) extendRead() {
	s.stopMu.Lock()
	defer s.stopMu.Unlock()
	if !s.stopping {
		_ = s.ws.SetReadDeadline(time.Now().Add(readTimeout))
	}
}

// stop makes the read loop return after the message it is handling, so
// that the socket closes with code and text.
func (s *socket) stop(code int, text string) {
	s.stopMu.Lock()
	defer s.stopMu.Unlock()
	if s.stopping {
		return
	}
	s.stopping, s.closeCode, s.closeText = true, code, text
	_ = s.ws.SetReadDeadline(time.Now())
}

func (s *socket) isStopping() bool {
	s.stopMu.Lock()
	defer s.stopMu.Unlock()
	return s.stopping
}

// finish sends the close frame and closes the connection.
func (s *socket) finish() {
	s.finished.Do(func() {
		close(s.done)
		s.stopMu.Lock()
		code, text := s.closeCode, s.closeText
		s.stopMu.Unlock()
		s.writeMu.Lock()
		_ = s.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(time.Second))
		s.writeMu.Unlock()
		_ = s.ws.Close()
	})
}

// keepAlive pings the client until the socket finishes, so that proxies
// keep the connection and dead clients are noticed.
func (s *socket) keepAlive() {
	go func() {
		t := time.NewTicker(pingEvery)
		defer t.Stop()
		for {
			select {
			case <-s.done:
				return
			case <-t.C:
				if err := s.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeTimeout)); err != nil {
					return
				}
			}
		}
	}()
}

// drain reads and drops whatever a watching client sends (pongs are handled
// on the way) and closes the channel it returns when the connection ends.
func (s *socket) drain() <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			if _, _, err := s.ws.ReadMessage(); err != nil {
				return
			}
			s.extendRead()
		}
	}()
	return done
}

// open wraps a new websocket, registers it and starts its pings; ok is
// false (and the socket already closed with 1001) once shutdown began.
// The caller defers h.closeSocket.
func (h *Handler) open(ws *websocket.Conn, kind string) (s *socket, ok bool) {
	s = newSocket(ws, kind)
	if !h.addSocket(s) {
		s.stop(websocket.CloseGoingAway, "server shutting down")
		s.finish()
		return nil, false
	}
	s.keepAlive()
	return s, true
}

// closeSocket sends the close frame and forgets the socket.
func (h *Handler) closeSocket(s *socket) {
	s.finish()
	h.removeSocket(s)
}

// addSocket registers an open socket; it is refused once shutdown began.
func (h *Handler) addSocket(s *socket) bool {
	h.sockMu.Lock()
	defer h.sockMu.Unlock()
	if h.closing {
		return false
	}
	h.sockets[s] = struct{}{}
	h.sockWG.Add(1)
	h.Metrics.Sockets.WithLabelValues(s.kind).Inc()
	return true
}

func (h *Handler) removeSocket(s *socket) {
	h.sockMu.Lock()
	delete(h.sockets, s)
	h.sockMu.Unlock()
	h.Metrics.Sockets.WithLabelValues(s.kind).Dec()
	h.sockWG.Done()
}

// CloseSockets lets every websocket finish the message it is handling, then
// closes it with 1001 (going away), and waits for all of them or for ctx.
// New websockets are refused from then on.
func (h *Handler) CloseSockets(ctx context.Context) error {
	h.sockMu.Lock()
	h.closing = true
	for s := range h.sockets {
		s.stop(websocket.CloseGoingAway, "server shutting down")
	}
	h.sockMu.Unlock()
	done := make(chan struct{})
	go func() {
		h.sockWG.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
