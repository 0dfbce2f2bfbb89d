package engine

import (
	"bytes"
	"errors"
	"net"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/purezmq/zmq/internal/pipe"
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
		err := c.decode(false)
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

// TestReadBufferShrinksAfterBurst: the read buffer grows while a burst fills it, goes back to
// its smallest once the traffic is light again, and does not shrink while reads keep coming
// big.
func TestReadBufferShrinksAfterBurst(t *testing.T) {
	c, tc, sink := trickled()
	small := zmtp.AppendFrame(nil, 0, make([]byte, 100))
	burst := bytes.Repeat(small, (256<<10)/len(small))
	tc.data = burst
	step(t, c)
	if len(c.rbuf) != readBufMax {
		t.Fatalf("after a burst the read buffer is %d bytes, want %d", len(c.rbuf), readBufMax)
	}
	// Steady reads of a third of the buffer: big enough that it stays as it is.
	medium := bytes.Repeat(small, (readBufMax/3)/len(small))
	for range 50 {
		tc.data = medium
		step(t, c)
		if len(c.rbuf) != readBufMax {
			t.Fatalf("reads of %d bytes shrank the read buffer to %d", len(medium), len(c.rbuf))
		}
	}
	// Then one message at a time.
	for range 50 {
		tc.data = small
		step(t, c)
	}
	if len(c.rbuf) != readBufMin {
		t.Fatalf("after the burst, with one small message per read, the read buffer is %d bytes, want %d", len(c.rbuf), readBufMin)
	}
	want := len(burst)/len(small) + 50*len(medium)/len(small) + 50
	if len(sink.msgs) != want {
		t.Fatalf("%d messages decoded, want %d", len(sink.msgs), want)
	}
	// A new burst grows it again.
	tc.data = burst
	step(t, c)
	if len(c.rbuf) != readBufMax {
		t.Fatalf("after a second burst the read buffer is %d bytes, want %d", len(c.rbuf), readBufMax)
	}
}

// TestReadBufferSteadyUnderBigFrames: in a stream of big frames, each read straight into its
// own buffer, the read buffer holds little more than the next header, whatever arrives with
// it: once settled, it is not replaced again and again.
func TestReadBufferSteadyUnderBigFrames(t *testing.T) {
	c, tc, sink := trickled()
	const msgs = 200
	msg := zmtp.AppendFrame(nil, 0, make([]byte, 40<<10))
	wire := bytes.Repeat(msg, msgs)
	swaps, last, sent := 0, &c.rbuf[0], 0
	for i := range msgs {
		// Message i's rest, and the start of the next: mostly a little, sometimes more than
		// the read after a big body takes.
		cut := min(len(wire), (i+1)*len(msg)+100)
		if i%10 == 0 {
			cut = min(len(wire), (i+1)*len(msg)+9000)
		}
		tc.data = wire[sent:cut]
		sent = cut
		step(t, c)
		if p := &c.rbuf[0]; p != last {
			swaps++
			last = p
		}
	}
	if len(sink.msgs) != msgs {
		t.Fatalf("%d messages, want %d", len(sink.msgs), msgs)
	}
	if swaps > 4 {
		t.Fatalf("the read buffer was replaced %d times over %d big messages", swaps, msgs)
	}
}

// TestCarvedFramesAreOwn: the frames and frame lists of small messages, carved from shared
// slabs and lists, are each the message's own: appending to one (a receiver may) never
// reaches another's bytes or frames.
func TestCarvedFramesAreOwn(t *testing.T) {
	c, tc, sink := trickled()
	var want []pipe.Msg
	for i := range 500 {
		m := pipe.Msg{bytes.Repeat([]byte{byte(i)}, i%60), []byte{byte(i), byte(i >> 8)}}
		if i%2 == 0 {
			m = m[:1]
		}
		want = append(want, m)
		for j, f := range m {
			var flags byte
			if j < len(m)-1 {
				flags = zmtp.FlagMore
			}
			tc.data = zmtp.AppendFrame(tc.data, flags, f)
		}
	}
	step(t, c)
	got := sink.msgs
	if len(got) != len(want) {
		t.Fatalf("got %d messages, want %d", len(got), len(want))
	}
	for i := range got {
		got[i] = append(got[i], []byte("more"))         // a list of its own
		got[i][0] = append(got[i][0], 0xee, 0xee, 0xee) // a frame of its own
	}
	for i, m := range got {
		w := want[i]
		if len(m) != len(w)+1 || !bytes.Equal(m[0][:len(w[0])], w[0]) || len(w) > 1 && !bytes.Equal(m[1], w[1]) {
			t.Fatalf("message %d changed by its neighbours' appends: %q", i, m)
		}
	}
}
