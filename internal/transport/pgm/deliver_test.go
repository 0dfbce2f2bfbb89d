package pgm

import (
	"testing"

	"github.com/purezmq/zmq/internal/allocs"
	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/internal/transport"
)

// TestDeliverKeepsBatch: handing a packet's messages to the socket costs no allocation once
// the batch has grown, however many packets come: the batch must not lose capacity from its
// front delivery after delivery.
func TestDeliverKeepsBatch(t *testing.T) {
	ib := pipe.NewInbox()
	l := transport.Link{In: pipe.New(ib, 0, nil)}
	e := &RecvEngine{}
	e.init()
	msg := [][]byte{[]byte("m")}
	packet := func() {
		for range 8 { // a packet's worth of small messages, as the Receiver appends them
			e.batch = append(e.batch, msg)
		}
		if !e.deliver(l) {
			t.Fatal("deliver stopped")
		}
		for range 8 {
			if _, _, _, ok := ib.Pop(); !ok {
				t.Fatal("a message was not delivered")
			}
		}
	}
	packet() // the batch grows once
	// Counted, not averaged: a batch that lost one slot of capacity a delivery would grow
	// again only every eighth packet, which testing.AllocsPerRun's rounded mean hides.
	if n := allocs.Count(100, packet); n > 3 {
		t.Fatalf("%d allocations in 100 packets delivered, want none (a few of the runtime's own allowed)", n)
	}
}
