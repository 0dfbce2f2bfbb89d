package engine

import (
	"bytes"
	"encoding/binary"
	"runtime"
	"slices"
	"testing"
	"time"
	"unsafe"

	"github.com/purezmq/zmq/zmtp"
)

// slabFrameSize makes 65 messages to a full slab, carved at the same offsets in each.
const slabFrameSize = 1000

// slabFrame is the body of small message i: its number, then filler that is never zero;
// every message takes the same room in a slab.
func slabFrame(i int) []byte {
	b := bytes.Repeat([]byte{byte(i) | 1}, slabFrameSize)
	binary.BigEndian.PutUint64(b, uint64(i))
	return b
}

func frameAddr(f []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(f))) }

// TestSlabsComeBack: the slabs a busy connection carves small frames from come back once the
// application dropped every frame carved from them, and later frames are carved from them
// again (a new slab is all zeros, one that came back holds the frames carved from it before);
// a slab that a kept frame still reaches is never carved again, and the kept frame keeps its
// bytes however many slabs come and go.
func TestSlabsComeBack(t *testing.T) {
	c, tc, sink := trickled()
	const batch = 4 * slabSize / slabFrameSize // four full slabs of messages
	var (
		next   int
		kept   = map[int][]byte{}  // of the first batch, every 200th frame, held to the end
		pinned = map[uintptr]int{} // where kept ones were carved
	)
	deadline := time.Now().Add(20 * time.Second)
	for rounds := -1; rounds != 0; rounds-- { // until 8 batches after the first slab came back
		if time.Now().After(deadline) {
			t.Fatal("the connection still allocates its slabs")
		}
		for range batch {
			tc.data = zmtp.AppendFrame(tc.data, 0, slabFrame(next))
			next++
		}
		first := next - batch
		sink.msgs = sink.msgs[:0]
		step(t, c)
		if len(sink.msgs) != batch {
			t.Fatalf("got %d messages, want %d", len(sink.msgs), batch)
		}
		for j, m := range sink.msgs {
			i := first + j
			if !bytes.Equal(m[0], slabFrame(i)) {
				t.Fatalf("message %d: %x", i, m[0][:8])
			}
			a := frameAddr(m[0])
			if k, ok := pinned[a]; ok {
				t.Fatalf("message %d carved where kept message %d is", i, k)
			}
			if i < batch && i%200 == 0 {
				kept[i] = m[0] // not m: its list is carved from one its neighbours share
				pinned[a] = i
			}
		}
		clear(sink.msgs)
		if rounds < 0 && slices.ContainsFunc(c.dec.slab[c.dec.slabOff:], func(b byte) bool { return b != 0 }) {
			rounds = 9 // the slab being carved came back
		}
		runtime.GC() // the slabs' finalizers run after it, on their own goroutine
	}
	for i, f := range kept {
		if !bytes.Equal(f, slabFrame(i)) {
			t.Fatalf("kept message %d changed: %x", i, f[:8])
		}
	}
}
