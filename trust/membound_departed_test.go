package trust_test

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"sync"
	"testing"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/zmtp"
)

// TestMemboundDepartedPeers: peers that connect, send a little less than RCVHWM and leave,
// one after another, to a PULL that never reads. What a departed peer sent stays queued for
// the application (as libzmq: nothing a peer sent before it left is lost), but each new
// connection came with credit of its own, so the queue grew by RCVHWM messages a peer, without
// bound. Now the messages departed peers left count against one RCVHWM for them all: once
// they reach it, no connection gets credit until the application has read them down to half.
// The socket then holds about two RCVHWM of departed peers' messages (the last one to leave
// may take them one RCVHWM over) and, for each connection held off, one message decoded and
// waiting for room; the rest waits in the kernel's socket buffers. Once the application reads,
// everything arrives, each peer's messages in order.
func TestMemboundDepartedPeers(t *testing.T) {
	const (
		rounds = 6
		each   = rcvHWM - 1
	)
	pull := newSocket(t, zmq.PULL, zmq.WithRecvHWM(rcvHWM))
	addr := bindTCP(t, pull)
	ev := watch(t, pull)
	base := measure(t)

	var writers sync.WaitGroup
	t.Cleanup(writers.Wait) // after the connections' cleanups, which end a peer held off
	// Peers whose messages were all taken and whose departure the socket saw.
	through := 0
	for r := range rounds {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		writers.Go(func() {
			// A peer held off blocks here until the application reads. It leaves with a FIN,
			// not a reset: it reads what the socket sent until the socket hangs up.
			_ = departingPeer(c, r, each)
			_ = c.(*net.TCPConn).CloseWrite()
			_, _ = io.Copy(io.Discard, c)
		})
		ev.waitFor(t, zmq.EventHandshakeSucceeded, r+1, waitLong)
		// A peer whose messages the socket takes leaves at once; one held off cannot: waiting
		// for its departure a while and giving up measures no more than was held.
		if ev.await(func() bool { return ev.count(zmq.EventDisconnected) > r }, stall) {
			through++
		}
	}
	got := measure(t)
	held := rounds - through
	formula := int64(2*rcvHWM)*hwmSize + int64(held)*(connQuietHeap+2*hwmSize)
	grew := got.heap - base.heap
	t.Logf("%d peers each sending %d messages of %d KiB and leaving, RCVHWM %d, the PULL not reading: %d went, %d held off; heap +%s; formula 2×RCVHWM×size + held × (C + 2×size) = %s",
		rounds, each, hwmSize>>10, rcvHWM, through, held, mib(grew), mib(formula))
	if !within(grew, formula) {
		t.Errorf("heap grew %s, over the bound %s × %.2f + %s", mib(grew), mib(formula), tolFactor, mib(tolSlack))
	}
	if held == 0 {
		t.Errorf("every peer's messages were taken while the application read none")
	}

	// Nothing is lost: reading lets the peers held off in, and every message arrives, each
	// peer's in order.
	next := make([]int, rounds)
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	for n := range rounds * each {
		m, err := pull.Recv(ctx)
		if err != nil {
			t.Fatalf("after %d messages: %v (%s)", n, err, ev.recent())
		}
		f := m.Frames[0]
		r, seq := int(binary.BigEndian.Uint32(f)), int(binary.BigEndian.Uint32(f[4:]))
		if r >= rounds || seq != next[r] {
			t.Fatalf("message %d of peer %d, expected %d", seq, r, next[min(r, rounds-1)])
		}
		next[r]++
	}
	ev.waitFor(t, zmq.EventDisconnected, rounds, waitLong)
}

// departingPeer writes what a raw PUSH peer sends before it leaves: its greeting and READY,
// then n messages of hwmSize bytes, each starting with its peer's number and its own. It
// holds one message at a time: the test's memory is measured with the socket's.
func departingPeer(c net.Conn, peer, n int) error {
	if _, err := c.Write(greetReady("PUSH")); err != nil {
		return err
	}
	msg := make([]byte, hwmSize)
	binary.BigEndian.PutUint32(msg, uint32(peer))
	frame := make([]byte, 0, hwmSize+16)
	for i := range n {
		binary.BigEndian.PutUint32(msg[4:], uint32(i))
		if _, err := c.Write(zmtp.AppendFrame(frame[:0], 0, msg)); err != nil {
			return err
		}
	}
	return nil
}
