package trust_test

import (
	"context"
	"testing"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/zmtp"
)

// TestMemboundLongSubscription: a subscriber's subscription costs its publisher memory in
// proportion to its length, and its departure is handled as fast as any other. A raw peer
// subscribes to one 4 MiB topic: the publisher's subscriptions then hold about 4 MiB (plus
// the read buffers the frame came in, which the socket keeps for the next big one). They held
// a node of a few hundred bytes per byte of topic (1.2 GB here; a 2 MB topic in the live-socket
// fuzzer took seconds to drop at its disconnect), and dropping them recursed a frame per byte,
// which at about 4 M bytes outgrows a goroutine's maximum stack: a fatal error, the process
// gone.
func TestMemboundLongSubscription(t *testing.T) {
	const size = 4 << 20
	sub := zmtp.AppendSubscribe(nil, body(size)) // the peer's own memory, before the baseline
	xpub := newSocket(t, zmq.XPUB)
	addr := bindTCP(t, xpub)
	ev := newEvents()
	ev.add(xpub, "")
	base := measure(t)
	c := rawDial(t, addr, "SUB")
	if _, err := c.Write(sub); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	m, err := xpub.Recv(ctx) // in the trie by now
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Frames[0]) != size+1 {
		t.Fatalf("a subscription of %d bytes, want %d", len(m.Frames[0])-1, size)
	}
	xpub.Recycle(m) // the frame's buffer goes back to the socket's pool, counted in the bound
	got := measure(t)
	grew := got.heap - base.heap
	formula := int64(3*size) + connQuietHeap // the topic's copy, its frame's buffer and what it outgrew
	t.Logf("one %d MiB subscription: heap +%s, formula %s", size>>20, mib(grew), mib(formula))
	if !within(grew, formula) {
		t.Errorf("heap grew %s, over the bound %s × %.2f + %s", mib(grew), mib(formula), tolFactor, mib(tolSlack))
	}
	down := ev.count(zmq.EventDisconnected)
	c.Close()
	ev.waitFor(t, zmq.EventDisconnected, down+1, waitLong)
}
