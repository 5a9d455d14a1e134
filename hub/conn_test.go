package hub

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// tally is a connection that keeps what is written to it.
type tally struct {
	net.Conn
	mu      sync.Mutex
	written []byte
}

func (t *tally) Write(p []byte) (int, error) {
	t.mu.Lock()
	t.written = append(t.written, p...)
	t.mu.Unlock()
	return t.Conn.Write(p)
}

func (t *tally) bytes() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	return bytes.Clone(t.written)
}

// heldPipe upgrades a connection through Conn, the way handlers
// do, and returns the server's end as written to, and the client's dial,
// which completes once the client has read the upgrade's response.
func heldPipe(t *testing.T) (server *websocket.Conn, wire *tally, dialed <-chan *websocket.Conn) {
	t.Helper()
	serverEnd, clientEnd := net.Pipe()
	t.Cleanup(func() { serverEnd.Close(); clientEnd.Close() })
	out := make(chan *websocket.Conn, 1)
	go func() {
		dialer := websocket.Dialer{NetDialContext: func(context.Context, string, string) (net.Conn, error) { return clientEnd, nil }}
		c, _, err := dialer.Dial("ws://hoithi.test/ws", nil)
		if err != nil {
			t.Error(err)
			close(out)
			return
		}
		out <- c
	}()
	br := bufio.NewReader(serverEnd)
	r, err := http.ReadRequest(br)
	if err != nil {
		t.Fatal(err)
	}
	wire = &tally{Conn: serverEnd}
	server, err = testUpgrader.Upgrade(&hijacker{Conn(wire), bufio.NewReadWriter(br, bufio.NewWriter(wire))}, r, nil)
	if err != nil {
		t.Fatal(err)
	}
	return server, wire, out
}

// dial waits for the client's dial to complete.
func dial(t *testing.T, dialed <-chan *websocket.Conn) *websocket.Conn {
	t.Helper()
	select {
	case c := <-dialed:
		if c == nil {
			t.FailNow()
		}
		return c
	case <-time.After(5 * time.Second):
		t.Fatal("the client never got the upgrade's response")
		return nil
	}
}

// openHeld opens a socket of kind in a new hub on a heldPipe.
func openHeld(t *testing.T, kind string) (*Socket, *tally, <-chan *websocket.Conn) {
	t.Helper()
	server, wire, dialed := heldPipe(t)
	if n := len(wire.bytes()); n != 0 {
		t.Fatalf("%d bytes written at the upgrade, want none before the socket's first write", n)
	}
	s, ok := New(Config{}).Open(server, kind)
	if !ok {
		t.Fatal("the hub refused a socket")
	}
	return s, wire, dialed
}

// A socket's first message leaves with the upgrade's response, in the
// same write: nothing is written at the upgrade itself.
func TestTheHandshakeGoesWithTheFirstMessage(t *testing.T) {
	s, wire, dialed := openHeld(t, "attempt")
	s.Send(Message{Data: []byte(`{"type":"state"}`)})
	client := dial(t, dialed)
	_, data, err := client.ReadMessage()
	if err != nil || string(data) != `{"type":"state"}` {
		t.Fatalf("first message %q (%v), want the state", data, err)
	}
	w := wire.bytes()
	if !bytes.HasPrefix(w, []byte("HTTP/1.1 101 ")) || !bytes.HasSuffix(w, []byte(`{"type":"state"}`)) {
		t.Errorf("written %q, want the upgrade's response, then the state's frame", w)
	}
	go s.Receive(nil)
	client.Close()
}

// A socket that waits for its client before it sends anything writes the
// upgrade's response when its read loop begins: a client that waits for
// the upgrade before it sends is not left waiting.
func TestAQuietSocketAnswersTheHandshakeWhenItReads(t *testing.T) {
	s, _, dialed := openHeld(t, "live")
	got := make(chan string, 1)
	go s.Receive(func(_ int, data []byte) { got <- string(data) })
	client := dial(t, dialed)
	if err := client.WriteMessage(websocket.TextMessage, []byte("join")); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-got:
		if m != "join" {
			t.Errorf("read %q, want join", m)
		}
	case <-time.After(5 * time.Second):
		t.Error("the client's message never reached the read loop")
	}
	client.Close()
}

// A socket closed before it wrote anything still answers the handshake,
// then closes: the client sees an upgrade and a close, not a broken
// handshake.
func TestASocketClosedAtOnceAnswersTheHandshake(t *testing.T) {
	s, _, dialed := openHeld(t, "attempt")
	s.Stop(websocket.ClosePolicyViolation, "no")
	go s.Close()
	client := dial(t, dialed)
	_, _, err := client.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.ClosePolicyViolation {
		t.Errorf("read %v, want the close frame %d", err, websocket.ClosePolicyViolation)
	}
}
