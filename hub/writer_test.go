package hub

import (
	"bytes"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func TestFramesOfEverySizeReachTheClient(t *testing.T) {
	h := New(Config{})
	p := open(t, h, "live")
	// The lengths where a frame's header changes: one byte, then two, then
	// eight bytes of length.
	for _, n := range []int{0, 1, 125, 126, 127, 65535, 65536, 200_000} {
		data := bytes.Repeat([]byte("ă"), n/2)
		if n%2 == 1 {
			data = append(data, 'a')
		}
		if !p.Send(Message{Data: data}) {
			t.Fatalf("%d bytes: not queued", n)
		}
		if got := p.read(t); got != string(data) {
			t.Fatalf("%d bytes: the client read %d bytes, want them as sent", n, len(got))
		}
	}
}

func TestQueuedMessagesArriveInOrderWhateverTheBatch(t *testing.T) {
	h := New(Config{})
	p := open(t, h, "live")
	// The client reads nothing at first: the first message holds the
	// writer, and the rest queue behind it and go out together.
	const n = 200
	for i := range n {
		p.Send(Message{Data: []byte{'0' + byte(i%10)}})
	}
	for i := range n {
		if got, want := p.read(t), string([]byte{'0' + byte(i%10)}); got != want {
			t.Fatalf("message %d is %q, want %q", i, got, want)
		}
	}
}

func TestAnIdleSocketHoldsOnlyItsReadLoop(t *testing.T) {
	h := New(Config{})
	game := Topic{Kind: "game", ID: 1}
	before := runtime.NumGoroutine()
	const sockets = 40
	var peers []*peer
	for range sockets {
		p := open(t, h, "live")
		p.Subscribe(game)
		peers = append(peers, p)
	}
	h.Publish(game, Message{Data: []byte(`{"type":"question"}`)})
	for _, p := range peers {
		p.read(t)
	}
	// Each peer here has its read loop and its test client's goroutine of
	// net.Pipe; a writer per socket would add 40 more. Writers end once
	// their queue is empty, which takes a moment after the last read.
	var extra int
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if extra = runtime.NumGoroutine() - before; extra <= sockets+5 {
			return
		}
	}
	t.Errorf("%d more goroutines for %d idle sockets, want about one each", extra, sockets)
}

func TestClientsArePinged(t *testing.T) {
	h := New(Config{PingEvery: 20 * time.Millisecond})
	p := open(t, h, "live")
	var pings atomic.Int32
	p.client.SetPingHandler(func(string) error {
		pings.Add(1)
		return nil
	})
	go func() { // control frames are handled while the client reads
		for {
			if _, _, err := p.client.ReadMessage(); err != nil {
				return
			}
		}
	}()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if pings.Load() >= 3 {
			return
		}
	}
	t.Errorf("the client got %d pings, want them every 20 ms", pings.Load())
}

func TestAClientsPingIsAnswered(t *testing.T) {
	h := New(Config{})
	p := open(t, h, "live")
	pong := make(chan string, 1)
	p.client.SetPongHandler(func(data string) error {
		pong <- data
		return nil
	})
	// gorilla answers the ping from the socket's read loop, through the
	// same connection the writer writes to, while messages are written: a
	// frame broken by the other would end the client's reading.
	for i := range 100 {
		p.Send(Message{Data: []byte{'a' + byte(i%26)}})
	}
	if err := p.client.WriteControl(websocket.PingMessage, []byte("hoithi"), time.Now().Add(5*time.Second)); err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			if _, _, err := p.client.ReadMessage(); err != nil {
				return
			}
		}
	}()
	select {
	case got := <-pong:
		if got != "hoithi" {
			t.Errorf("pong %q, want the ping's data", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no pong")
	}
}

func TestAClientsCloseIsAnsweredWithOneCloseFrame(t *testing.T) {
	h := New(Config{})
	p := open(t, h, "live")
	if err := p.client.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "tab closed"), time.Now().Add(5*time.Second)); err != nil {
		t.Fatal(err)
	}
	// Everything the server sends until it closes the connection, read
	// under gorilla's client: one close frame, echoing the code.
	raw := p.client.NetConn()
	_ = raw.SetReadDeadline(time.Now().Add(10 * time.Second))
	var got []byte
	buf := make([]byte, 256)
	for {
		n, err := raw.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			break
		}
	}
	want := append([]byte{0x88, 2}, websocket.FormatCloseMessage(websocket.CloseGoingAway, "")...)
	if !bytes.Equal(got, want) {
		t.Errorf("the server sent % x, want one close frame % x", got, want)
	}
}

func TestAClientThatSendsWithoutReadingIsClosedAfterAFewHundred(t *testing.T) {
	h := New(Config{})
	server, client := pipe(t)
	s, _ := h.Open(server, "attempt")
	var handled atomic.Int32
	done := make(chan struct{})
	go func() { // as a handler serves it: each message answered
		defer close(done)
		s.Receive(func(int, []byte) {
			handled.Add(1)
			s.Send(Message{Data: []byte(`{"type":"ack"}`)})
		})
		s.Close()
	}()
	// The client sends and never reads (net.Pipe holds every write until
	// it is read, so the server's writer is stuck on the first ack).
	for i := 0; i < queueLimit+100; i++ {
		_ = client.SetWriteDeadline(time.Now().Add(500 * time.Millisecond))
		if client.WriteMessage(websocket.TextMessage, []byte(`{"type":"answer"}`)) != nil {
			break
		}
	}
	client.Close()
	<-done
	if n := handled.Load(); n > floodMark+2 || n < floodMark {
		t.Errorf("%d messages handled before the socket closed, want about %d", n, floodMark)
	}
}
