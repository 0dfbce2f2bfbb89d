package engine

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/zmtp"
)

// chunkConn serves data in reads of the sizes chunks cycles through, then EOF.
type chunkConn struct {
	net.Conn
	data   []byte
	chunks []byte
	i      int
}

func (c *chunkConn) Read(b []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := len(b)
	if len(c.chunks) > 0 {
		n = min(n, int(c.chunks[c.i%len(c.chunks)])+1)
		c.i++
	}
	n = copy(b, c.data[:min(n, len(c.data))])
	c.data = c.data[n:]
	return n, nil
}

func (c *chunkConn) SetReadDeadline(time.Time) error { return nil }

// collectSink takes every message, as a pipe with no HWM would.
type collectSink struct{ msgs []pipe.Msg }

func (s *collectSink) DeliverBatch(ms []pipe.Msg) int {
	s.msgs = append(s.msgs, ms...)
	return len(ms)
}

func (s *collectSink) DeliverOwn(ms []pipe.Msg) int { return s.DeliverBatch(ms) }

// FuzzDecode feeds arbitrary bytes, cut into arbitrary reads, to the frame decoder past the
// handshake: it must end with EOF or a protocol error, never panic, and deliver messages
// whose bytes all came from the input.
func FuzzDecode(f *testing.F) {
	one := zmtp.AppendFrame(nil, 0, []byte("hello"))
	multi := zmtp.AppendFrame(zmtp.AppendFrame(nil, zmtp.FlagMore, []byte("a")), 0, bytes.Repeat([]byte{7}, 300))
	big := zmtp.AppendFrame(nil, 0, bytes.Repeat([]byte{1}, 40<<10))
	ping := zmtp.AppendPing(nil, 10, []byte("ctx"))
	f.Add(one, []byte{})
	f.Add(append(multi, one...), []byte{0, 3, 200})
	f.Add(append(big, ping...), []byte{255, 1})
	f.Add([]byte{0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, []byte{})
	// Messages of many empty frames: 70 fit the limit below, 1,100 do not (pipe.FrameCost).
	for _, n := range []int{70, 1100} {
		var m []byte
		for range n - 1 {
			m = zmtp.AppendFrame(m, zmtp.FlagMore, nil)
		}
		f.Add(zmtp.AppendFrame(m, 0, nil), []byte{})
	}
	f.Fuzz(func(t *testing.T, data, chunks []byte) {
		sink, err := decodeAll(data, chunks, Config{MaxMsgSize: 64 << 10}, false)
		checkDecoded(t, sink, err, len(data))
	})
}

// FuzzDecodeV2 is FuzzDecode for a connection to a ZMTP 2.0 peer: the same framing, where a
// COMMAND bit is a reserved bit set, so any command frame is a protocol error.
func FuzzDecodeV2(f *testing.F) {
	one := zmtp.AppendFrame(nil, 0, []byte("hello"))
	multi := zmtp.AppendFrame(zmtp.AppendFrame(nil, zmtp.FlagMore, []byte("\x01")), 0, bytes.Repeat([]byte{7}, 300))
	big := zmtp.AppendFrame(nil, zmtp.FlagMore, bytes.Repeat([]byte{1}, 40<<10))
	f.Add(one, []byte{})
	f.Add(append(multi, one...), []byte{0, 3, 200})
	f.Add(append(big, one...), []byte{255, 1})
	f.Add(append(one, zmtp.AppendPing(nil, 10, nil)...), []byte{})
	f.Add([]byte{0x03, 0, 0, 0, 0, 0, 1, 0, 0}, []byte{})
	f.Fuzz(func(t *testing.T, data, chunks []byte) {
		sink, err := decodeAll(data, chunks, Config{MaxMsgSize: 64 << 10}, true)
		if err == nil || errors.Is(err, ErrPeerError) {
			t.Fatalf("a ZMTP 2.0 connection ended with %v", err)
		}
		checkDecoded(t, sink, err, len(data))
	})
}

// decodeAll decodes data, cut into reads as chunks says, until the input ends or a frame is
// refused; v2 decodes as for a ZMTP 2.0 peer.
func decodeAll(data, chunks []byte, cfg Config, v2 bool) (*collectSink, error) {
	nc := &chunkConn{data: data, chunks: chunks}
	c := newConn(nc, cfg)
	c.v2 = v2
	sink := &collectSink{}
	c.dec.sink = sink
	c.hb = &heartbeat{c: c, awaiting: -1, stopped: true}
	var err error
	for err == nil {
		err = c.decode(false)
		c.offer()
		if err == nil {
			err = c.readMore()
		}
	}
	return sink, err
}

// checkDecoded checks how decoding n bytes ended: with EOF or a refused frame, and with no
// more bytes delivered than came in.
func checkDecoded(t *testing.T, sink *collectSink, err error, n int) {
	t.Helper()
	if !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, ErrProtocol) && !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrPeerError) {
		t.Fatalf("decoding ended with %v", err)
	}
	total := 0
	for _, m := range sink.msgs {
		for _, fr := range m {
			total += len(fr)
		}
	}
	if total > n {
		t.Fatalf("delivered %d bytes out of %d", total, n)
	}
}
