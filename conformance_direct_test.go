package zmq_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/internal/parked"
	"github.com/purezmq/zmq/internal/rawzmtp"
	"github.com/purezmq/zmq/zmtp"
)

// Direct I/O (internal/socket/direct.go): a Recv that finds its queue empty reads its only
// peer's connection itself, and a Send answering a Recv writes it itself. These tests take a
// socket into that state (a first exchange) and check that whatever can interrupt a caller
// blocked on the connection does, and that nothing is lost or reordered on the way.

// directPair links a PULL (bound) and a PUSH over tr and makes one exchange, so the PULL's
// next Recv reads the connection itself.
func directPair(t *testing.T, tr transport) (pull, push *zmq.Socket, ep string) {
	t.Helper()
	pull, push = newSocket(t, zmq.PULL), newSocket(t, zmq.PUSH)
	ep = link(t, tr, pull, push)
	sendString(t, push, "warm-up")
	expectRecvString(t, pull, "warm-up")
	return pull, push, ep
}

// recvAsync starts a Recv with ctx and delivers its outcome.
func recvAsync(ctx context.Context, s *zmq.Socket) <-chan recvResult {
	out := make(chan recvResult, 1)
	go func() {
		m, err := s.Recv(ctx)
		out <- recvResult{m, err}
	}()
	return out
}

type recvResult struct {
	m   zmq.Msg
	err error
}

func waitResult(t *testing.T, c <-chan recvResult) recvResult {
	t.Helper()
	select {
	case r := <-c:
		return r
	case <-time.After(waitLong):
		t.Fatal("Recv did not return")
		return recvResult{}
	}
}

func TestDirectRecvCtxEnds(t *testing.T) {
	forEachWireTransport(t, func(t *testing.T, tr transport) {
		pull, push, _ := directPair(t, tr)
		ctx, cancel := context.WithCancel(context.Background())
		res := recvAsync(ctx, pull)
		cancel()
		if r := waitResult(t, res); !errors.Is(r.err, context.Canceled) {
			t.Fatalf("Recv after cancel: %v, want context.Canceled", r.err)
		}
		ctx, cancel = context.WithTimeout(context.Background(), waitShort)
		defer cancel()
		if _, err := pull.Recv(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Recv past its deadline: %v", err)
		}
		// The interrupted reads left the connection as it was.
		sendString(t, push, "after")
		expectRecvString(t, pull, "after")
	})
}

func TestDirectRecvClose(t *testing.T) {
	forEachWireTransport(t, func(t *testing.T, tr transport) {
		pull, _, _ := directPair(t, tr)
		res := blockedRecv(t, pull)
		if err := pull.Close(); err != nil {
			t.Fatal(err)
		}
		if r := waitResult(t, res); !errors.Is(r.err, zmq.ErrClosed) || !errors.Is(r.err, net.ErrClosed) {
			t.Fatalf("Recv on a closed socket: %v", r.err)
		}
	})
}

// blockedRecv starts a Recv on s, with nothing sent, and waits until it is parked in the read
// of s's connection (directPair makes that the way it blocks), failing if it returns first.
func blockedRecv(t *testing.T, s *zmq.Socket) <-chan recvResult {
	t.Helper()
	res := make(chan recvResult, 1)
	id := goID(func() {
		m, err := s.Recv(context.Background())
		res <- recvResult{m, err}
	})
	var early *recvResult
	ctx, cancel := within(waitLong)
	defer cancel()
	err := parked.Until(ctx, directParked, func(blocked map[uint64]bool) bool {
		select {
		case r := <-res:
			early = &r
			return true
		default:
			return blocked[id]
		}
	})
	if early != nil {
		t.Fatalf("Recv returned %v, %v before anything was sent", early.m, early.err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestDirectRecvSecondPeer: a Recv blocked on the only peer's connection must see a message
// from a peer that joins meanwhile.
func TestDirectRecvSecondPeer(t *testing.T) {
	forEachWireTransport(t, func(t *testing.T, tr transport) {
		pull, _, ep := directPair(t, tr)
		res := blockedRecv(t, pull)
		other := newSocket(t, zmq.PUSH)
		connect(t, other, ep)
		sendString(t, other, "from the second peer")
		r := waitResult(t, res)
		if r.err != nil || string(r.m.Frames[0]) != "from the second peer" {
			t.Fatalf("got %v, %v", r.m, r.err)
		}
	})
}

// TestDirectPollAfterRecv: bytes nobody reads must still make a polled socket readable.
func TestDirectPollAfterRecv(t *testing.T) {
	forEachWireTransport(t, func(t *testing.T, tr transport) {
		pull, push, _ := directPair(t, tr)
		p := zmq.NewPoller()
		p.Add(pull, zmq.PollIn)
		sendString(t, push, "polled")
		ctx, cancel := within(waitLong)
		defer cancel()
		ready, err := p.Poll(ctx)
		if err != nil || len(ready) != 1 || ready[0].Events&zmq.PollIn == 0 {
			t.Fatalf("Poll: %v, %v", ready, err)
		}
		expectRecvString(t, pull, "polled")
	})
}

// TestDirectRequestReply runs REQ/REP exchanges, where both Recv and Send serve the
// connection themselves, with replies of every shape: small, big (writev), and multipart ones
// too big for one non-blocking write, whose rest the writer goroutine must finish in order.
func TestDirectRequestReply(t *testing.T) {
	forEachWireTransport(t, func(t *testing.T, tr transport) {
		rep, req := newSocket(t, zmq.REP), newSocket(t, zmq.REQ)
		link(t, tr, rep, req)
		shapes := [][]int{{1}, {100}, {5000}, {100 << 10}, {7000, 7000, 7000}, manyFrames(300, 7<<10)}
		for round := range 3 {
			for i, shape := range shapes {
				frames := make([][]byte, len(shape))
				for f, n := range shape {
					frames[f] = bytes.Repeat([]byte{byte(round*31 + i*7 + f)}, n)
				}
				send(t, req, []byte{byte(i)})
				expectRecv(t, rep, []byte{byte(i)})
				send(t, rep, frames...)
				expectRecv(t, req, frames...)
			}
		}
	})
}

func manyFrames(n, size int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = size
	}
	return s
}

// TestDirectHeartbeatWhileAway: a socket whose application read the connection itself and
// then stays away from Recv must still answer its peer's PINGs: its reader takes the connection
// back (internal/engine/turn.go, handBack). The peer is a raw ZMTP DEALER that PINGs after the
// application has gone away and waits for each PONG.
func TestDirectHeartbeatWhileAway(t *testing.T) {
	forEachWireTransport(t, func(t *testing.T, tr transport) {
		b := newSocket(t, zmq.DEALER)
		ep := bind(t, b, tr.wildcard())
		raw, err := rawzmtp.Dial(ep)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		if _, err := raw.Greet("NULL", false); err != nil {
			t.Fatal(err)
		}
		must(t, raw.Write(zmtp.AppendReady(nil, zmtp.Metadata{{Name: zmtp.PropSocketType, Value: []byte("DEALER")}})))
		if _, err := raw.Expect(zmtp.CmdReady); err != nil {
			t.Fatal(err)
		}
		// A first message: the connection is attached, b's only peer, so a Recv that finds
		// nothing queued reads it itself.
		must(t, raw.WriteFrame(0, []byte("zero")))
		expectRecvString(t, b, "zero")
		res := blockedRecv(t, b)
		must(t, raw.WriteFrame(0, []byte("one")))
		if r := waitResult(t, res); r.err != nil || string(r.m.Frames[0]) != "one" {
			t.Fatalf("Recv: %v, %v", r.m, r.err)
		}
		for i := range 3 { // b stays away from Recv
			ctx := []byte(fmt.Sprintf("away-%d", i))
			must(t, raw.Write(zmtp.AppendPing(nil, 0, ctx)))
			cmd, err := raw.Expect(zmtp.CmdPong)
			if err != nil {
				t.Fatalf("PING %d while the application is away: %v", i, err)
			}
			if got, err := zmtp.ParsePong(cmd); err != nil || !bytes.Equal(got, ctx) {
				t.Fatalf("PONG %q, %v; want %q", got, err, ctx)
			}
		}
		must(t, raw.WriteFrame(0, []byte("two")))
		expectRecvString(t, b, "two")
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestRecycle: a recycled frame's memory receives a later frame, whose bytes are its own.
func TestRecycle(t *testing.T) {
	forEachWireTransport(t, func(t *testing.T, tr transport) {
		pull, push, _ := directPair(t, tr)
		var last []byte // the frame recycled last: only its address is looked at
		reused := false
		for i, n := range []int{64 << 10, 64 << 10, 40 << 10, 64 << 10, 10 << 10, 100 << 10, 64 << 10} {
			want := bytes.Repeat([]byte{byte(i + 1)}, n)
			send(t, push, want)
			m := expectRecv(t, pull, want)
			if last != nil && &m.Frames[0][0] == &last[0] {
				reused = true
			}
			last = m.Frames[0]
			pull.Recycle(m)
		}
		if !reused {
			t.Fatal("no received frame used recycled memory")
		}
	})
}

// TestDirectSendPipelined: a socket with one peer that has just received sends a message too
// big for one non-blocking write, then at once one with a big frame (which goes by writev):
// the peer receives both as sent, whatever the writer goroutine finishes of the first.
func TestDirectSendPipelined(t *testing.T) {
	pairs := []struct {
		name     string
		a, b     zmq.Type
		envelope bool // a is a ROUTER: its messages start with b's routing id
	}{
		{"pair", zmq.PAIR, zmq.PAIR, false},
		{"dealer", zmq.DEALER, zmq.DEALER, false},
		{"router", zmq.ROUTER, zmq.DEALER, true},
	}
	for _, pc := range pairs {
		t.Run(pc.name, func(t *testing.T) {
			forEachWireTransport(t, func(t *testing.T, tr transport) {
				a := newSocket(t, pc.a)
				b := newSocket(t, pc.b, zmq.WithRoutingID([]byte("b")))
				link(t, tr, a, b)
				for round := range 3 {
					sendString(t, b, "go")
					got := recvWithin(t, a, waitLong)
					var head [][]byte
					if pc.envelope {
						head = got.Frames[:1]
					}
					big := make([][]byte, 600)
					for i := range big {
						big[i] = bytes.Repeat([]byte{byte(round*7 + i)}, 7<<10)
					}
					next := bytes.Repeat([]byte{byte(round + 100)}, 16<<10)
					send(t, a, cat(head, big...)...)
					send(t, a, cat(head, next)...)
					for i, want := range [][][]byte{big, {next}} {
						if d := framesDiff(recvWithin(t, b, waitLong).Frames, want); d != "" {
							t.Fatalf("round %d, message %d arrived altered: %s", round, i, d)
						}
					}
				}
			})
		})
	}
}

// framesDiff says how got differs from want, briefly, or returns "".
func framesDiff(got, want [][]byte) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d frames, want %d", len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			return fmt.Sprintf("frame %d differs (%d bytes, want %d)", i, len(got[i]), len(want[i]))
		}
	}
	return ""
}

// TestRecycleTwice: a message given back twice (a caller's mistake) must not make two later
// messages share memory, neither their frames nor their frame lists.
func TestRecycleTwice(t *testing.T) {
	shapes := []struct {
		name          string
		frames, bytes int
	}{
		{"one big frame", 1, 64 << 10},
		{"many frames", 20, 16 << 10},
	}
	for _, sh := range shapes {
		t.Run(sh.name, func(t *testing.T) {
			forEachWireTransport(t, func(t *testing.T, tr transport) {
				pull, push, _ := directPair(t, tr)
				msg := func(seed int) [][]byte {
					fs := make([][]byte, sh.frames)
					for i := range fs {
						fs[i] = bytes.Repeat([]byte{byte(seed + i)}, sh.bytes)
					}
					return fs
				}
				send(t, push, msg(0)...)
				m := recvWithin(t, pull, waitLong)
				pull.Recycle(m)
				pull.Recycle(m)
				a, b := msg(50), msg(100)
				send(t, push, a...)
				send(t, push, b...)
				ma, mb := recvWithin(t, pull, waitLong), recvWithin(t, pull, waitLong)
				if d := framesDiff(ma.Frames, a); d != "" {
					t.Fatalf("the first message changed once the second arrived: %s", d)
				}
				if d := framesDiff(mb.Frames, b); d != "" {
					t.Fatalf("the second message: %s", d)
				}
				if &ma.Frames[:1][0] == &mb.Frames[:1][0] {
					t.Fatal("two messages share a frame list")
				}
				for _, f := range ma.Frames { // scribble over the first: the second must not change
					for i := range f {
						f[i] = 0xEE
					}
				}
				if d := framesDiff(mb.Frames, b); d != "" {
					t.Fatalf("writing into one message changed the next: %s", d)
				}
			})
		})
	}
}

// TestDirectRecvSecondReceiver: two goroutines receive on a socket that reads its connection
// itself. The one that reads a message takes it without waking the other (Pipe.DeliverOwn);
// a later message must still reach the other while the first no longer receives.
func TestDirectRecvSecondReceiver(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			pull, push, _ := directPair(t, tr)
			ctx, cancel := context.WithTimeout(context.Background(), waitLong)
			defer cancel()
			a, b := recvAsync(ctx, pull), recvAsync(ctx, pull)
			sendString(t, push, "first")
			var first recvResult
			select {
			case first = <-a:
				a = b
			case first = <-b:
			case <-ctx.Done():
				t.Fatal("neither receiver got the first message")
			}
			if first.err != nil || string(first.m.Frames[0]) != "first" {
				t.Fatalf("first Recv: %q, %v", first.m.Frames, first.err)
			}
			sendString(t, push, "second")
			if r := waitResult(t, a); r.err != nil || string(r.m.Frames[0]) != "second" {
				t.Fatalf("second Recv: %q, %v", r.m.Frames, r.err)
			}
		})
	}
}
