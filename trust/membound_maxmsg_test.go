package trust_test

import (
	"context"
	"encoding/binary"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/zmtp"
)

// TestMemboundLargestFrames: a peer sending the largest messages MAXMSGSIZE allows to a PULL
// that never reads costs it RCVHWM of them queued, one decoded and waiting for room, and at
// most one more in buffers a growing body outgrew (kept for the next): (RCVHWM+2) ×
// MAXMSGSIZE, a few times MAXMSGSIZE and no more, however long the peer goes on.
func TestMemboundLargestFrames(t *testing.T) {
	const (
		limit = 4 << 20
		rcvh  = 2
	)
	frame := zmtp.AppendFrame(nil, 0, body(limit)) // the peer's own memory, before the baseline
	pull := newSocket(t, zmq.PULL, zmq.WithMaxMsgSize(limit), zmq.WithRecvHWM(rcvh))
	addr := bindTCP(t, pull)
	base := measure(t)
	c := rawDial(t, addr, "PUSH")
	sent := 0
	for ; ; sent++ {
		_ = c.SetWriteDeadline(time.Now().Add(stall))
		if _, err := c.Write(frame); err != nil {
			if !isTimeout(err) {
				t.Fatalf("the PULL hung up after %d messages: %v", sent, err)
			}
			break
		}
	}
	got := measure(t)
	formula := int64(rcvh+2)*limit + connQuietHeap
	grew := got.heap - base.heap
	t.Logf("largest messages (MAXMSGSIZE %d MiB) to a PULL that never reads, RCVHWM %d: %d written before the peer stalled; heap +%s, RSS +%s; formula (RCVHWM+2)×MAXMSGSIZE + 1 connection = %s",
		limit>>20, rcvh, sent, mib(grew), mib(got.rss-base.rss), mib(formula))
	if !within(grew, formula) {
		t.Errorf("heap grew %s, over the bound %s × %.2f + %s", mib(grew), mib(formula), tolFactor, mib(tolSlack))
	}
	if !raceEnabled && !within(got.rss-base.rss, formula) {
		t.Errorf("RSS grew %s, over the bound %s × %.2f + %s", mib(got.rss-base.rss), mib(formula), tolFactor, mib(tolSlack))
	}
}

// TestMemboundDeclaredNotSent: without MAXMSGSIZE, a frame header declaring a big body costs
// what has arrived, not what it declares: 200 peers that each send a whole message, then a
// header declaring 4 MiB and 12 bytes of it, cost 200 quiet connections and a first body
// buffer each (64 KiB, about one read buffer). Issue 10 defect 3: this failed on the code
// before the fix (4 MiB each, 800 MiB in all).
func TestMemboundDeclaredNotSent(t *testing.T) {
	const (
		peers    = 200
		declared = 4 << 20
		bigStart = 64 << 10 // the engine's first buffer for a big body
	)
	pull := newSocket(t, zmq.PULL)
	addr := bindTCP(t, pull)
	base := measure(t)
	b := zmtp.AppendFrame(nil, 0, []byte("whole"))
	b = binary.BigEndian.AppendUint64(append(b, zmtp.FlagLong), declared)
	b = append(b, make([]byte, 12)...)
	for range peers {
		c := rawDial(t, addr, "PUSH")
		if _, err := c.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	// Each connection reads its header with the whole message before it (one write), and
	// takes its body's buffer right after delivering that message.
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	for i := range peers {
		if _, err := pull.Recv(ctx); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	got := measure(t)
	formula := int64(peers) * (connQuietHeap + bigStart)
	grew := got.heap - base.heap
	t.Logf("%d peers each declaring a %d MiB frame and sending 12 bytes of it: heap +%s, RSS +%s; formula peers × (quiet connection + 64 KiB) = %s",
		peers, declared>>20, mib(grew), mib(got.rss-base.rss), mib(formula))
	if !within(grew, formula) {
		t.Errorf("heap grew %s, over the bound %s × %.2f + %s", mib(grew), mib(formula), tolFactor, mib(tolSlack))
	}
	if !raceEnabled && !within(got.rss-base.rss, formula) {
		t.Errorf("RSS grew %s, over the bound %s × %.2f + %s", mib(got.rss-base.rss), mib(formula), tolFactor, mib(tolSlack))
	}
}

// TestMemboundEmptyFrames: MAXMSGSIZE bounds a message of empty frames too. An empty frame is
// two bytes on the wire and its slot in a frame list costs more than ten times that, so a peer
// sending one message of endless empty frames grew the socket without bound, whatever the
// limit (4.4 million frames, 8.9 MB written: heap +169 MiB with a 1 MiB limit). Past a
// message's first 64 frames each counts 64 bytes against the limit: the peer is disconnected
// with ErrMsgTooLarge once its message's frames pass it, having cost about the limit.
func TestMemboundEmptyFrames(t *testing.T) {
	const limit = 1 << 20
	pull := newSocket(t, zmq.PULL, zmq.WithMaxMsgSize(limit))
	addr := bindTCP(t, pull)
	ev := watch(t, pull)
	var chunk []byte // the peer's own memory, before the baseline
	for range 1 << 16 {
		chunk = zmtp.AppendFrame(chunk, zmtp.FlagMore, nil)
	}
	base := measure(t)
	c := rawDial(t, addr, "PUSH")
	sent := 0
	for ; sent < 1000; sent++ { // 65.5 million frames, 131 MB, if nothing stops the peer
		_ = c.SetWriteDeadline(time.Now().Add(stall))
		if _, err := c.Write(chunk); err != nil {
			break // hung up on, or stalled
		}
	}
	ev.waitFor(t, zmq.EventDisconnected, 1, waitLong)
	got := measure(t)
	formula := int64(2*limit) + connQuietHeap
	grew := got.heap - base.heap
	t.Logf("a message of empty frames to a PULL with MAXMSGSIZE %d MiB: %d × 65,536 frames written; heap +%s; formula 2×MAXMSGSIZE + 1 connection = %s",
		limit>>20, sent, mib(grew), mib(formula))
	if !within(grew, formula) {
		t.Errorf("heap grew %s, over the bound %s × %.2f + %s", mib(grew), mib(formula), tolFactor, mib(tolSlack))
	}
	if ev.endedWith(zmq.ErrMsgTooLarge) != 1 {
		t.Errorf("the peer's connection did not end with ErrMsgTooLarge: %s", ev.recent())
	}
}
