package trust_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/internal/faultnet"
)

// cutCodec: data frames of up to 16 KiB, so that a cut at a random byte lands inside a frame
// body all but about once in two hundred (a message is a header frame of at most 39 bytes,
// then up to three data frames with headers of 9 bytes, 8 KiB on average), and messages of
// several frames, so that it also falls between the frames of one message.
var cutCodec = bounded(10, 3, 16<<10)

// rig is one socket family wired through a relay, its data stream (stream 1) flowing.
type rig struct {
	relay *faultnet.Relay
	dir   faultnet.Direction // the way the data stream crosses the relay
	conn  *events            // the connect side's monitor
	bound *events            // the bound side's monitor
	data  *tally             // what the data stream's receiver got
	// check asserts what the family allows to be lost, given how many connections were lost.
	check func(t *testing.T, lost int)
}

// families are the socket families the stream scenarios run on, each as a rig builder; opts go
// to both sockets.
var families = []struct {
	name string
	rig  func(t *testing.T, g *group, opts ...zmq.Option) *rig
}{
	{"PUSH-PULL", pushPullRig},
	{"PUB-SUB", pubSubRig},
	{"DEALER-ROUTER", dealerRouterRig},
	{"REQ-REP", reqRepRig},
	{"PAIR", pairRig},
}

const (
	cutHWM    = 20 // small queues: a cut loses little and the test moves little data
	cutRounds = 3
	cutFlow   = 20 // messages that must arrive before each cut and after it
)

// TestFaultCutMidFrame cuts each family's connection a few times at a random byte of the data
// stream, closing it with a FIN or, every other time, an RST, and checks what arrives. For
// every family: no message is ever delivered partial, merged, altered or twice, nor out of
// order within a connection (the receiver checks every byte and every sequence number); the
// connect side reconnects and the stream resumes. What may be lost differs, and each family
// checks its own rule.
func TestFaultCutMidFrame(t *testing.T) {
	for i, f := range families {
		t.Run(f.name, func(t *testing.T) {
			g := newGroup(t)
			r := f.rig(t, g)
			rng := rand.New(rand.NewPCG(10, uint64(i)))
			for round := range cutRounds {
				r.data.waitGot(t, 1, r.data.state(1).got+cutFlow, waitLong)
				before := r.conn.count(zmq.EventDisconnected)
				n := 1 + rng.Int64N(48<<10)
				how := "cut (FIN)"
				if round%2 == 0 {
					r.relay.Cut(r.dir, n)
				} else {
					how = "reset (RST)"
					r.relay.Reset(r.dir, n)
				}
				r.conn.waitFor(t, zmq.EventDisconnected, before+1, waitLong)
				r.relay.Normal(r.dir)
				t.Logf("round %d: %s after %d more bytes", round, how, n)
			}
			r.data.waitGot(t, 1, r.data.state(1).got+cutFlow, waitLong)
			// The stream resumed, so the connect side reconnected: its monitor says so.
			r.conn.waitFor(t, zmq.EventHandshakeSucceeded, cutRounds+1, waitLong)
			g.stop()
			// Each connection that ended is one the relay accepted before the last; counted
			// there, unlike monitor events, before any byte of the next went through.
			lost := int(r.relay.Stats().Accepted) - 1
			st := r.data.state(1)
			t.Logf("received: %v; %d connections lost; relay %+v", st, lost, r.relay.Stats())
			r.check(t, lost)
		})
	}
}

// with is opts followed by more.
func with(opts []zmq.Option, more ...zmq.Option) []zmq.Option {
	return append(append([]zmq.Option(nil), opts...), more...)
}

// Loss on a reliable pipe is only what was in flight when a connection broke: at most one run
// of missing messages per lost connection (RFC 30; libzmq drops what a dead connection held,
// and the connect side's queue keeps the rest for the next one). Order holds per connection.
func reliable(ta *tally) func(t *testing.T, lost int) {
	return func(t *testing.T, lost int) {
		st := ta.state(1)
		if st.gaps > lost {
			t.Errorf("%d gaps in the stream for %d lost connections", st.gaps, lost)
		}
		perConnection(ta)(t, lost)
	}
}

// perConnection: the arrival order splits into no more increasing runs than there were
// connections (seqState.runs says why there may be more than one).
func perConnection(ta *tally) func(t *testing.T, lost int) {
	return func(t *testing.T, lost int) {
		if st := ta.state(1); st.runs > lost+1 {
			t.Errorf("the arrival order splits into %d increasing runs over %d connections", st.runs, lost+1)
		}
	}
}

func pushPullRig(t *testing.T, g *group, opts ...zmq.Option) *rig {
	pull := newSocket(t, zmq.PULL, with(opts, zmq.WithRecvHWM(cutHWM))...)
	r := relayTo(t, bindTCP(t, pull))
	bev := watch(t, pull)
	push := newSocket(t, zmq.PUSH, with(opts, zmq.WithSendHWM(cutHWM))...)
	ev := watch(t, push)
	connectTCP(t, push, r.Addr())
	data := newTally(cutCodec)
	receive(t, g, pull, data)
	sendStream(g, push, cutCodec, 1, nil)
	return &rig{relay: r, bound: bev, dir: faultnet.Up, conn: ev, data: data, check: reliable(data)}
}

// PUB drops whatever a subscriber cannot take, connected or not (RFC 29): any loss is allowed,
// so the test checks integrity, order per connection, and that the stream resumes.
func pubSubRig(t *testing.T, g *group, opts ...zmq.Option) *rig {
	pub := newSocket(t, zmq.PUB, with(opts, zmq.WithSendHWM(cutHWM))...)
	r := relayTo(t, bindTCP(t, pub))
	bev := watch(t, pub)
	sub := newSocket(t, zmq.SUB, with(opts, zmq.WithRecvHWM(cutHWM))...)
	ev := watch(t, sub)
	if err := sub.Subscribe(nil); err != nil {
		t.Fatal(err)
	}
	connectTCP(t, sub, r.Addr())
	data := newTally(cutCodec)
	receive(t, g, sub, data)
	// PUB never blocks: keep it at most a window ahead of the subscriber, or at a trickle
	// while the subscriber is away, instead of spinning.
	pace := func(seq int64) {
		if seq >= 2*cutHWM {
			data.next(1, seq-2*cutHWM, 2*time.Millisecond)
		}
	}
	sendStream(g, pub, cutCodec, 1, pace)
	return &rig{relay: r, bound: bev, dir: faultnet.Down, conn: ev, data: data, check: perConnection(data)}
}

// DEALER to ROUTER, which echoes each message back. The requests obey the reliable-pipe rule;
// the echoes may lose anything, since a ROUTER drops what it cannot route now (RFC 28), and
// come back in the order the ROUTER read the requests, old connection and new interleaved.
func dealerRouterRig(t *testing.T, g *group, opts ...zmq.Option) *rig {
	router := newSocket(t, zmq.ROUTER, with(opts, zmq.WithRecvHWM(cutHWM), zmq.WithSendHWM(cutHWM))...)
	r := relayTo(t, bindTCP(t, router))
	bev := watch(t, router)
	id := []byte("dealer-1")
	dealer := newSocket(t, zmq.DEALER, with(opts, zmq.WithRoutingID(id), zmq.WithRecvHWM(cutHWM), zmq.WithSendHWM(cutHWM))...)
	ev := watch(t, dealer)
	connectTCP(t, dealer, r.Addr())
	data, echoes := newTally(cutCodec), newTally(cutCodec)
	g.run(func(ctx context.Context) {
		for {
			m, err := router.Recv(ctx)
			if err != nil {
				return
			}
			if string(m.Frames[0]) != string(id) {
				t.Errorf("ROUTER got routing id %q, want %q", m.Frames[0], id)
			}
			if err := data.see(m.Frames[1:]); err != nil {
				t.Errorf("ROUTER received a bad message: %v", err)
			}
			if router.Send(ctx, m) != nil {
				return
			}
		}
	})
	return echoedRig(t, g, dealer, data, echoes, &rig{relay: r, bound: bev, dir: faultnet.Up, conn: ev})
}

// REQ with REQ_RELAXED and REQ_CORRELATE asks again when no reply comes: every request is
// answered, in turn, exactly once as the client sees it (correlation drops the late replies),
// while REP may see a request twice (a retry after a lost reply; at-least-once), the copy on
// the lost connection possibly after the retry.
func reqRepRig(t *testing.T, g *group, opts ...zmq.Option) *rig {
	rep := newSocket(t, zmq.REP, with(opts)...)
	r := relayTo(t, bindTCP(t, rep))
	bev := watch(t, rep)
	req := newSocket(t, zmq.REQ, with(opts, zmq.WithReqRelaxed(true), zmq.WithReqCorrelate(true))...)
	ev := watch(t, req)
	connectTCP(t, req, r.Addr())
	requests, replies := newTally(cutCodec), newTally(cutCodec)
	requests.repeats = true
	g.run(func(ctx context.Context) {
		for {
			m, err := rep.Recv(ctx)
			if err != nil {
				return
			}
			if err := requests.see(m.Frames); err != nil {
				t.Errorf("REP received a bad request: %v", err)
			}
			if rep.Send(ctx, m) != nil {
				return
			}
		}
	})
	const retryAfter = 250 * time.Millisecond // a retry policy, not a wait for anything
	retries := 0
	g.run(func(ctx context.Context) {
		for seq := int64(0); ; seq++ {
			for {
				if req.Send(ctx, zmq.NewMsg(cutCodec.msg(1, seq)...)) != nil {
					return
				}
				rctx, cancel := context.WithTimeout(ctx, retryAfter)
				m, err := req.Recv(rctx)
				cancel()
				if err == nil {
					if h, err := cutCodec.check(m.Frames); err != nil || h.seq != seq {
						t.Errorf("reply to request %d: seq %d, %v", seq, h.seq, err)
					}
					if err := replies.see(m.Frames); err != nil {
						t.Errorf("REQ received a bad reply: %v", err)
					}
					break
				}
				if ctx.Err() != nil {
					return
				}
				retries++
			}
		}
	})
	return &rig{relay: r, bound: bev, dir: faultnet.Up, conn: ev, data: replies, check: func(t *testing.T, lost int) {
		st, rq := replies.state(1), requests.state(1)
		t.Logf("%d retries; REP saw %v", retries, rq)
		if st.gaps != 0 || st.runs != 1 || st.dups != 0 {
			t.Errorf("replies: %v; want every request answered once, in turn", st)
		}
		if rq.runs > lost+1 {
			t.Errorf("REP read the requests in %d increasing runs over %d connections", rq.runs, lost+1)
		}
	}}
}

// PAIR to PAIR, the bound side echoing: the connect side's stream obeys the reliable-pipe
// rule; echoes queued for a connection that broke go with it.
func pairRig(t *testing.T, g *group, opts ...zmq.Option) *rig {
	bound := newSocket(t, zmq.PAIR, with(opts, zmq.WithRecvHWM(cutHWM), zmq.WithSendHWM(cutHWM))...)
	r := relayTo(t, bindTCP(t, bound))
	bev := watch(t, bound)
	conn := newSocket(t, zmq.PAIR, with(opts, zmq.WithRecvHWM(cutHWM), zmq.WithSendHWM(cutHWM))...)
	ev := watch(t, conn)
	connectTCP(t, conn, r.Addr())
	data, echoes := newTally(cutCodec), newTally(cutCodec)
	g.run(func(ctx context.Context) {
		for {
			m, err := bound.Recv(ctx)
			if err != nil {
				return
			}
			if err := data.see(m.Frames); err != nil {
				t.Errorf("PAIR received a bad message: %v", err)
			}
			if bound.Send(ctx, m) != nil {
				return
			}
		}
	})
	return echoedRig(t, g, conn, data, echoes, &rig{relay: r, bound: bev, dir: faultnet.Up, conn: ev})
}

// echoedRig finishes a rig whose connect side sends the stream and reads back the echoes: it
// stays at most a window ahead of the echoes (or at a trickle while they are lost), so that
// the echo path, which shares the connection with the sender, never overflows in the normal
// course. The stream obeys the reliable-pipe rule; at least one echo must come back.
func echoedRig(t *testing.T, g *group, s *zmq.Socket, data, echoes *tally, rg *rig) *rig {
	receive(t, g, s, echoes)
	sendStream(g, s, cutCodec, 1, func(seq int64) {
		if seq >= cutHWM/2 {
			echoes.next(1, seq-cutHWM/2, 2*time.Millisecond)
		}
	})
	rg.data = data
	rg.check = func(t *testing.T, lost int) {
		reliable(data)(t, lost)
		st := echoes.state(1)
		t.Logf("echoes: %v", st)
		if st.got == 0 {
			t.Error("no echo came back")
		}
	}
	return rg
}
