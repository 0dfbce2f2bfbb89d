package zmq_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/zmtp"
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
// order while under its HWM, though three of its subscriptions match each one; and so with
// connections alone, whose queues all hold runs of the publisher's log (a send goes to each as
// the trie finds it).
func TestPubFanoutMixedTransportsInOrder(t *testing.T) {
	t.Run("all", func(t *testing.T) { testPubFanoutInOrder(t, transports) })
	t.Run("connections", func(t *testing.T) { testPubFanoutInOrder(t, transports[:2]) })
}

func testPubFanoutInOrder(t *testing.T, trs []transport) {
	const count = 500 // under every HWM: nothing may drop
	pub := newSocket(t, zmq.XPUB, zmq.WithXPubVerbose(true), zmq.WithSendHWM(1000))
	var subs []*zmq.Socket
	for _, tr := range trs {
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

// Subscribers that fall behind a fast publisher lose messages at their HWM, each its own ones,
// and still get what they get once, in order, intact and matching their subscriptions, while
// their connections share every message sent (they hold runs of the publisher's log: a message
// one does not take, filtered out or dropped, breaks its run and no other's).
func TestPubFanoutSlowSubscribersGetOrderedSubsets(t *testing.T) {
	const count = 5000
	pub := newSocket(t, zmq.XPUB, zmq.WithXPubVerbose(true), zmq.WithSendHWM(20))
	type sub struct {
		s      *zmq.Socket
		topics string // the topics ("0" to "3") it subscribed to, "" for all
	}
	var subs []sub
	var tcpEP string
	for _, tr := range []string{"tcp://127.0.0.1:*", "ipc://*"} {
		ep := bind(t, pub, tr)
		if tcpEP == "" {
			tcpEP = ep
		}
		for i, hwm := range []int{1, 7, 1000, 0} {
			s := newSocket(t, zmq.SUB, zmq.WithRecvHWM(hwm))
			topics := []string{"", "1", "02", "3"}[i]
			if topics == "" {
				subscribe(t, s, "")
			} else {
				subscribe(t, s, "end")
			}
			for _, c := range topics {
				subscribe(t, s, string(c))
			}
			connect(t, s, ep)
			subs = append(subs, sub{s, topics})
		}
	}
	awaitSubs(t, pub, 2*(1+2+3+2)) // XPUB_VERBOSE: each subscription of each subscriber
	// A SUB filters what it receives itself; raw subscribers see what the publisher sent.
	raws := []*rawSub{dialRawSub(t, pub, tcpEP, "1"), dialRawSub(t, pub, tcpEP, "02")}
	msg := func(seq int) [][]byte {
		return [][]byte{fmt.Appendf(nil, "%d", seq%4), fmt.Appendf(nil, "%d", seq), bytes.Repeat([]byte{byte(seq)}, seq%50)}
	}
	got := make([]int, len(subs))
	errs := make(chan error, len(subs)+2)
	for i, sb := range subs {
		go func() {
			next := 0
			for {
				m, err := sb.s.Recv(t.Context())
				if err != nil {
					errs <- err
					return
				}
				if string(m.Frames[0]) == "end" {
					errs <- nil
					return
				}
				var seq int
				if len(m.Frames) == 3 {
					seq, err = strconv.Atoi(string(m.Frames[1]))
				}
				if err != nil || len(m.Frames) != 3 || seq < next || !bytes.Equal(frameBytes(m.Frames), frameBytes(msg(seq))) ||
					sb.topics != "" && !strings.Contains(sb.topics, string(m.Frames[0])) {
					errs <- fmt.Errorf("subscriber %d (topics %q): %s after message %d", i, sb.topics, fmtFrames(m.Frames), next-1)
					return
				}
				next = seq + 1
				got[i]++
				if i%4 == 0 && got[i]%64 == 0 {
					runtime.Gosched() // the slowest falls behind further
				}
			}
		}()
	}
	for i := range count {
		send(t, pub, msg(i)...)
	}
	for _, r := range raws {
		go func() { errs <- r.check(msg) }()
	}
	// "end" may itself be dropped for a full subscriber: repeat it until all have it.
	for done := 0; done < len(subs)+len(raws); {
		sendString(t, pub, "end")
		select {
		case err := <-errs:
			if err != nil {
				t.Fatal(err)
			}
			done++
		case <-time.After(time.Millisecond):
		}
	}
}

// frameBytes joins frames with their lengths, to compare messages.
func frameBytes(frames [][]byte) []byte {
	var b []byte
	for _, f := range frames {
		b = fmt.Appendf(b, "%d:", len(f))
		b = append(b, f...)
	}
	return b
}

// rawSub is a ZMTP subscriber reading the publisher's frames as they come on the wire.
type rawSub struct {
	c      net.Conn
	r      *bufio.Reader
	topics string
}

// dialRawSub connects a raw subscriber to topics (one-byte prefixes) of XPUB_VERBOSE pub at its
// tcp endpoint ep, and waits until pub has read its subscriptions.
func dialRawSub(t *testing.T, pub *zmq.Socket, ep, topics string) *rawSub {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(ep, "tcp://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	hello := zmtp.Greeting{Major: 3, Minor: 1, Mechanism: "NULL"}.Append(nil)
	hello = zmtp.AppendReady(hello, zmtp.Metadata{{Name: zmtp.PropSocketType, Value: []byte("SUB")}})
	for _, tc := range topics {
		hello = zmtp.AppendSubscribe(hello, []byte{byte(tc)})
	}
	hello = zmtp.AppendSubscribe(hello, []byte("end"))
	if _, err := c.Write(hello); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 512)
	if err := skipGreeting(c, buf); err != nil {
		t.Fatal(err)
	}
	awaitSubs(t, pub, len(topics)+1)
	return &rawSub{c: c, r: bufio.NewReader(c), topics: topics}
}

// check reads messages until "end": each must be msg(seq) for a seq after the last one's, on a
// topic the subscriber asked for.
func (r *rawSub) check(msg func(int) [][]byte) error {
	for next := 0; ; {
		m, err := r.recv()
		if err != nil {
			return err
		}
		if string(m[0]) == "end" {
			return nil
		}
		seq := -1
		if len(m) == 3 {
			seq, _ = strconv.Atoi(string(m[1]))
		}
		if seq < next || !bytes.Equal(frameBytes(m), frameBytes(msg(seq))) || !strings.Contains(r.topics, string(m[0])) {
			return fmt.Errorf("raw subscriber (topics %q): %s after message %d", r.topics, fmtFrames(m), next-1)
		}
		next = seq + 1
	}
}

// recv reads one message.
func (r *rawSub) recv() ([][]byte, error) {
	r.c.SetReadDeadline(time.Now().Add(waitLong))
	var m [][]byte
	for {
		head, err := r.r.Peek(2)
		if err == nil && head[0]&zmtp.FlagLong != 0 {
			head, err = r.r.Peek(9)
		}
		if err != nil {
			return nil, err
		}
		flags, size, n, err := zmtp.ParseFrameHeader(head, 1<<20)
		if err != nil {
			return nil, err
		}
		r.r.Discard(n)
		body := make([]byte, size)
		if _, err := io.ReadFull(r.r, body); err != nil {
			return nil, err
		}
		if flags&zmtp.FlagCommand != 0 {
			continue
		}
		m = append(m, body)
		if flags&zmtp.FlagMore == 0 {
			return m, nil
		}
	}
}
