package engine

import (
	"bytes"
	"testing"
	"unsafe"

	"github.com/purezmq/zmq/internal/pipe"
)

// frameHeader is what a frame list holds for one frame: where its bytes are, and how many.
type frameHeader struct {
	data      unsafe.Pointer
	len, cap_ int
}

func headers(m pipe.Msg) []frameHeader {
	out := make([]frameHeader, len(m))
	for i, f := range m {
		out[i] = frameHeader{unsafe.Pointer(unsafe.SliceData(f)), len(f), cap(f)}
	}
	return out
}

// TestWriterLeavesMessagesAlone pins what a publisher's fan-out relies on (pipe.Pipe.Encodes):
// a connection's writer only reads the messages it takes. The same messages, lists and frames,
// go out through two connections at once, by the writer goroutine and by direct writes, with
// NULL and with CURVE, small frames copied and big ones written in place by writev; afterwards,
// and after the connections close with messages still queued, every list holds the same frames
// and every frame the same bytes.
func TestWriterLeavesMessagesAlone(t *testing.T) {
	sk, ck := newKeyPair(t), newKeyPair(t)
	shapes := []pipe.Msg{
		{[]byte("topic")},
		{[]byte("topic"), {}, bytes.Repeat([]byte("s"), 300)},
		{[]byte("big"), patterned(1, 16<<10), []byte("tail")},
		{patterned(2, 100<<10)},
	}
	msgs := make([]pipe.Msg, 0, 40)
	for i := range cap(msgs) {
		msgs = append(msgs, shapes[i%len(shapes)])
	}
	want := make([]pipe.Msg, len(msgs))
	heads := make([][]frameHeader, len(msgs))
	for i, m := range msgs {
		for _, f := range m {
			want[i] = append(want[i], bytes.Clone(f))
		}
		heads[i] = headers(m)
	}
	check := func(when string) {
		t.Helper()
		for i, m := range msgs {
			if got := headers(m); len(got) != len(heads[i]) || !equalHeaders(got, heads[i]) {
				t.Fatalf("%s: message %d's frame list changed", when, i)
			}
			if d := msgDiff(m, want[i]); d != "" {
				t.Fatalf("%s: message %d's frames changed: %s", when, i, d)
			}
		}
	}

	var senders, receivers []*running
	var conns []*Conn
	for _, pair := range [][2]Config{
		{cfg("PUB"), cfg("SUB")},
		{secured("PUB", curveServerCfg(sk)), secured("SUB", curveClientCfg(ck, sk.pub))},
	} {
		a, b := handshakeSecured(t, pair[0], pair[1])
		if a.err != nil || b.err != nil {
			t.Fatal(a.err, b.err)
		}
		conns = append(conns, a.c)
		senders = append(senders, run(a.c, 0))
		receivers = append(receivers, run(b.c, 0))
	}
	for i, m := range msgs {
		for j, s := range senders {
			s.q.TryPush(m)
			if i%3 == 0 {
				conns[j].WriteNow(s.q) // the direct path, when the writer goroutine is idle
			}
		}
	}
	for _, r := range receivers {
		for i := range msgs {
			if d := msgDiff(r.recv(t), want[i]); d != "" {
				t.Fatalf("message %d arrived altered: %s", i, d)
			}
		}
	}
	check("after writing")

	// Closing with messages queued: the queue lets go of them without touching them.
	for _, s := range senders {
		for _, m := range msgs {
			s.q.TryPush(m)
		}
		close(s.quit)
		<-s.done
		s.q.Close()
	}
	for _, r := range receivers {
		<-r.done
	}
	check("after closing")
}

func equalHeaders(a, b []frameHeader) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
