package trust_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	zmq "github.com/purezmq/zmq"
)

// TestRaceCloseDirectRead closes a socket whose Recv is reading its only connection itself
// (the read turn, internal/engine/turn.go): the peer is connected and one message has gone
// through, so the connection is the socket's sole peer, the queue is empty, and the test waits
// until the receiving goroutine is parked in the connection's read before it closes the socket.
// Recv returns ErrClosed within waitLong, and the peer sees the connection end. In one round of
// three the peer sends a message as Close starts (Recv returns it whole, or ErrClosed), and in
// another the Recv's ctx is cancelled as Close starts (either error).
func TestRaceCloseDirectRead(t *testing.T) {
	for _, c := range []struct{ typ, peer zmq.Type }{
		{zmq.PAIR, zmq.PAIR}, {zmq.DEALER, zmq.DEALER}, {zmq.PULL, zmq.PUSH},
	} {
		for _, tr := range []string{"tcp", "ipc"} {
			name := fmt.Sprintf("%v/%s", c.typ, tr)
			t.Run(name, func(t *testing.T) {
				repeat(t, rounds(100), func(t *testing.T, i int) { directRound(t, name, c.typ, c.peer, tr, i) })
			})
		}
	}
}

func directRound(t *testing.T, name string, typ, peerType zmq.Type, tr string, i int) {
	what := fmt.Sprintf("%s round %d", name, i)
	zc := zmq.NewContext()
	defer func() {
		if err := closeWithin(t, what+": context", zc); err != nil {
			t.Errorf("%s: Context.Close: %v", what, err)
		}
	}()
	s, peer := raceSocket(t, zc, typ), raceSocket(t, zc, peerType)
	down, stop := peer.Monitor(zmq.EventDisconnected)
	defer stop()
	pairUp(t, what, tr, i, s, peer)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// One message through: the connection is attached, so it is the one Recv reads.
	if err := peer.Send(ctx, zmq.NewMsg([]byte("first"))); err != nil {
		t.Fatalf("%s: Send: %v", what, err)
	}
	if err := await(t, what+": first Recv", async(func() error { _, err := s.Recv(ctx); return err })); err != nil {
		t.Fatalf("%s: first Recv: %v", what, err)
	}

	type result struct {
		m   zmq.Msg
		err error
	}
	id := make(chan uint64, 1)
	got := make(chan result, 1)
	go func() {
		id <- goid()
		m, err := s.Recv(ctx)
		got <- result{m, err}
	}()
	waitParked(t, what, []uint64{<-id}, inRead, "engine.(*Conn).readAsCaller")

	late := []byte(fmt.Sprintf("late %d", i))
	switch i % 3 {
	case 1:
		go func() { _ = peer.Send(ctx, zmq.NewMsg(late)) }()
	case 2:
		go cancel()
	}
	if err := closeWithin(t, what, s); err != nil {
		t.Fatalf("%s: Close: %v", what, err)
	}
	r := await(t, what+": the blocked Recv", got)
	switch {
	case isClosedErr(r.err):
	case i%3 == 1 && r.err == nil && len(r.m.Frames) == 1 && bytes.Equal(r.m.Frames[0], late):
	case i%3 == 2 && errors.Is(r.err, context.Canceled):
	default:
		t.Errorf("%s: Recv returned %q, %v; want ErrClosed", what, r.m.Frames, r.err)
	}
	await(t, what+": the peer's DISCONNECTED", down)
}
