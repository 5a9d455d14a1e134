package hub

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// countingConn is the network under a server's websocket in the
// benchmark: it takes every write at once and counts the text frames, so
// that what is measured is the hub and gorilla's framing, not the kernel.
type countingConn struct {
	frames *frameCount
	closed chan struct{}
}

// frameCount counts the frames written to every connection and signals
// when the count reaches want.
type frameCount struct {
	n, want atomic.Int64
	reached chan struct{}
}

func (c *countingConn) Write(p []byte) (int, error) {
	const textFrame = 0x81 // FIN and the text opcode; pings and the handshake are not counted
	if p[0] != textFrame {
		return len(p), nil
	}
	if n := c.frames.n.Add(1); n == c.frames.want.Load() {
		c.frames.reached <- struct{}{}
	}
	return len(p), nil
}

func (c *countingConn) Read([]byte) (int, error) {
	<-c.closed
	return 0, net.ErrClosed
}

func (c *countingConn) Close() error                     { return nil }
func (c *countingConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *countingConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *countingConn) SetDeadline(time.Time) error      { return nil }
func (c *countingConn) SetReadDeadline(time.Time) error  { return nil }
func (c *countingConn) SetWriteDeadline(time.Time) error { return nil }

// BenchmarkPublish publishes one 200-byte message to 10,000 sockets and
// waits until every socket's writer has written it.
func BenchmarkPublish(b *testing.B) {
	const subscribers = 10_000
	h := New(Config{})
	game := Topic{Kind: "game", ID: 1}
	frames := &frameCount{reached: make(chan struct{}, 1)}
	closed := make(chan struct{})
	for range subscribers {
		conn := &countingConn{frames: frames, closed: closed}
		r := httptest.NewRequest("GET", "http://hoithi.test/ws", nil)
		r.Header.Set("Connection", "Upgrade")
		r.Header.Set("Upgrade", "websocket")
		r.Header.Set("Sec-WebSocket-Version", "13")
		r.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
		ws, err := testUpgrader.Upgrade(&hijacker{Conn(conn), bufio.NewReadWriter(bufio.NewReader(conn), bufio.NewWriter(conn))}, r, nil)
		if err != nil {
			b.Fatal(err)
		}
		s, _ := h.Open(ws, "live")
		s.Subscribe(game)
		go func() { // as a handler runs it: until the connection ends
			s.Receive(nil)
			s.Close()
		}()
	}
	b.Cleanup(func() {
		close(closed)
		if err := h.Shutdown(context.Background()); err != nil {
			b.Error(err)
		}
	})
	data := append([]byte(`{"type":"question","text":"`), bytes.Repeat([]byte("a"), 200-38)...)
	data = append(data, `","index":1}`...)

	publish := func(round int) {
		frames.want.Store(int64(round) * subscribers)
		if n := h.Publish(game, Message{Data: data}); n != subscribers {
			b.Fatalf("published to %d, want %d", n, subscribers)
		}
		<-frames.reached
	}
	publish(1) // each socket's queue takes its array

	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		publish(i + 2)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*subscribers), "ns/delivery")
}
