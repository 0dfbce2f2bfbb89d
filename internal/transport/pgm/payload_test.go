package pgm

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/purezmq/zmq/internal/pipe/limittest"
)

func testMessages(r *rand.Rand, n int) [][][]byte {
	msgs := make([][][]byte, n)
	for i := range msgs {
		parts := 1 + r.IntN(3)
		for j := 0; j < parts; j++ {
			size := r.IntN(40)
			switch r.IntN(10) {
			case 0:
				size = 250 + r.IntN(10) // around the one-byte length limit
			case 1:
				size = 3000 + r.IntN(5000) // spans several packets
			}
			f := make([]byte, size)
			for k := range f {
				f[k] = byte(i + j + k)
			}
			msgs[i] = append(msgs[i], f)
		}
	}
	return msgs
}

func pack(max int, msgs [][][]byte, flushEvery int) [][]byte {
	var apdus [][]byte
	p := newPacker(max, func(b []byte) { apdus = append(apdus, b) })
	for i, m := range msgs {
		p.add(m)
		if flushEvery > 0 && i%flushEvery == 0 {
			p.flush()
		}
	}
	p.flush()
	return apdus
}

func equalMsgs(a, b [][]byte) bool {
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

// Packing then unpacking gives the messages back whole, at every packet size, and a joiner
// that starts at any packet gets a suffix of the messages, starting with a whole one.
func TestPayloadRoundTripAndJoin(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	msgs := testMessages(r, 300)
	for _, max := range []int{3, 17, 300, 1448} {
		msgs := msgs
		if max < 300 {
			msgs = msgs[:60] // a byte or a few per packet: enough to cross every boundary
		}
		for _, flushEvery := range []int{0, 1, 7} {
			apdus := pack(max, msgs, flushEvery)
			for _, a := range apdus {
				if len(a) > max || len(a) <= offsetLen {
					t.Fatalf("max %d: APDU of %d bytes", max, len(a))
				}
			}
			for start := 0; start < len(apdus); start += 1 + len(apdus)/7 {
				u := unpacker{maxMsgSize: -1}
				var got [][][]byte
				for _, a := range apdus[start:] {
					if err := u.feed(a, func(m [][]byte) { got = append(got, m) }); err != nil {
						t.Fatalf("max %d start %d: %v", max, start, err)
					}
				}
				if start == 0 && len(got) != len(msgs) {
					t.Fatalf("max %d flush %d: %d of %d messages", max, flushEvery, len(got), len(msgs))
				}
				first := len(msgs) - len(got)
				for i, m := range got {
					if !equalMsgs(m, msgs[first+i]) {
						t.Fatalf("max %d flush %d start %d: message %d differs", max, flushEvery, start, first+i)
					}
				}
			}
		}
	}
}

// The layout is libzmq's: the offset names the first message start, 0xffff when a packet
// holds only the middle of one, and a v1 frame carries length+1 then flags.
func TestPackerLayout(t *testing.T) {
	apdus := pack(8, [][][]byte{{[]byte("ab"), []byte("c")}, {make([]byte, 20)}, {[]byte("z")}}, 0)
	var got []string
	for _, a := range apdus {
		got = append(got, fmt.Sprintf("%x", a))
	}
	want := []string{
		"0000" + "03016162" + "0200",      // message 1 at 0: "ab" MORE, the header of "c"
		"0001" + "63" + "1500" + "000000", // message 2 starts after "c"
		"ffff" + "000000000000",           // the middle of message 2 only
		"ffff" + "000000000000",
		"0005" + "0000000000" + "02", // message 3 starts after the last 5 bytes of 2
		"ffff" + "007a",              // its flags and body
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("APDUs\n got %q\nwant %q", got, want)
	}
	big := pack(64, [][][]byte{{make([]byte, 300)}}, 0)
	if !bytes.Equal(big[0][:12], []byte{0, 0, 0xff, 0, 0, 0, 0, 0, 0, 1, 0x2d, 0}) {
		t.Fatalf("long frame header % x", big[0][:12])
	}
}

func TestUnpackerRejects(t *testing.T) {
	cases := []struct {
		name string
		apdu []byte
		max  int64
	}{
		{"short TSDU", []byte{0}, -1},
		{"offset past end", []byte{0, 5, 1, 0}, -1},
		{"zero length", []byte{0, 0, 0, 0}, -1},
		{"zero long length", []byte{0, 0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0}, -1},
		{"above limit", []byte{0, 0, 10, 0}, 8},
		{"huge declared", []byte{0, 0, 0xff, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0}, -1},
	}
	for _, c := range cases {
		u := unpacker{maxMsgSize: c.max}
		if err := u.feed(c.apdu, func([][]byte) { t.Fatal("delivered") }); !errors.Is(err, ErrPayload) {
			t.Errorf("%s: %v", c.name, err)
		}
		if c.name != "offset past end" && u.joined {
			t.Errorf("%s: still joined after the error", c.name)
		}
	}
}

// A reset drops the message in progress: after it, only whole messages from the next offset.
func TestUnpackerResetDropsPartial(t *testing.T) {
	msgs := [][][]byte{{[]byte("one"), make([]byte, 50)}, {[]byte("two")}, {[]byte("three")}}
	apdus := pack(20, msgs, 0)
	u := unpacker{maxMsgSize: -1}
	var got [][][]byte
	deliver := func(m [][]byte) { got = append(got, m) }
	if err := u.feed(apdus[0], deliver); err != nil {
		t.Fatal(err)
	}
	u.reset()
	for _, a := range apdus[1:] {
		if err := u.feed(a, deliver); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) == 0 || len(got) > 2 || string(got[len(got)-1][0]) != "three" {
		t.Fatalf("after reset got %q", got)
	}
	for _, m := range got {
		if len(m) != 1 {
			t.Fatalf("partial message delivered: %q", m)
		}
	}
}

func FuzzUnpack(f *testing.F) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, a := range pack(64, testMessages(r, 5), 2) {
		f.Add(a, a)
	}
	f.Add([]byte{0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, []byte{0xff, 0xff, 1})
	// Messages of many empty frames: 70 fit the limit below, 1,100 do not (pipe.FrameCost).
	for _, n := range []int{70, 1100} {
		a := pack(4096, [][][]byte{make([][]byte, n)}, 0)[0]
		f.Add(a, a)
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		u := unpacker{maxMsgSize: 1 << 16, alloc: &frameAlloc{}}
		total := 0
		deliver := func(m [][]byte) {
			if cap(m) != len(m) {
				t.Fatalf("a message's frame list has room for %d frames more: its neighbour's", cap(m)-len(m))
			}
			for _, f := range m {
				total += len(f)
				// A carved frame ends where the next one starts.
				if len(f) <= smallFrame && cap(f) != len(f) {
					t.Fatalf("a %d-byte frame has capacity %d", len(f), cap(f))
				}
			}
		}
		_ = u.feed(a, deliver)
		_ = u.feed(b, deliver)
		if total > len(a)+len(b) {
			t.Fatalf("delivered %d bytes from %d", total, len(a)+len(b))
		}
		if cap(u.frame) > 64<<10 {
			t.Fatalf("frame buffer of %d bytes", cap(u.frame))
		}
	})
}

// MAXMSGSIZE bounds a whole message (pipe.FrameCost): its frames' bytes, and 64 more for each
// frame past its 64th. A message over it resets the stream; the next one comes through.
func TestUnpackerMessageLimit(t *testing.T) {
	for _, c := range limittest.Shapes() {
		t.Run(c.Name, func(t *testing.T) {
			u := unpacker{maxMsgSize: limittest.Limit}
			var got [][][]byte
			var failed bool
			for _, a := range pack(1400, [][][]byte{c.Frames, {[]byte("next")}}, 0) {
				if err := u.feed(a, func(m [][]byte) { got = append(got, m) }); err != nil {
					failed = true
				}
			}
			if c.Fits && (failed || len(got) != 2 || !equalMsgs(got[0], c.Frames)) {
				t.Fatalf("refused (%v) or lost: %d messages", failed, len(got))
			}
			if !c.Fits && (!failed || len(got) > 1 || len(got) == 1 && string(got[0][0]) != "next") {
				t.Fatalf("not refused (%v), or not whole after: %d messages", failed, len(got))
			}
		})
	}
}
