package norm

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/internal/pipe/limittest"
)

// stream encodes msgs as libzmq's norm engine writes them, with the offset of each frame's
// start (the marks a NORM sender puts on segments).
func stream(msgs []pipe.Msg) ([]byte, []int) {
	var b []byte
	var marks []int
	for _, m := range msgs {
		for i, f := range m {
			marks = append(marks, len(b))
			b = appendFrame(b, i == 0, i < len(m)-1, f)
		}
	}
	return b, marks
}

func collect(max int64) (*deframer, *[]pipe.Msg) {
	var got []pipe.Msg
	return &deframer{max: max, deliver: func(m pipe.Msg) bool { got = append(got, m); return true }}, &got
}

func msgsString(ms []pipe.Msg) string { return fmt.Sprintf("%q", ms) }

func TestDeframer(t *testing.T) {
	msgs := []pipe.Msg{
		{[]byte("top"), []byte("1"), bytes.Repeat([]byte("x"), 300)},
		{[]byte("a")},
		{[]byte{}, []byte("empty first frame")},
		{bytes.Repeat([]byte("y"), 70000)},
	}
	b, marks := stream(msgs)
	isMark := map[int]bool{}
	for _, m := range marks {
		isMark[m] = true
	}
	for _, chunk := range []int{1, 7, 1400, len(b)} {
		t.Run(fmt.Sprint(chunk), func(t *testing.T) {
			d, got := collect(-1)
			for off := 0; off < len(b); off += chunk {
				p := b[off:min(off+chunk, len(b))]
				mark := -1
				for i := range p {
					if isMark[off+i] {
						mark = i
						break
					}
				}
				d.write(p, mark)
			}
			if msgsString(*got) != msgsString(msgs) || d.Lost != 0 {
				t.Fatalf("got %d messages (lost %d), want %d", len(*got), d.Lost, len(msgs))
			}
		})
	}
}

// A receiver that starts mid-stream skips to the first message's first frame; one that loses
// data drops the cut message and resumes at the next; one over MAXMSGSIZE drops that message.
func TestDeframerResync(t *testing.T) {
	msgs := []pipe.Msg{{[]byte("a"), []byte("b")}, {[]byte("c"), []byte("d")}, {[]byte("e")}}
	b, marks := stream(msgs)
	// Join at the second frame of the first message: its mark has sync byte 0xff. Each
	// frame is a segment with its own mark, as libzmq's sender writes them.
	d, got := collect(-1)
	for i := 1; i < len(marks); i++ {
		e := len(b)
		if i+1 < len(marks) {
			e = marks[i+1]
		}
		d.write(b[marks[i]:e], 0)
	}
	if msgsString(*got) != msgsString(msgs[1:]) {
		t.Fatalf("joined late: got %q", *got)
	}
	// Lose the middle of the second message.
	d, got = collect(-1)
	d.write(b[:marks[3]], 0)
	d.reset()
	d.write(b[marks[4]:], 0)
	if msgsString(*got) != msgsString([]pipe.Msg{msgs[0], msgs[2]}) || d.Lost != 1 {
		t.Fatalf("after loss: got %q, lost %d", *got, d.Lost)
	}
	// A message over the limit is dropped whole; the next one comes.
	big := []pipe.Msg{{bytes.Repeat([]byte("z"), 10), bytes.Repeat([]byte("z"), 10)}, {[]byte("ok")}}
	b, _ = stream(big)
	d, got = collect(15)
	d.write(b, 0)
	if msgsString(*got) != msgsString(big[1:]) || d.Lost != 1 {
		t.Fatalf("over MAXMSGSIZE: got %q, lost %d", *got, d.Lost)
	}
	// Bad framing (a command flag) resets, and the next mark resyncs.
	d, got = collect(-1)
	bad := append([]byte{0x00, flagCmd, 1, 'x'}, b...)
	d.write(bad, 0)
	if d.Lost != 1 || len(*got) != 0 {
		t.Fatalf("bad flags: got %q, lost %d", *got, d.Lost)
	}
	d.write(b, 0)
	if msgsString(*got) != msgsString(big) {
		t.Fatalf("after bad flags: got %q", *got)
	}
}

// A huge declared frame size allocates nothing up front.
func TestDeframerHugeSize(t *testing.T) {
	d, got := collect(-1)
	hdr := []byte{syncFirst, flagLong, 0x3f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	d.write(hdr, 0)
	if cap(d.body) > growStep || len(*got) != 0 {
		t.Fatalf("allocated %d for a frame not yet come", cap(d.body))
	}
	hdr[2] = 0x7f // beyond 2^62: an error
	d.reset()
	d.write(hdr, 0)
	if d.inSync {
		t.Fatal("still in sync after a frame size beyond 2^62")
	}
}

func TestRxStreamOrder(t *testing.T) {
	msgs := []pipe.Msg{{[]byte("a"), []byte("b")}, {[]byte("c")}, {[]byte("d"), []byte("e")}, {[]byte("f")}}
	b, marks := stream(msgs)
	// One segment a frame, as libzmq's sender.
	var segs []Stream
	for i, m := range marks {
		e := len(b)
		if i+1 < len(marks) {
			e = marks[i+1]
		}
		segs = append(segs, Stream{MsgStart: 1, Offset: uint32(1000 + m), Data: b[m:e]})
	}
	now := time.Unix(0, 0)
	t.Run("reordered", func(t *testing.T) {
		d, got := collect(-1)
		s := rxStream{df: *d}
		order := []int{0, 2, 1, 4, 3, 5, 2}
		for _, i := range order {
			s.add(segs[i], i == 0, now)
		}
		_ = got
		if msgsString(*got) != msgsString(msgs) {
			t.Fatalf("got %q", *got)
		}
	})
	t.Run("anchored later", func(t *testing.T) {
		d, got := collect(-1)
		s := rxStream{df: *d}
		for _, i := range []int{3, 4, 5, 1, 2, 0} {
			s.add(segs[i], i == 0, now)
		}
		if msgsString(*got) != msgsString(msgs) {
			t.Fatalf("got %q", *got)
		}
	})
	t.Run("gap given up", func(t *testing.T) {
		d, got := collect(-1)
		s := rxStream{df: *d}
		for _, i := range []int{0, 1, 3, 4, 5} { // segment 2, message "c", lost
			s.add(segs[i], i == 0, now)
		}
		if !s.expire(now.Add(time.Second), time.Minute) || len(*got) != 1 {
			t.Fatalf("gave up too soon: %q", *got)
		}
		s.expire(now.Add(2*time.Minute), time.Minute)
		want := []pipe.Msg{msgs[0], msgs[2], msgs[3]}
		if msgsString(*got) != msgsString(want) || s.Gaps != 1 {
			t.Fatalf("got %q, gaps %d", *got, s.Gaps)
		}
	})
}

// MAXMSGSIZE bounds a whole message (pipe.FrameCost): its frames' bytes, and 64 more for each
// frame past its 64th. A message over it is dropped; the next one comes through.
func TestDeframerMessageLimit(t *testing.T) {
	for _, c := range limittest.Shapes() {
		t.Run(c.Name, func(t *testing.T) {
			next := pipe.Msg{[]byte("next")}
			b, marks := stream([]pipe.Msg{c.Frames, next})
			d, got := collect(limittest.Limit)
			d.write(b, marks[0])
			want := []pipe.Msg{next}
			if c.Fits {
				want = []pipe.Msg{c.Frames, next}
			}
			if msgsString(*got) != msgsString(want) {
				t.Fatalf("got %d messages, want %d", len(*got), len(want))
			}
		})
	}
}
