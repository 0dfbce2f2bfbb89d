package memcast

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/internal/pipe/limittest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// stream is a run of messages of every shape: empty frames, multipart, frames longer than a
// datagram.
func stream() []pipe.Msg {
	var ms []pipe.Msg
	for i := range 40 {
		m := pipe.Msg{[]byte(fmt.Sprintf("topic-%d", i))}
		switch i % 4 {
		case 1:
			m = append(m, nil, []byte("x"))
		case 2:
			m = append(m, bytes.Repeat([]byte{byte(i)}, 300+i))
		case 3:
			m = pipe.Msg{{}}
		}
		ms = append(ms, m)
	}
	return ms
}

func encode(ms []pipe.Msg, tpdu int) [][]byte {
	var e encoder
	var ds [][]byte
	emit := func(d []byte) { ds = append(ds, d) }
	for _, m := range ms {
		e.message(m, tpdu, emit)
	}
	e.flush(emit)
	return ds
}

func equal(a, b pipe.Msg) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// inOrder checks that got is a subsequence of want: whole messages, in order, none invented.
func inOrder(t *testing.T, got, want []pipe.Msg) {
	t.Helper()
	j := 0
	for _, g := range got {
		for j < len(want) && !equal(g, want[j]) {
			j++
		}
		if j == len(want) {
			t.Fatalf("message %q is not one sent, or out of order", g)
		}
		j++
	}
}

func TestCodec(t *testing.T) {
	want := stream()
	for _, tpdu := range []int{headerLen + minPayload, 64, 1500} {
		ds := encode(want, tpdu)
		tests := []struct {
			name    string
			skip    func(i int) bool // datagrams the receiver misses
			all     bool             // every message arrives
			maxLost int
		}{
			{"all", func(int) bool { return false }, true, 0},
			{"late joiner", func(i int) bool { return i < len(ds)/2 }, false, 0},
			{"one lost", func(i int) bool { return i == len(ds)/3 }, false, 1},
			{"every third lost", func(i int) bool { return i%3 == 1 }, false, len(ds)},
		}
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/tpdu=%d", tt.name, tpdu), func(t *testing.T) {
				d := decoder{max: -1}
				var got []pipe.Msg
				for i, b := range ds {
					if !tt.skip(i) {
						got = append(got, d.datagram(b)...)
					}
				}
				inOrder(t, got, want)
				if tt.all && len(got) != len(want) {
					t.Fatalf("got %d messages, want %d", len(got), len(want))
				}
				if !tt.all && len(got) == len(want) {
					t.Fatalf("got every message despite the loss")
				}
				if len(got) == 0 {
					t.Fatalf("no message after the loss")
				}
				if d.Lost > tt.maxLost {
					t.Fatalf("Lost = %d, want at most %d", d.Lost, tt.maxLost)
				}
			})
		}
	}
}

func TestCodecMaxMsgSize(t *testing.T) {
	want := stream()
	d := decoder{max: 100}
	var got []pipe.Msg
	for _, b := range encode(want, 64) {
		got = append(got, d.datagram(b)...)
	}
	n := 0
	for _, m := range want {
		size := 0
		for _, f := range m {
			size += len(f)
		}
		if size <= 100 {
			n++
		}
	}
	inOrder(t, got, want)
	if len(got) != n {
		t.Fatalf("got %d messages, want the %d of at most 100 bytes", len(got), n)
	}
}

func FuzzDecoder(f *testing.F) {
	for _, d := range encode(stream(), 64)[:8] {
		f.Add(d)
	}
	// Messages of many empty frames: 70 fit the limit below, 15,000 do not (pipe.FrameCost).
	for _, n := range []int{70, 15_000} {
		f.Add(encode([]pipe.Msg{make(pipe.Msg, n)}, 1<<17)[0])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d := decoder{max: 1 << 16}
		for _, m := range d.datagram(b) {
			if len(m) == 0 {
				t.Fatal("a message without frames")
			}
		}
		d.datagram(b) // the same again: a repeat is a gap for the source
	})
}

// MAXMSGSIZE bounds a whole message (pipe.FrameCost): its frames' bytes, and 64 more for each
// frame past its 64th. A message over it is dropped; the next one comes through.
func TestCodecMessageLimit(t *testing.T) {
	for _, c := range limittest.Shapes() {
		t.Run(c.Name, func(t *testing.T) {
			d := decoder{max: limittest.Limit}
			next := pipe.Msg{[]byte("next")}
			var got []pipe.Msg
			for _, b := range encode([]pipe.Msg{c.Frames, next}, 1400) {
				got = append(got, d.datagram(b)...)
			}
			want := []pipe.Msg{next}
			if c.Fits {
				want = []pipe.Msg{c.Frames, next}
			}
			if len(got) != len(want) {
				t.Fatalf("got %d messages, want %d", len(got), len(want))
			}
			inOrder(t, got, want)
		})
	}
}
