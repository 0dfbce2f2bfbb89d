package pgm

import (
	"bytes"
	"testing"
)

// fakeBufs is a socket's pool holding one recycled buffer.
type fakeBufs struct {
	buf []byte
}

func (f *fakeBufs) TakeBuffer(n int) []byte {
	if len(f.buf) < n {
		return nil
	}
	b := f.buf[:n]
	f.buf = nil
	return b
}

// Carved frames and lists are the message's own, for messages of one frame and of several:
// appending to one never reaches another.
func TestCarvedFramesAreOwn(t *testing.T) {
	var got [][][]byte
	u := unpacker{maxMsgSize: -1, alloc: &frameAlloc{}}
	pk := newPacker(1400, func(apdu []byte) {
		if err := u.feed(append([]byte(nil), apdu...), func(m [][]byte) { got = append(got, m) }); err != nil {
			t.Fatal(err)
		}
	})
	var want [][][]byte
	for i := range 200 {
		m := [][]byte{bytes.Repeat([]byte{byte(i)}, i%50), []byte("x")}
		if i%2 == 0 {
			m = m[:1] // one frame: the unpacker's fast path
		}
		want = append(want, m)
		pk.add(m)
	}
	pk.flush()
	if len(got) != len(want) {
		t.Fatalf("got %d messages, want %d", len(got), len(want))
	}
	for i := range got {
		got[i] = append(got[i], []byte("more"))         // a list of its own
		got[i][0] = append(got[i][0], 0xee, 0xee, 0xee) // a frame of its own
	}
	for i, m := range got {
		if len(m) != len(want[i])+1 || !bytes.Equal(m[0][:len(want[i][0])], want[i][0]) ||
			len(want[i]) > 1 && !bytes.Equal(m[1], want[i][1]) {
			t.Fatalf("message %d changed by its neighbours' appends: %q", i, m)
		}
	}
}

// A big frame goes into a recycled buffer.
func TestBigFrameTakesRecycledBuffer(t *testing.T) {
	bufs := &fakeBufs{buf: make([]byte, 10000)}
	recycled := &bufs.buf[0]
	u := unpacker{maxMsgSize: -1, alloc: &frameAlloc{bufs: bufs}}
	var got [][]byte
	pk := newPacker(1400, func(apdu []byte) {
		if err := u.feed(append([]byte(nil), apdu...), func(m [][]byte) { got = m }); err != nil {
			t.Fatal(err)
		}
	})
	body := bytes.Repeat([]byte("0123456789"), 900)
	pk.add([][]byte{body})
	pk.flush()
	if len(got) != 1 || !bytes.Equal(got[0], body) {
		t.Fatalf("got %d frames", len(got))
	}
	if &got[0][0] != recycled {
		t.Error("the 9000-byte frame did not go into the recycled buffer")
	}
}

// TestReceiveAllocs: small messages cost a receiver an allocation per slab or list, not two per
// message; packets that come early, a copy into a spare buffer, not a new one each.
func TestReceiveAllocs(t *testing.T) {
	const n = 2000
	pkts := odataStream(t, n, 100)
	order := make([]int, len(pkts))
	for i := range order {
		order[i] = i
	}
	for name, o := range map[string][]int{"in order": order, "every other early": swapped(len(pkts))} {
		if per := testing.AllocsPerRun(5, func() { receiveAll(pkts, o) }) / n; per > 0.05 {
			t.Errorf("%s: %.2f allocations per 100-byte message, want at most 0.05", name, per)
		}
	}
}
