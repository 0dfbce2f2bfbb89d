package trust_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	zmq "github.com/purezmq/zmq"
)

// blockCase is a socket s in a state where its Sends, Recvs and a Poller's Poll all block,
// each in its own goroutine, when Close comes.
type blockCase struct {
	name   string
	typ    zmq.Type
	peer   zmq.Type // 0: no peer
	tr     string   // inproc, ipc, tcp; "unreachable": s connects to a tcp port nobody listens on
	send   bool     // two goroutines send until they block (at the HWM, or for want of a peer)
	recv   bool     // two goroutines receive (nothing is ever sent to s)
	poll   zmq.PollEvents
	before func(ctx context.Context, s *zmq.Socket) error // brings s to its state
}

var blockCases = []blockCase{
	{name: "PUSH/inproc", typ: zmq.PUSH, peer: zmq.PULL, tr: "inproc", send: true, poll: zmq.PollOut},
	{name: "PUSH/ipc", typ: zmq.PUSH, peer: zmq.PULL, tr: "ipc", send: true, poll: zmq.PollOut},
	{name: "PUSH/tcp-no-peer", typ: zmq.PUSH, tr: "tcp", send: true, poll: zmq.PollOut},
	{name: "PUSH/tcp-unreachable", typ: zmq.PUSH, tr: "unreachable", send: true, poll: zmq.PollOut},
	{name: "PULL/inproc", typ: zmq.PULL, peer: zmq.PUSH, tr: "inproc", recv: true, poll: zmq.PollIn},
	{name: "PULL/tcp", typ: zmq.PULL, peer: zmq.PUSH, tr: "tcp", recv: true, poll: zmq.PollIn},
	{name: "PULL/ipc", typ: zmq.PULL, peer: zmq.PUSH, tr: "ipc", recv: true, poll: zmq.PollIn},
	{name: "SUB/inproc", typ: zmq.SUB, peer: zmq.PUB, tr: "inproc", recv: true, poll: zmq.PollIn, before: subscribeAll},
	{name: "SUB/tcp", typ: zmq.SUB, peer: zmq.PUB, tr: "tcp", recv: true, poll: zmq.PollIn, before: subscribeAll},
	{name: "DEALER/inproc", typ: zmq.DEALER, peer: zmq.ROUTER, tr: "inproc", send: true, recv: true, poll: zmq.PollIn},
	{name: "DEALER/ipc", typ: zmq.DEALER, peer: zmq.ROUTER, tr: "ipc", send: true, recv: true, poll: zmq.PollIn},
	{name: "REP/inproc", typ: zmq.REP, peer: zmq.REQ, tr: "inproc", recv: true, poll: zmq.PollIn},
	{name: "REP/tcp", typ: zmq.REP, peer: zmq.REQ, tr: "tcp", recv: true, poll: zmq.PollIn},
	{name: "REQ/inproc", typ: zmq.REQ, peer: zmq.REP, tr: "inproc", recv: true, poll: zmq.PollIn, before: request},
	{name: "REQ/tcp", typ: zmq.REQ, peer: zmq.REP, tr: "tcp", recv: true, poll: zmq.PollIn, before: request},
	{name: "PAIR/inproc", typ: zmq.PAIR, peer: zmq.PAIR, tr: "inproc", send: true, recv: true, poll: zmq.PollIn},
	{name: "PAIR/ipc", typ: zmq.PAIR, peer: zmq.PAIR, tr: "ipc", send: true, recv: true, poll: zmq.PollIn},
	{name: "ROUTER/tcp", typ: zmq.ROUTER, peer: zmq.DEALER, tr: "tcp", recv: true, poll: zmq.PollIn},
}

func subscribeAll(_ context.Context, s *zmq.Socket) error { return s.Subscribe(nil) }

// request sends a REQ's request, which its REP never answers.
func request(ctx context.Context, s *zmq.Socket) error {
	return s.Send(ctx, zmq.NewMsg([]byte("request")))
}

// TestRaceCloseBlocked closes a socket while two Sends, two Recvs and a Poll block on it in
// other goroutines, for each family of socket where those calls block, over inproc and over a
// connection: every call returns ErrClosed (which is net.ErrClosed) within waitLong, nothing
// is received that nobody sent, and afterwards every call fails at once with ErrClosed. One
// round in four also cancels the calls' ctx at the moment Close starts: then each returns
// either error.
func TestRaceCloseBlocked(t *testing.T) {
	for _, bc := range blockCases {
		t.Run(bc.name, func(t *testing.T) {
			repeat(t, rounds(100), func(t *testing.T, i int) { blockRound(t, bc, i) })
		})
	}
}

var raceInproc atomic.Uint64

// raceSocket opens a socket of zc with LINGER 0, small HWMs and fast reconnects.
func raceSocket(t testing.TB, zc *zmq.Context, typ zmq.Type, opts ...zmq.Option) *zmq.Socket {
	t.Helper()
	base := []zmq.Option{zmq.WithLinger(0), zmq.WithSendHWM(1), zmq.WithRecvHWM(1),
		zmq.WithReconnectIvl(reconnectIvl), zmq.WithHandshakeIvl(waitLong)}
	s, err := zc.NewSocket(typ, append(base, opts...)...)
	if err != nil {
		t.Fatalf("NewSocket(%v): %v", typ, err)
	}
	return s
}

// pairUp links s and peer over tr, s binding in even rounds and connecting in odd ones, and
// for a connection waits until s has completed its handshake.
func pairUp(t testing.TB, what string, tr string, i int, s, peer *zmq.Socket) {
	t.Helper()
	var ev <-chan zmq.Event
	if tr != "inproc" {
		var stop func()
		ev, stop = s.Monitor(zmq.EventHandshakeSucceeded)
		defer stop()
	}
	binder, connecter := s, peer
	if i%2 == 1 {
		binder, connecter = peer, s
	}
	addr := map[string]string{
		"inproc": fmt.Sprintf("inproc://race-%d", raceInproc.Add(1)),
		"ipc":    "ipc://*",
		"tcp":    "tcp://127.0.0.1:*",
	}[tr]
	if err := binder.Bind(addr); err != nil {
		t.Fatalf("%s: Bind(%s): %v", what, addr, err)
	}
	if err := connecter.Connect(binder.LastEndpoint()); err != nil {
		t.Fatalf("%s: Connect: %v", what, err)
	}
	if ev != nil {
		await(t, what+": handshake", ev)
	}
}

func blockRound(t *testing.T, bc blockCase, i int) {
	what := fmt.Sprintf("%s round %d", bc.name, i)
	zc := zmq.NewContext()
	defer func() {
		if err := closeWithin(t, what+": context", zc); err != nil {
			t.Errorf("%s: Context.Close: %v", what, err)
		}
	}()
	s := raceSocket(t, zc, bc.typ)
	switch {
	case bc.peer != 0:
		pairUp(t, what, bc.tr, i, s, raceSocket(t, zc, bc.peer))
	case bc.tr == "unreachable":
		if err := s.Connect("tcp://" + freePort(t)); err != nil {
			t.Fatal(err)
		}
	default:
		if err := s.Bind("tcp://127.0.0.1:*"); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if bc.before != nil {
		if err := bc.before(ctx, s); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	type result struct {
		call string
		err  error
	}
	results := make(chan result, 5)
	var sends, recvs, polls []uint64
	start := func(ids *[]uint64, call string, f func() error) {
		id := make(chan uint64, 1)
		go func() {
			id <- goid()
			results <- result{call, f()}
		}()
		*ids = append(*ids, <-id)
	}
	payload := bytes.Repeat([]byte{'x'}, 64<<10) // fills a connection's kernel buffers in a few
	for range 2 {
		if bc.send {
			start(&sends, "Send", func() error {
				for { // until the HWM stops it
					if err := s.Send(ctx, zmq.NewMsg(payload)); err != nil {
						return err
					}
				}
			})
		}
		if bc.recv {
			start(&recvs, "Recv", func() error {
				m, err := s.Recv(ctx)
				if err == nil {
					return fmt.Errorf("received %d frames nobody sent", len(m.Frames))
				}
				return err
			})
		}
	}
	p := zmq.NewPoller()
	p.Add(s, bc.poll)
	start(&polls, "Poll", func() error {
		for {
			ready, err := p.Poll(ctx)
			if err != nil {
				return err
			}
			if ready[0].Events&zmq.PollIn != 0 {
				return errors.New("readable, with nothing sent")
			}
			// Writable: a sender fills that room before long.
		}
	})
	waitParked(t, what+": Send", sends, inSelect, "socket.(*Socket).Send")
	waitParked(t, what+": Recv", recvs, append(inSelect, inRead...), "socket.(*Socket).Recv")
	waitParked(t, what+": Poll", polls, inSelect, "zmq.(*Poller).Poll")

	cancelToo := i%4 == 3
	if cancelToo {
		go cancel()
	}
	if err := closeWithin(t, what, s); err != nil {
		t.Fatalf("%s: Close: %v", what, err)
	}
	for range len(sends) + len(recvs) + len(polls) {
		r := await(t, what+": the blocked calls", results)
		if isClosedErr(r.err) || cancelToo && errors.Is(r.err, context.Canceled) {
			continue
		}
		t.Errorf("%s: %s returned %v, want ErrClosed", what, r.call, r.err)
	}

	// Closed for good: every call fails at once.
	done, stop := context.WithCancel(context.Background())
	stop()
	if err := s.Send(done, zmq.NewMsg([]byte("late"))); !isClosedErr(err) {
		t.Errorf("%s: Send after Close: %v", what, err)
	}
	if _, err := s.Recv(done); !isClosedErr(err) {
		t.Errorf("%s: Recv after Close: %v", what, err)
	}
	if _, err := p.Poll(done); !errors.Is(err, zmq.ErrClosed) {
		t.Errorf("%s: Poll after Close: %v", what, err)
	}
	if err := s.Close(); !errors.Is(err, zmq.ErrClosed) {
		t.Errorf("%s: second Close: %v", what, err)
	}
}
