package handlers

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// hijacked is the response writer of a request whose connection the
// websocket takes over.
type hijacked struct {
	conn net.Conn
	rw   *bufio.ReadWriter
}

func (h *hijacked) Header() http.Header                          { return http.Header{} }
func (h *hijacked) Write(b []byte) (int, error)                  { return h.conn.Write(b) }
func (h *hijacked) WriteHeader(int)                              {}
func (h *hijacked) Hijack() (net.Conn, *bufio.ReadWriter, error) { return h.conn, h.rw, nil }

// wsPipe joins a server's websocket and a client's through net.Pipe: a
// client that does not read holds the server's write until it does, as
// a phone that stopped reading does once the network's buffers are full.
func wsPipe(t *testing.T) (server, client *websocket.Conn) {
	t.Helper()
	serverEnd, clientEnd := net.Pipe()
	dialed := make(chan *websocket.Conn, 1)
	go func() {
		d := websocket.Dialer{NetDialContext: func(context.Context, string, string) (net.Conn, error) { return clientEnd, nil }}
		c, _, err := d.Dial("ws://hoithi.test/ws/live/123456", nil)
		if err != nil {
			t.Error(err)
		}
		dialed <- c
	}()
	br := bufio.NewReader(serverEnd)
	r, err := http.ReadRequest(br)
	if err != nil {
		t.Fatal(err)
	}
	server, err = upgrader.Upgrade(&hijacked{serverEnd, bufio.NewReadWriter(br, bufio.NewWriter(serverEnd))}, r, nil)
	if err != nil {
		t.Fatal(err)
	}
	client = <-dialed
	if client == nil {
		t.FailNow()
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	return server, client
}

// closeCode reads c until the close frame and returns its code and the
// messages before it.
func closeCode(c *websocket.Conn) (int, []string, error) {
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var before []string
	for {
		_, data, err := c.ReadMessage()
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code, before, nil
		}
		if err != nil {
			return 0, before, err
		}
		before = append(before, string(data))
	}
}

// A game speaks through the rooms with its lock held: queueing a message
// never waits for a phone, a phone that stops reading is closed once its
// queue is full, and the others get every message.
func TestLiveRoomsHoldUpNobody(t *testing.T) {
	rooms := (&Handler{}).liveSink()
	stalledServer, stalledClient := wsPipe(t)
	readingServer, readingClient := wsPipe(t)
	stalled := newLiveConn(newSocket(stalledServer, "live_player"), livePlayerQueue)
	reading := newLiveConn(newSocket(readingServer, "live_player"), livePlayerQueue)
	rooms.addPlayer(1, 10, stalled)
	rooms.addPlayer(1, 11, reading)

	// The game sends a message at a time, as fast as the phone that reads
	// takes them, more than the stalled phone's queue holds.
	msg := []byte(`{"type":"question","index":0}`)
	var slowest time.Duration
	received := 0
	for range livePlayerQueue + 2 {
		start := time.Now()
		rooms.ToPlayers(1, msg)
		slowest = max(slowest, time.Since(start))
		_ = readingClient.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, _, err := readingClient.ReadMessage(); err == nil {
			received++
		}
	}

	t.Run("the broadcasts are queued without waiting for the stalled phone", func(t *testing.T) {
		if slowest > writeTimeout/2 {
			t.Errorf("a broadcast took %v: it waited for a write", slowest)
		}
	})
	t.Run("the phone that reads gets every message", func(t *testing.T) {
		if received != livePlayerQueue+2 {
			t.Errorf("got %d messages, want %d", received, livePlayerQueue+2)
		}
	})
	t.Run("the stalled phone is stopped with 1013 once its queue is full", func(t *testing.T) {
		stalled.stopMu.Lock()
		stopping, code := stalled.stopping, stalled.closeCode
		stalled.stopMu.Unlock()
		if !stopping || code != websocket.CloseTryAgainLater {
			t.Errorf("stopping %v with %d, want 1013", stopping, code)
		}
		if stalled.push(msg) {
			t.Error("the broken connection still takes messages")
		}
	})
	t.Run("a stalled phone that goes away frees its writer", func(t *testing.T) {
		stalledClient.Close()
		done := make(chan struct{})
		go func() { stalled.drain(); close(done) }()
		select {
		case <-done:
		case <-time.After(writeTimeout + time.Second):
			t.Error("the writer is still waiting")
		}
	})
	t.Run("a kicked player gets what was queued, then the close with 4003", func(t *testing.T) {
		type closed struct {
			code   int
			before []string
			err    error
		}
		read := make(chan closed, 1)
		go func() {
			code, before, err := closeCode(readingClient)
			read <- closed{code, before, err}
		}()
		rooms.ToPlayer(1, 11, []byte(`{"type":"kicked"}`))
		rooms.Drop(1, 11)
		// What the socket's read loop does once Drop has stopped it.
		reading.drain()
		reading.finish()
		r := <-read
		code, before, err := r.code, r.before, r.err
		if err != nil || code != closeKicked || len(before) != 1 || before[0] != `{"type":"kicked"}` {
			t.Errorf("got %v before close %d (%v), want the kicked message then 4003", before, code, err)
		}
	})
}
