package zmq_test

import (
	"bytes"
	"net"
	"testing"

	"github.com/purezmq/zmq"
	"github.com/purezmq/zmq/internal/parked"
)

// TestBadPeerStreamFlood: a plain client that floods a STREAM nobody reads costs the socket at
// most RCVHWM reads (8 KiB each): the socket stops reading and tcp holds the client back. Every
// byte still arrives, in order, once the application reads.
func TestBadPeerStreamFlood(t *testing.T) {
	const (
		hwm   = 8
		flood = 8 << 20 // far beyond the kernel's buffers, made small
		bound = 2 << 20 // heap growth allowed, all causes together; the queue is 64 KiB of it
	)
	srv := newSocket(t, zmq.STREAM, zmq.WithRecvHWM(hwm), zmq.WithRecvBuffer(64<<10))
	c := rawDial(t, bind(t, srv, "tcp://127.0.0.1:*"))
	if err := c.(*net.TCPConn).SetWriteBuffer(64 << 10); err != nil {
		t.Fatal(err)
	}
	id := expectNotify(t, srv)
	// Byte i of the flood is i % 251: a chunk of 251 × 256 bytes repeats exactly.
	pat := make([]byte, 251*256+(8<<10))
	for i := range pat {
		pat[i] = byte(i % 251)
	}
	chunk := pat[:251*256]
	before := liveHeap()
	writer := goID(func() {
		for off := 0; off < flood; off += len(chunk) {
			if _, err := c.Write(chunk); err != nil {
				return
			}
		}
	})
	// The flood is held back once the client blocks in a write and the socket's reader waits
	// for room in its queue.
	ctx, cancel := within(waitLong)
	defer cancel()
	if err := parked.AtLeast(ctx, parked.Where{Func: "engine.(*RawConn).readLoop", States: parked.Select}, 1); err != nil {
		t.Fatal(err)
	}
	waitParked(t, parked.Where{Func: "net.(*conn).Write", States: parked.IOWait}, writer)
	grown := liveHeap() - before
	t.Logf("live heap grew by %d KiB with the flood held back", grown>>10)
	if grown > bound {
		t.Fatalf("live heap grew by %d KiB under a flood, want at most %d KiB", grown>>10, bound>>10)
	}
	total := (flood + len(chunk) - 1) / len(chunk) * len(chunk)
	for got := 0; got < total; {
		m := recvWithin(t, srv, waitLong)
		data := m.Frames[1]
		if !bytes.Equal(m.Frames[0], id) || len(data) == 0 {
			t.Fatalf("at byte %d got %s", got, fmtFrames(m.Frames))
		}
		if len(data) > 8<<10 || !bytes.Equal(data, pat[got%251:][:len(data)]) {
			t.Fatalf("%d bytes at byte %d are not the flood's: lost or reordered", len(data), got)
		}
		got += len(data)
		srv.Recycle(m)
	}
}
