package hub

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

var testUpgrader = websocket.Upgrader{ReadBufferSize: 1024, WriteBufferSize: 4096}

// hijacker is the response writer of a request whose connection the
// websocket takes over.
type hijacker struct {
	conn net.Conn
	rw   *bufio.ReadWriter
}

func (h *hijacker) Header() http.Header                          { return http.Header{} }
func (h *hijacker) Write(b []byte) (int, error)                  { return h.conn.Write(b) }
func (h *hijacker) WriteHeader(int)                              {}
func (h *hijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) { return h.conn, h.rw, nil }

// pipe joins a server's websocket and a client's through an in-memory
// connection: real handshakes and frames, and a client that does not read
// holds the server's write until it does.
func pipe(tb testing.TB) (server, client *websocket.Conn) {
	tb.Helper()
	serverEnd, clientEnd := net.Pipe()
	type dialed struct {
		conn *websocket.Conn
		err  error
	}
	done := make(chan dialed, 1)
	go func() {
		dialer := websocket.Dialer{NetDialContext: func(context.Context, string, string) (net.Conn, error) { return clientEnd, nil }}
		c, _, err := dialer.Dial("ws://hoithi.test/ws", nil)
		done <- dialed{c, err}
	}()
	br := bufio.NewReader(serverEnd)
	r, err := http.ReadRequest(br)
	if err != nil {
		tb.Fatal(err)
	}
	server, err = testUpgrader.Upgrade(&hijacker{Conn(serverEnd), bufio.NewReadWriter(br, bufio.NewWriter(serverEnd))}, r, nil)
	if err != nil {
		tb.Fatal(err)
	}
	// The client waits here for the upgrade's response, which Conn holds
	// for the socket's first write: it is written now, as a socket's read
	// loop would (conn_test.go holds it).
	if err := server.NetConn().(*frameConn).flush(); err != nil {
		tb.Fatal(err)
	}
	d := <-done
	if d.err != nil {
		tb.Fatal(d.err)
	}
	return server, d.conn
}

// peer is a socket opened the way a handler opens one, and its client.
type peer struct {
	*Socket
	client *websocket.Conn
	done   chan struct{} // closed once the socket is closed
}

// open opens a socket on h and runs it as a handler does: the read loop,
// then Close.
func open(tb testing.TB, h *Hub, kind string) *peer {
	tb.Helper()
	server, client := pipe(tb)
	s, ok := h.Open(server, kind)
	if !ok {
		tb.Fatal("the hub refused a socket")
	}
	p := &peer{Socket: s, client: client, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		s.Receive(nil)
		s.Close()
	}()
	tb.Cleanup(p.leave)
	return p
}

// leave closes the client's side and waits for the server to close the
// socket.
func (p *peer) leave() {
	p.client.Close()
	<-p.done
}

// read returns the client's next message. The deadline only stops a
// broken test from hanging.
func (p *peer) read(tb testing.TB) string {
	tb.Helper()
	_ = p.client.SetReadDeadline(time.Now().Add(30 * time.Second))
	_, data, err := p.client.ReadMessage()
	if err != nil {
		tb.Fatalf("read: %v, want a message", err)
	}
	return string(data)
}

// closedWith reads until the close frame and returns its code and the
// messages that came before it.
func (p *peer) closedWith(tb testing.TB) (int, []string) {
	tb.Helper()
	code, before, err := readUntilClose(p.client)
	if err != nil {
		tb.Fatalf("read: %v, want a close frame", err)
	}
	return code, before
}

func readUntilClose(client *websocket.Conn) (code int, before []string, err error) {
	_ = client.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		_, data, err := client.ReadMessage()
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

// countedMessage counts its encodings.
type countedMessage struct {
	encodings *atomic.Int32
}

func (m countedMessage) MarshalJSON() ([]byte, error) {
	m.encodings.Add(1)
	return []byte(`{"type":"question","index":1}`), nil
}

func TestPublishEncodesOnce(t *testing.T) {
	h := New(Config{})
	game := Topic{Kind: "game", ID: 7}
	var players []*peer
	for range 20 {
		p := open(t, h, "live")
		p.Subscribe(game)
		players = append(players, p)
	}
	elsewhere := open(t, h, "live")
	elsewhere.Subscribe(Topic{Kind: "game", ID: 8})

	var encodings atomic.Int32
	n, err := h.PublishJSON(game, countedMessage{&encodings})
	if err != nil || n != len(players) {
		t.Fatalf("published to %d (%v), want %d", n, err, len(players))
	}
	t.Run("the message is encoded once for every subscriber", func(t *testing.T) {
		if got := encodings.Load(); got != 1 {
			t.Errorf("%d encodings for %d subscribers, want 1", got, len(players))
		}
	})
	t.Run("every subscriber gets it", func(t *testing.T) {
		for i, p := range players {
			if got := p.read(t); got != `{"type":"question","index":1}` {
				t.Errorf("player %d got %s", i, got)
			}
		}
	})
	t.Run("a socket following another topic does not", func(t *testing.T) {
		h.Publish(Topic{Kind: "game", ID: 8}, Message{Data: []byte(`{"type":"lobby"}`)})
		if got := elsewhere.read(t); got != `{"type":"lobby"}` {
			t.Errorf("the other game's player got %s first, want only its own game's message", got)
		}
	})
}

func TestStalledSubscriberDoesNotHoldUpTheOthers(t *testing.T) {
	h := New(Config{})
	game := Topic{Kind: "game", ID: 1}
	stalled := open(t, h, "live") // its client never reads until told
	stalled.Subscribe(game)
	var readers []*peer
	for range 3 {
		p := open(t, h, "live")
		p.Subscribe(game)
		readers = append(readers, p)
	}

	published := queueLimit + 10
	for i := range published {
		msg := fmt.Sprintf(`{"n":%d}`, i)
		h.Publish(game, Message{Data: []byte(msg)})
		for r, p := range readers {
			if got := p.read(t); got != msg {
				t.Fatalf("reader %d got %s, want %s", r, got, msg)
			}
		}
	}
	t.Run("the others got every message while one subscriber read nothing", func(t *testing.T) {
		if t.Failed() {
			t.Fatal("see above")
		}
	})
	t.Run("the stalled subscriber is stopped once its queue is full", func(t *testing.T) {
		if !stalled.Stopping() {
			t.Fatal("the stalled socket is still open")
		}
		if n := h.Publish(game, Message{Data: []byte(`{"n":-1}`)}); n != len(readers) {
			t.Errorf("a publish reached %d sockets, want the %d that read", n, len(readers))
		}
	})
	t.Run("its client gets what was being written, then close 1013", func(t *testing.T) {
		code, before := stalled.closedWith(t)
		if code != websocket.CloseTryAgainLater {
			t.Errorf("close %d, want 1013 (try again later)", code)
		}
		if len(before) == 0 || before[0] != `{"n":0}` || len(before) > published-queueLimit {
			t.Errorf("messages before the close %v, want the first few only", before)
		}
	})
}

func TestLatestMessagesReplaceTheirUnsentPredecessor(t *testing.T) {
	h := New(Config{})
	server, client := pipe(t)
	s := newSocket(h, server, "leaderboard")
	s.writing = true // as if its writer were busy: what is sent waits in the queue
	p := &peer{Socket: s, client: client}
	defer func() { // closes a socket the hub never opened
		client.Close()
		s.mu.Lock()
		s.closing = true
		start := s.startWriter()
		s.mu.Unlock()
		if start {
			s.write()
		}
		<-s.written
	}()

	first := []byte(`{"type":"leaderboard","v":1}`)
	second := []byte(`{"type":"leaderboard","v":2}`)
	me := []byte(`{"type":"me","rank":3}`)
	s.Send(Message{Data: []byte(`{"type":"hello"}`)})
	s.Send(Message{Data: first, Latest: "board"})
	s.Send(Message{Data: me, Latest: "me"})
	s.Send(Message{Data: second, Latest: "board"})
	s.Send(Message{Data: second, Latest: "board"})
	var queued []string
	for _, m := range s.queue {
		queued = append(queued, string(m.Data))
	}
	if want := []string{`{"type":"hello"}`, string(second), string(me)}; !slices.Equal(queued, want) {
		t.Errorf("queued %q, want %q: the newest board in the first board's place, once", queued, want)
	}

	go s.write()
	for _, want := range queued {
		if got := p.read(t); got != want {
			t.Fatalf("got %s, want %s", got, want)
		}
	}
	t.Run("the very slice last sent under a name is not sent again", func(t *testing.T) {
		s.Send(Message{Data: second, Latest: "board"})
		s.Send(Message{Data: []byte(`{"type":"bye"}`)})
		if got := p.read(t); got != `{"type":"bye"}` {
			t.Errorf("got %s, want the board skipped", got)
		}
	})
	t.Run("equal bytes in another slice are sent", func(t *testing.T) {
		s.Send(Message{Data: []byte(string(second)), Latest: "board"})
		if got := p.read(t); got != string(second) {
			t.Errorf("got %s, want the board again", got)
		}
	})
}

func TestNewerSocketReplacesTheOlderUnderAKey(t *testing.T) {
	h := New(Config{})
	attempt := Key{Kind: "attempt", ID: 42}
	older := open(t, h, "attempt")
	older.Claim(attempt)
	newer := open(t, h, "attempt")
	newer.Claim(attempt)

	t.Run("the older socket is closed with 4001", func(t *testing.T) {
		if code, _ := older.closedWith(t); code != CloseReplaced {
			t.Errorf("close %d, want %d", code, CloseReplaced)
		}
	})
	t.Run("a message to the key reaches the newer socket", func(t *testing.T) {
		<-older.done
		if !h.SendTo(attempt, Message{Data: []byte(`{"type":"result"}`)}) {
			t.Fatal("SendTo found no socket")
		}
		if got := newer.read(t); got != `{"type":"result"}` {
			t.Errorf("got %s", got)
		}
	})
	t.Run("the older socket closing does not take the key from the newer", func(t *testing.T) {
		if !h.SendTo(attempt, Message{Data: []byte(`{"type":"again"}`)}) {
			t.Fatal("the key was lost when the older socket closed")
		}
		newer.read(t)
	})
	t.Run("the key is free once its socket closed", func(t *testing.T) {
		newer.leave()
		if h.SendTo(attempt, Message{Data: []byte(`{}`)}) {
			t.Error("SendTo reached a closed socket")
		}
	})
}

func TestStoppedSocketsCloseWithTheCodeGiven(t *testing.T) {
	h := New(Config{})
	game := Topic{Kind: "game", ID: 9}
	player := open(t, h, "live")
	player.Subscribe(game)
	player.Claim(Key{Kind: "player", ID: 1})
	others := []*peer{open(t, h, "live"), open(t, h, "live")}
	for _, p := range others {
		p.Subscribe(game)
	}
	t.Run("a socket stopped by its key (a player kicked out)", func(t *testing.T) {
		if !h.StopKey(Key{Kind: "player", ID: 1}, 4003, "removed by the host") {
			t.Fatal("no socket under the key")
		}
		if code, _ := player.closedWith(t); code != 4003 {
			t.Errorf("close %d, want 4003", code)
		}
		if h.StopKey(Key{Kind: "player", ID: 2}, 4003, "") {
			t.Error("stopped a key nobody holds")
		}
	})
	t.Run("every socket of a topic (a game that ended)", func(t *testing.T) {
		<-player.done
		if n := h.StopTopic(game, websocket.CloseNormalClosure, "game over"); n != len(others) {
			t.Errorf("stopped %d sockets, want %d", n, len(others))
		}
		for _, p := range others {
			if code, _ := p.closedWith(t); code != websocket.CloseNormalClosure {
				t.Errorf("close %d, want 1000", code)
			}
		}
	})
}

func TestShutdownClosesEverySocketGoingAway(t *testing.T) {
	h := New(Config{})
	idle := open(t, h, "leaderboard")
	busy := open(t, h, "attempt") // has answers queued when the server stops
	for i := range 3 {
		busy.Send(Message{Data: fmt.Appendf(nil, `{"type":"ack","seq":%d}`, i+1)})
	}
	stopped := make(chan error, 1)
	go func() { stopped <- h.Shutdown(context.Background()) }()

	t.Run("a socket gets what was queued for it, then 1001", func(t *testing.T) {
		code, before := busy.closedWith(t)
		if code != websocket.CloseGoingAway || len(before) != 3 {
			t.Errorf("close %d after %q, want 1001 after the three acks", code, before)
		}
	})
	t.Run("an idle socket gets 1001", func(t *testing.T) {
		if code, _ := idle.closedWith(t); code != websocket.CloseGoingAway {
			t.Errorf("close %d, want 1001", code)
		}
	})
	t.Run("shutdown returns once every socket closed", func(t *testing.T) {
		if err := <-stopped; err != nil {
			t.Error(err)
		}
	})
	t.Run("a socket opened afterwards is refused with 1001", func(t *testing.T) {
		server, client := pipe(t)
		defer client.Close()
		code := make(chan int, 1)
		go func() { // a pipe holds the close frame until the client reads
			c, _, _ := readUntilClose(client)
			code <- c
		}()
		if _, ok := h.Open(server, "attempt"); ok {
			t.Fatal("a socket was opened after shutdown")
		}
		if got := <-code; got != websocket.CloseGoingAway {
			t.Errorf("close %d, want 1001", got)
		}
	})
}

func TestTopicsCountTheirSocketsAndTellWhoFeedsThem(t *testing.T) {
	h := New(Config{})
	var events []string
	h.Watch("stats", func(topic Topic, on bool) { events = append(events, fmt.Sprint(topic.ID, on)) })
	round := Topic{Kind: "stats", ID: 3}
	first, second := open(t, h, "stats"), open(t, h, "stats")
	first.Subscribe(round)
	second.Subscribe(round)
	second.Subscribe(round)
	if got := h.Count(round); got != 2 {
		t.Errorf("%d sockets follow the round, want 2", got)
	}
	first.Unsubscribe(round)
	second.leave()
	if got := h.Count(round); got != 0 {
		t.Errorf("%d sockets follow the round after both left, want 0", got)
	}
	if want := []string{"3 true", "3 false"}; !slices.Equal(events, want) {
		t.Errorf("the feed heard %q, want %q: once watched, once left", events, want)
	}
	counted := open(t, h, "attempt")
	counted.Subscribe(Topic{Kind: "contestants", ID: 3})
	if got := h.Count(Topic{Kind: "contestants", ID: 3}); got != 1 {
		t.Errorf("a topic nobody publishes to counts %d sockets, want 1", got)
	}
}

func TestSocketsPerAddressAreCappedAndFreedOnClose(t *testing.T) {
	h := New(Config{PerAddress: 2})
	if !h.Reserve("a") || !h.Reserve("a") {
		t.Fatal("refused under the cap")
	}
	if h.Reserve("a") {
		t.Error("a third socket from one address was let in")
	}
	if !h.Reserve("b") {
		t.Error("another address was refused")
	}
	h.Release("a")
	if !h.Reserve("a") {
		t.Error("a closed socket's place was not freed")
	}
	h.Release("a")
	h.Release("a")
	h.Release("b")
	if len(h.places.open) != 0 {
		t.Errorf("%d addresses kept with no socket open", len(h.places.open))
	}
	if none := New(Config{}); !none.Reserve("a") || !none.Reserve("a") {
		t.Error("a cap of 0 refused a socket")
	}
}

func TestTheLaterClaimAcrossHubsKeepsTheKey(t *testing.T) {
	attempt := Key{Kind: "attempt", ID: 42}
	t.Run("the older socket, on another hub, closes with 4001; the newer stays", func(t *testing.T) {
		nodeA, nodeB := New(Config{}), New(Config{})
		older := open(t, nodeA, "attempt")
		olderClaim := older.Claim(attempt)
		newer := open(t, nodeB, "attempt")
		newerClaim := newer.Claim(attempt)
		if !newerClaim.After(olderClaim) {
			t.Fatalf("claims %+v then %+v: the second is not the later", olderClaim, newerClaim)
		}
		// Each node hears the other's claim, in either order.
		if nodeB.Yield(attempt, olderClaim) {
			t.Error("the newer socket yielded to an older claim")
		}
		if !nodeA.Yield(attempt, newerClaim) {
			t.Error("the older socket did not yield to a newer claim")
		}
		if code, _ := older.closedWith(t); code != CloseReplaced {
			t.Errorf("older socket closed with %d, want %d", code, CloseReplaced)
		}
		if !nodeB.SendTo(attempt, Message{Data: []byte(`{"type":"ack"}`)}) {
			t.Fatal("the newer socket lost its key")
		}
		if got := newer.read(t); got != `{"type":"ack"}` {
			t.Errorf("newer socket got %s", got)
		}
		if nodeA.SendTo(attempt, Message{Data: []byte(`{}`)}) {
			t.Error("the node of the older socket still holds the key")
		}
	})
	t.Run("a socket does not yield to its own claim", func(t *testing.T) {
		node := New(Config{})
		p := open(t, node, "attempt")
		own := p.Claim(attempt)
		if node.Yield(attempt, own) {
			t.Error("a socket yielded to its own claim")
		}
	})
	t.Run("claims made in the same nanosecond: exactly one is the later", func(t *testing.T) {
		a, b := Claim{At: 7, Tie: 1}, Claim{At: 7, Tie: 2}
		if a.After(b) == b.After(a) {
			t.Errorf("a after b %v, b after a %v: want exactly one", a.After(b), b.After(a))
		}
	})
}

func TestSendOnceReachesASocketOnceByName(t *testing.T) {
	h := New(Config{})
	attempt := Key{Kind: "attempt", ID: 7}
	p := open(t, h, "attempt")
	p.Claim(attempt)
	if !h.SendOnce(attempt, "result", Message{Data: []byte(`{"type":"result","n":1}`)}) {
		t.Fatal("the first result was not sent")
	}
	if h.SendOnce(attempt, "result", Message{Data: []byte(`{"type":"result","n":2}`)}) {
		t.Error("a second result was sent")
	}
	if !h.SendOnce(attempt, "other", Message{Data: []byte(`{"type":"other"}`)}) {
		t.Error("another name was refused")
	}
	if got := p.read(t); got != `{"type":"result","n":1}` {
		t.Errorf("got %s first", got)
	}
	if got := p.read(t); got != `{"type":"other"}` {
		t.Errorf("got %s second, want the other message", got)
	}
}
