package zmq_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"runtime"
	"testing"

	zmq "github.com/purezmq/zmq"
)

// Big frames a receiver drops come back to its socket once unreachable, and later frames are
// read into them (internal/pipe/reclaim.go). The tests here hold the application's side of
// that bargain: what it keeps, whole or as a sub-slice, stays its own.

// keptShapes are the frame sizes of the messages sent, in turn: bodies carved from the read
// buffer, read straight into their own buffer, grown as they arrive, and a message of several.
var keptShapes = [][]int{{8<<10 + 3}, {33 << 10}, {64 << 10}, {64 << 10}, {100_000}, {200 << 10}, {40 << 10, 70 << 10, 5}}

// keptFrame is frame j of message i, n bytes: eight at a time from a mix of i, j and the offset,
// so that no two messages' frames agree for long, and frame 0 starts with i, so that a message
// names itself whichever peer it came from.
func keptFrame(i, j, n int) []byte {
	f := make([]byte, n+7)
	for k := 0; k < n; k += 8 {
		x := uint64(i)<<40 ^ uint64(j)<<32 ^ uint64(k)
		x *= 0x9e3779b97f4a7c15
		binary.LittleEndian.PutUint64(f[k:], x^x>>29)
	}
	if j == 0 {
		binary.BigEndian.PutUint32(f, uint32(i))
	}
	return f[:n:n]
}

func keptMessage(i int) [][]byte { return shapedMessage(i, keptShapes[i%len(keptShapes)]) }

// shapedMessage is message i with frames of the sizes shape gives (keptFrame).
func shapedMessage(i int, shape []int) [][]byte {
	m := make([][]byte, len(shape))
	for j, n := range shape {
		m[j] = keptFrame(i, j, n)
	}
	return m
}

// kept is part of a received frame the receiver holds on to: f is frame j of message i from
// byte off on.
type kept struct {
	i, j, off int
	f         []byte
}

// keptWhole is every frame of message i, kept whole.
func keptWhole(i int, frames [][]byte) []kept {
	k := make([]kept, len(frames))
	for j, f := range frames {
		k[j] = kept{i, j, 0, f}
	}
	return k
}

func (k kept) check() error {
	want := keptFrame(k.i, k.j, k.off+len(k.f))[k.off:]
	if !bytes.Equal(k.f, want) {
		return fmt.Errorf("message %d frame %d from byte %d has changed", k.i, k.j, k.off)
	}
	return nil
}

// TestKeptFramesIntact: a receiver keeps some messages whole and sub-slices of others, drops
// the rest, and collects garbage as it goes; after many more messages every byte it kept is
// still what was sent. With one peer the receiver's Recv reads the connection itself; with
// two, the connections' goroutines do.
func TestKeptFramesIntact(t *testing.T) {
	keepStream(t, 200, 16, keptMessage, func(i int, frames [][]byte) []kept {
		f0, last := frames[0], frames[len(frames)-1]
		switch {
		case i%7 == 0:
			return keptWhole(i, frames)
		case i%5 == 0:
			off := len(f0) / 3
			return []kept{{i, 0, off, f0[off : off+64]}}
		case i%11 == 0:
			off := len(last) - 3
			return []kept{{i, len(frames) - 1, off, last[off:]}}
		}
		return nil
	})
}

// smallShape is the frame sizes of small message i: one to three frames of up to 2,000 bytes,
// carved from the connection's slabs (the first at least 4 bytes, for the message's number).
func smallShape(i int) []int {
	shape := []int{4 + i*7919%1997}
	for j := range i % 3 {
		shape = append(shape, (i+j)*104729%2001)
	}
	return shape
}

// TestKeptSmallFramesIntact: as TestKeptFramesIntact for small messages, many slabs' worth,
// whose slabs come back to the process's pool (internal/pipe/slabs.go) once no frame carved
// from them is reachable: what the receiver keeps, whole or as a sub-slice, is never carved
// again.
func TestKeptSmallFramesIntact(t *testing.T) {
	message := func(i int) [][]byte { return shapedMessage(i, smallShape(i)) }
	keepStream(t, 20_000, 500, message, func(i int, frames [][]byte) []kept {
		switch f0 := frames[0]; {
		case i%701 == 0:
			return keptWhole(i, frames)
		case i%503 == 0:
			return []kept{{i, 0, len(f0) / 2, f0[len(f0)/2:]}}
		}
		return nil
	})
}

// keepStream sends n messages (message(i), frame 0 starting with i) from one PUSH and from two
// to a PULL, over every wire transport; the receiver checks each, holds on to what keep picks
// from it, drops the rest and collects garbage every gcEvery messages; at the end everything it
// held must still be what was sent.
func keepStream(t *testing.T, n, gcEvery int, message func(i int) [][]byte, keep func(i int, frames [][]byte) []kept) {
	for _, peers := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d peers", peers), func(t *testing.T) {
			forEachWireTransport(t, func(t *testing.T, tr transport) {
				pull := newSocket(t, zmq.PULL)
				ep := bind(t, pull, tr.wildcard())
				pushes := make([]*zmq.Socket, peers)
				for p := range pushes {
					pushes[p] = newSocket(t, zmq.PUSH)
					connect(t, pushes[p], ep)
				}
				sent := make(chan error, 1)
				go func() {
					ctx, cancel := within(waitLong)
					defer cancel()
					for i := range n {
						if err := pushes[i%peers].Send(ctx, zmq.NewMsg(message(i)...)); err != nil {
							sent <- fmt.Errorf("send %d: %w", i, err)
							return
						}
					}
					sent <- nil
				}()
				var held []kept
				seen := make([]bool, n)
				for r := range n {
					m := recvWithin(t, pull, waitLong)
					i := int(binary.BigEndian.Uint32(m.Frames[0]))
					if i >= n || seen[i] {
						t.Fatalf("receive %d: message %d again, or unknown", r, i)
					}
					seen[i] = true
					if d := framesDiff(m.Frames, message(i)); d != "" {
						t.Fatalf("message %d as received: %s", i, d)
					}
					held = append(held, keep(i, m.Frames)...)
					if r%gcEvery == gcEvery-1 {
						runtime.GC()
					}
				}
				if err := <-sent; err != nil {
					t.Fatal(err)
				}
				for range 3 {
					runtime.GC()
				}
				for _, k := range held {
					if err := k.check(); err != nil {
						t.Fatalf("kept: %v", err)
					}
				}
			})
		})
	}
}

// TestDroppedFramesReadAgain: a receiver that drops each big message once it has looked at it,
// and whose program collects garbage now and then, has later messages read into the memory of
// the ones it dropped instead of allocating a body per message.
func TestDroppedFramesReadAgain(t *testing.T) {
	const (
		size  = 64 << 10
		count = 256
		cycle = 16 // messages between collections
	)
	for _, tr := range wireTransports { // one at a time: the heap's figures are the process's
		t.Run(tr.name, func(t *testing.T) {
			pull, push, _ := directPair(t, tr)
			payload := keptFrame(0, 0, size)
			stream := func(count int) {
				for r := range count {
					send(t, push, payload)
					m := recvWithin(t, pull, waitLong)
					if f := m.Frames[0]; len(f) != size || f[size-1] != payload[size-1] {
						t.Fatalf("message %d is not what was sent", r)
					}
					if r%cycle == cycle-1 {
						runtime.GC()
					}
				}
			}
			stream(4 * cycle) // the connection's buffers settle
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			stream(count)
			runtime.ReadMemStats(&after)
			got, limit := after.TotalAlloc-before.TotalAlloc, uint64(count*size/8)
			t.Logf("%d bytes allocated", got)
			if got > limit {
				t.Fatalf("receiving %d messages of %d bytes allocated %d bytes, want at most %d", count, size, got, limit)
			}
		})
	}
}
