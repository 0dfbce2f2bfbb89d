package zmq_test

import (
	"bytes"
	"fmt"
	"testing"

	zmq "github.com/purezmq/zmq"
)

// Fan-out: a publisher queues one message to every connection and a copy of its own to each
// inproc subscriber, whose application owns what it receives. These tests pin what that must
// not break. The publisher is an XPUB_VERBOSE one (PUB's path, plus subscriptions to read), so
// each test waits for the subscriptions it needs by reading them, not by polling.

// awaitSubs reads n subscriptions from an XPUB_VERBOSE pub: once read, they are in its trie.
func awaitSubs(t testing.TB, pub *zmq.Socket, n int) {
	t.Helper()
	for range n {
		if m := recvWithin(t, pub, waitLong); len(m.Frames[0]) == 0 || m.Frames[0][0] != 1 {
			t.Fatalf("XPUB received %s, want a subscription", fmtFrames(m.Frames))
		}
	}
}

// fanoutMsg is the i-th message of a stream: a topic and up to two frames of varied sizes,
// big ones (written by writev, pooled on receipt) among them.
func fanoutMsg(i int) [][]byte {
	m := [][]byte{fmt.Appendf(nil, "msg-%05d", i)}
	for j := range i % 3 {
		size := []int{0, 10, 200, 9000}[(i+j)%4]
		m = append(m, bytes.Repeat([]byte{byte(i + j)}, size))
	}
	return m
}

// Every subscriber, over tcp, ipc and inproc on one publisher, gets every message once and in
// order while under its HWM, though three of its subscriptions match each one.
func TestPubFanoutMixedTransportsInOrder(t *testing.T) {
	const count = 500 // under every HWM: nothing may drop
	pub := newSocket(t, zmq.XPUB, zmq.WithXPubVerbose(true), zmq.WithSendHWM(1000))
	var subs []*zmq.Socket
	for _, tr := range transports {
		ep := bind(t, pub, tr.wildcard())
		for range 2 {
			s := newSocket(t, zmq.SUB, zmq.WithRecvHWM(1000))
			subscribe(t, s, "", "m", "msg-")
			connect(t, s, ep)
			subs = append(subs, s)
		}
	}
	awaitSubs(t, pub, 3*len(subs))
	for i := range count {
		send(t, pub, fanoutMsg(i)...)
	}
	for _, s := range subs {
		for i := range count {
			expectRecv(t, s, fanoutMsg(i)...)
		}
		expectNoMsg(t, s, waitShort/10)
	}
}

// INVERT_MATCHING sends a message to the subscribers none of whose prefixes match it, once
// each, whatever the transport.
func TestPubFanoutInvertMatching(t *testing.T) {
	pub := newSocket(t, zmq.XPUB, zmq.WithXPubVerbose(true), zmq.WithInvertMatching(true))
	var subs []*zmq.Socket
	for _, tr := range transports {
		s := newSocket(t, zmq.SUB, zmq.WithInvertMatching(true))
		subscribe(t, s, "a", "ab")
		connect(t, s, bind(t, pub, tr.wildcard()))
		subs = append(subs, s)
	}
	awaitSubs(t, pub, 2*len(subs))
	for _, m := range []string{"abc", "zzz", "a", "b", "end"} {
		sendString(t, pub, m)
	}
	for _, s := range subs {
		for _, want := range []string{"zzz", "b", "end"} {
			expectRecvString(t, s, want)
		}
		expectNoMsg(t, s, waitShort/10)
	}
}

// A subscriber at its HWM misses what comes meanwhile; the others do not. Over inproc the
// credit is exact (SNDHWM + RCVHWM), so which messages the full one gets is known.
func TestPubFanoutDropsOnlyForTheFull(t *testing.T) {
	const hwm, count = 5, 50
	pub := newSocket(t, zmq.XPUB, zmq.WithXPubVerbose(true), zmq.WithSendHWM(hwm))
	ep := bind(t, pub, inprocName())
	full := newSocket(t, zmq.SUB, zmq.WithRecvHWM(hwm))
	roomy := newSocket(t, zmq.SUB, zmq.WithRecvHWM(1000))
	wire := newSocket(t, zmq.SUB, zmq.WithRecvHWM(1000))
	for _, s := range []*zmq.Socket{full, roomy} {
		subscribe(t, s, "")
		connect(t, s, ep)
	}
	subscribe(t, wire, "")
	connect(t, wire, bind(t, pub, "tcp://127.0.0.1:*"))
	awaitSubs(t, pub, 3)
	for i := range count {
		send(t, pub, fanoutMsg(i)...)
		if i < 2*hwm {
			// The wire subscriber keeps up, so its SNDHWM of 5 never fills.
			expectRecv(t, wire, fanoutMsg(i)...)
		}
	}
	for i := range count {
		expectRecv(t, roomy, fanoutMsg(i)...)
	}
	for i := range 2 * hwm {
		expectRecv(t, full, fanoutMsg(i)...)
	}
	expectNoMsg(t, full, waitShort/10)
}

// An inproc subscriber's application owns what it receives: changing it, or recycling it into
// its socket's pool (where a later big frame is read into it), never shows in what another
// subscriber receives, over inproc or over a connection.
func TestPubFanoutInprocReceiverOwnsItsFrames(t *testing.T) {
	for _, c := range []struct {
		name    string
		recycle bool // recycle instead of writing over the frames
		wire    bool // a tcp subscriber too
	}{
		{"mutate/inproc", false, false},
		{"mutate/inproc+tcp", false, true},
		{"recycle/inproc", true, false},
		{"recycle/inproc+tcp", true, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			pub := newSocket(t, zmq.XPUB, zmq.WithXPubVerbose(true))
			ep := bind(t, pub, inprocName())
			a, b := newSocket(t, zmq.SUB), newSocket(t, zmq.SUB)
			receivers := []*zmq.Socket{b}
			for _, s := range []*zmq.Socket{a, b} {
				subscribe(t, s, "")
				connect(t, s, ep)
			}
			if c.wire {
				w := newSocket(t, zmq.SUB)
				subscribe(t, w, "")
				connect(t, w, bind(t, pub, "tcp://127.0.0.1:*"))
				receivers = append(receivers, w)
			}
			awaitSubs(t, pub, 1+len(receivers))
			// a also hears another publisher over tcp, whose big frames it reads into
			// buffers from its pool.
			other := newSocket(t, zmq.XPUB, zmq.WithXPubVerbose(true))
			subscribe(t, a, "")
			connect(t, a, bind(t, other, "tcp://127.0.0.1:*"))
			awaitSubs(t, other, 1)

			x := [][]byte{[]byte("x"), bytes.Repeat([]byte("x"), 16<<10), bytes.Repeat([]byte("X"), 100)}
			// x is the library's once sent: compare with a copy.
			want := [][]byte{bytes.Clone(x[0]), bytes.Clone(x[1]), bytes.Clone(x[2])}
			send(t, pub, x...)
			got := expectRecv(t, a, want...)
			if c.recycle {
				a.Recycle(got)
				y := [][]byte{[]byte("y"), bytes.Repeat([]byte("y"), 16<<10), bytes.Repeat([]byte("Y"), 100)}
				send(t, other, y...)
				expectRecv(t, a, y[0], y[1], y[2])
			} else {
				for _, f := range got.Frames {
					for i := range f {
						f[i] = '!'
					}
				}
			}
			for _, r := range receivers {
				expectRecv(t, r, want...)
			}
		})
	}
}
