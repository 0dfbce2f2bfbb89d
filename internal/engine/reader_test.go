package engine

import (
	"bytes"
	"errors"
	"net"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/purezmq/zmq/zmtp"
)

// trickleConn serves the bytes fed to it, then fails reads as an Interrupt's deadline does: a
// peer whose next bytes have not arrived yet.
type trickleConn struct {
	net.Conn
	data []byte
}

func (c *trickleConn) Read(b []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, os.ErrDeadlineExceeded
	}
	n := copy(b, c.data)
	c.data = c.data[n:]
	return n, nil
}

func (c *trickleConn) SetReadDeadline(time.Time) error { return nil }

// trickled returns a connection past its handshake reading from a trickleConn.
func trickled() (*Conn, *trickleConn, *collectSink) {
	tc := &trickleConn{}
	c := newConn(tc, Config{MaxMsgSize: -1})
	sink := &collectSink{}
	c.dec.sink = sink
	c.hb = &heartbeat{c: c, awaiting: -1, stopped: true}
	return c, tc, sink
}

// step reads and decodes what tc holds, as a reader does until its read is interrupted.
func step(t *testing.T, c *Conn) {
	t.Helper()
	for {
		err := c.decode()
		c.offer()
		if err == nil {
			err = c.readMore()
		}
		if errors.Is(err, ErrInterrupted) {
			return
		}
		if err != nil {
			t.Fatalf("decoding: %v", err)
		}
	}
}

// TestBigBodyGrowsAsItArrives: a frame header declaring a big body makes the reader allocate
// in proportion to the bytes that have arrived, not to the size declared; the body comes out
// whole at the end.
func TestBigBodyGrowsAsItArrives(t *testing.T) {
	const size = 4 << 20
	body := patterned(7, size)
	wire := zmtp.AppendFrame(nil, 0, body)
	c, tc, sink := trickled()
	sent := 0
	for _, n := range []int{9 + 12, 1000, 50 << 10, 300 << 10, 1 << 20, len(wire)} {
		n = min(n, len(wire)-sent)
		tc.data = wire[sent : sent+n]
		sent += n
		step(t, c)
		if sent == len(wire) {
			break
		}
		have, held := len(c.dec.big), cap(c.dec.big)
		if limit := max(64<<10, 2*have); held > limit {
			t.Fatalf("with %d bytes of the body in, the reader holds %d for it, want at most %d", have, held, limit)
		}
	}
	if len(sink.msgs) != 1 || len(sink.msgs[0]) != 1 || !bytes.Equal(sink.msgs[0][0], body) {
		t.Fatalf("the body did not come out whole: %d messages", len(sink.msgs))
	}
}

// TestBigHeadersCostLittle: connections that each sent a header declaring a 4 MiB body and 12
// bytes of it cost the heap little each, not 4 MiB.
func TestBigHeadersCostLittle(t *testing.T) {
	const (
		conns = 32
		bound = 8 << 20 // for all of them, read buffers included
	)
	hdr := zmtp.AppendFrameHeader(nil, 0, 4<<20)
	before := liveHeap()
	held := make([]*Conn, conns)
	for i := range held {
		c, tc, _ := trickled()
		tc.data = append(append([]byte(nil), hdr...), make([]byte, 12)...)
		step(t, c)
		held[i] = c
	}
	grown := liveHeap() - before
	runtime.KeepAlive(held)
	if grown > bound {
		t.Fatalf("%d connections that each sent a big frame's header and 12 bytes grew the heap by %d MiB, want at most %d MiB",
			conns, grown>>20, bound>>20)
	}
}

func liveHeap() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}
