package trust_test

import (
	"bytes"
	"context"
	"fmt"
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

// TestMemboundSubscriptionFlood: what one subscriber's subscriptions cost its publisher is
// bounded by MAX_SUBSCRIPTION_BYTES (16 MiB by default), each counted as its topic's bytes
// and 256 more. A raw peer subscribes to as many distinct topics as the limit admits: the
// publisher's heap grows by no more than the limit says, so the count is an honest bound on
// the memory. One more and the peer is disconnected (ErrSubscriptionLimit) and its
// subscriptions let go. Before the limit, a peer could grow them without bound.
func TestMemboundSubscriptionFlood(t *testing.T) {
	const topicLen = 16
	topic := func(i int) []byte { return fmt.Appendf(nil, "topic-%010d", i) }
	xpub := newSocket(t, zmq.XPUB)
	limit := xpub.MaxSubscriptionBytes()
	n := int(limit / (topicLen + 256))
	var wire []byte // the peer's own memory, made before the baseline
	var ends []int  // where each subscription's frame ends in wire
	for i := range n + 1 {
		wire = zmtp.AppendFrame(wire, 0, append([]byte{1}, topic(i)...))
		ends = append(ends, len(wire))
	}
	addr := bindTCP(t, xpub)
	ev := watch(t, xpub)
	base := measure(t)
	c := rawDial(t, addr, "SUB")
	wrote := make(chan error, 1)
	go func() { _, err := c.Write(wire[:ends[n-1]]); wrote <- err }()
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	for i := range n {
		m, err := xpub.Recv(ctx) // each a first subscription to its topic: the XPUB passes it on
		if err != nil {
			t.Fatalf("subscription %d of %d: %v", i, n, err)
		}
		if want := append([]byte{1}, topic(i)...); !bytes.Equal(m.Frames[0], want) {
			t.Fatalf("subscription %d is %q, want %q", i, m.Frames[0], want)
		}
	}
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
	grew := measure(t).heap - base.heap
	formula := limit + connQuietHeap
	t.Logf("%d subscriptions of %d bytes: heap +%s, formula %s", n, topicLen, mib(grew), mib(formula))
	if !within(grew, formula) {
		t.Errorf("heap grew %s, over the bound %s × %.2f + %s", mib(grew), mib(formula), tolFactor, mib(tolSlack))
	}
	if got := ev.endedWith(zmq.ErrSubscriptionLimit); got != 0 {
		t.Fatalf("disconnected within the limit (%d times)", got)
	}
	if _, err := c.Write(wire[ends[n-1]:]); err != nil {
		t.Fatal(err)
	}
	if !ev.await(func() bool { return ev.endedWith(zmq.ErrSubscriptionLimit) == 1 }, waitLong) {
		t.Fatalf("one subscription past the limit: the peer is not disconnected for it (events: %s)", ev.recent())
	}
	// The XPUB reports each topic the peer held as unsubscribed (libzmq's behaviour): all n,
	// and not the one it refused, which it never reported.
	seen := map[string]bool{}
	for range n {
		m, err := xpub.Recv(ctx)
		if err != nil {
			t.Fatalf("after %d unsubscriptions: %v", len(seen), err)
		}
		f := m.Frames[0]
		if f[0] != 0 || seen[string(f[1:])] {
			t.Fatalf("%q after %d unsubscriptions: want each topic once, unsubscribed", f, len(seen))
		}
		seen[string(f[1:])] = true
	}
	if seen[string(topic(n))] {
		t.Errorf("the refused subscription %q was reported unsubscribed", topic(n))
	}
	if left := measure(t).heap - base.heap; left > tolSlack {
		t.Errorf("heap %s above the baseline after the peer left: its subscriptions are still held", mib(left))
	}
}
