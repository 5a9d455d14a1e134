package hub

import (
	"encoding/binary"
	"net"
	"sync"
	"time"
)

// Conn wraps a connection taken over from the HTTP server before it is
// upgraded, so that the socket's writer and gorilla/websocket share it:
// gorilla reads from it and writes only the control frames it answers by
// itself (a pong, the close after a client's protocol error), and the
// socket's writer writes its frames straight to it, all it has queued in
// one system call. A lock keeps each write whole.
//
// The upgrade's response, gorilla's first write, waits for what the
// socket writes next and goes with it in one system call: a socket whose
// first message is ready at once (an attempt's state) costs the server
// one write fewer, and its client one read. Nothing waits on the client
// meanwhile: the response is written at the latest when the socket's read
// loop begins (Receive), and a socket closed first writes it before its
// close frame.
func Conn(c net.Conn) net.Conn { return &frameConn{Conn: c, holdNext: true} }

type frameConn struct {
	net.Conn
	mu       sync.Mutex
	holdNext bool   // the next write is the upgrade's response, to be held
	held     []byte // the upgrade's response, written before anything else
}

func (c *frameConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.holdNext {
		c.holdNext = false
		c.held = append([]byte(nil), p...) // gorilla's buffer is its own
		return len(p), nil
	}
	if c.held == nil {
		return c.Conn.Write(p)
	}
	held := len(c.held)
	n, err := c.writeHeld(net.Buffers{p})
	return max(0, int(n)-held), err
}

// writeHeld writes the held response, if any, then bufs, in one vectored
// write; c.mu is held.
func (c *frameConn) writeHeld(bufs net.Buffers) (int64, error) {
	if c.held != nil {
		bufs = append(net.Buffers{c.held}, bufs...)
		c.held = nil
	}
	return bufs.WriteTo(c.Conn)
}

// flush writes the held response, if any.
func (c *frameConn) flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.held == nil {
		return nil
	}
	_, err := c.writeHeld(nil)
	return err
}

// The frames the writer makes: the server's frames are never masked, and
// every message fits in one frame.
const (
	opText  = 0x1
	opClose = 0x8
	opPing  = 0x9
	finBit  = 0x80
)

// frames is a writer's batch, for one vectored write: each frame's
// header, then its payload as it is (a message's bytes, shared with every
// other socket that got it).
type frames struct {
	headers []byte
	bufs    net.Buffers
	out     net.Buffers // bufs as the write consumes them
}

var framesPool = sync.Pool{New: func() any { return new(frames) }}

// maxHeader is the longest header of a server's frame: unmasked, with a
// 64-bit length.
const maxHeader = 10

// reserve makes room for n frames' headers at once. (Were the headers to
// grow while frames are added, the buffers would keep pointing into the
// old array, whose bytes stay as they were: correct, one more garbage.)
func (f *frames) reserve(n int) {
	if need := len(f.headers) + n*maxHeader; cap(f.headers) < need {
		f.headers = make([]byte, 0, need)
	}
}

// add appends one frame of kind op holding payload.
func (f *frames) add(op byte, payload []byte) {
	start := len(f.headers)
	f.headers = append(f.headers, finBit|op)
	switch n := len(payload); {
	case n < 126:
		f.headers = append(f.headers, byte(n))
	case n <= 0xffff:
		f.headers = append(f.headers, 126)
		f.headers = binary.BigEndian.AppendUint16(f.headers, uint16(n))
	default:
		f.headers = append(f.headers, 127)
		f.headers = binary.BigEndian.AppendUint64(f.headers, uint64(n))
	}
	f.bufs = append(f.bufs, f.headers[start:])
	if len(payload) > 0 {
		f.bufs = append(f.bufs, payload)
	}
}

// write writes the batch to c within timeout, in one vectored write where
// the connection takes one.
func (f *frames) write(c net.Conn, timeout time.Duration) error {
	if err := c.SetWriteDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}
	f.out = f.bufs
	if fc, ok := c.(*frameConn); ok {
		fc.mu.Lock()
		defer fc.mu.Unlock()
		_, err := fc.writeHeld(f.out)
		return err
	}
	_, err := f.out.WriteTo(c)
	return err
}

// reset empties the batch for the pool, holding no message's bytes.
func (f *frames) reset() {
	clear(f.bufs)
	f.headers, f.bufs, f.out = f.headers[:0], f.bufs[:0], nil
}
