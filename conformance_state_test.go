package zmq_test

import (
	"errors"
	"testing"

	zmq "github.com/purezmq/zmq"
)

// expectErr runs op and checks that it fails with want.
func expectErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: got %v, want %v", what, err, want)
	}
}

func trySend(s *zmq.Socket, frames ...string) error {
	ctx, cancel := within(waitShort)
	defer cancel()
	return s.Send(ctx, zmq.NewMsgString(frames...))
}

func tryRecv(s *zmq.Socket) error {
	ctx, cancel := within(waitShort)
	defer cancel()
	_, err := s.Recv(ctx)
	return err
}

// TestConformanceReqRepState: REQ and REP go in lock-step; every out-of-turn call fails at once
// with ErrState and leaves the state as it was.
func TestConformanceReqRepState(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		req, rep := newSocket(t, zmq.REQ), newSocket(t, zmq.REP)
		link(t, tr, rep, req)
		for range 2 {
			expectErr(t, "REQ Recv before Send", tryRecv(req), zmq.ErrState)
			expectErr(t, "REP Send before Recv", trySend(rep, "reply"), zmq.ErrState)
			sendString(t, req, "request")
			expectErr(t, "REQ Send twice", trySend(req, "again"), zmq.ErrState)
			expectRecvString(t, rep, "request")
			expectErr(t, "REP Recv twice", tryRecv(rep), zmq.ErrState)
			sendString(t, rep, "reply")
			expectErr(t, "REP Send twice", trySend(rep, "again"), zmq.ErrState)
			expectRecvString(t, req, "reply")
			expectErr(t, "REQ Recv twice", tryRecv(req), zmq.ErrState)
		}
	})
}

// TestConformanceNotSupported: PUSH cannot receive and PULL cannot send, connected or not.
func TestConformanceNotSupported(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		push, pull := newSocket(t, zmq.PUSH), newSocket(t, zmq.PULL)
		expectErr(t, "PUSH Recv, unconnected", tryRecv(push), zmq.ErrNotSupported)
		expectErr(t, "PULL Send, unconnected", trySend(pull, "x"), zmq.ErrNotSupported)
		link(t, tr, pull, push)
		sendString(t, push, "ok")
		expectRecvString(t, pull, "ok")
		expectErr(t, "PUSH Recv", tryRecv(push), zmq.ErrNotSupported)
		expectErr(t, "PULL Send", trySend(pull, "x"), zmq.ErrNotSupported)
	})
}

// TestConformanceReqCorrelateRelaxed: with REQ_RELAXED a REQ whose reply was lost may ask again,
// and with REQ_CORRELATE the late reply to the old request is discarded; only the reply to the
// current request is delivered. A ROUTER plays the server so the test decides what is lost.
func TestConformanceReqCorrelateRelaxed(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		req := newSocket(t, zmq.REQ, zmq.WithReqCorrelate(true), zmq.WithReqRelaxed(true))
		router := newSocket(t, zmq.ROUTER)
		link(t, tr, router, req)

		sendString(t, req, "first")
		first := recvWithin(t, router, waitLong)
		// [peer id, request id, "", body]
		if len(first.Frames) != 4 || len(first.Frames[1]) != 4 || len(first.Frames[2]) != 0 ||
			string(first.Frames[3]) != "first" {
			t.Fatalf("ROUTER received %s, want [<peer> <request id> \"\" first]", fmtFrames(first.Frames))
		}
		// The reply to "first" is lost; the REQ may ask again.
		sendString(t, req, "second")
		second := recvWithin(t, router, waitLong)
		if len(second.Frames) != 4 || string(second.Frames[3]) != "second" {
			t.Fatalf("ROUTER received %s, want [<peer> <request id> \"\" second]", fmtFrames(second.Frames))
		}
		if string(first.Frames[1]) == string(second.Frames[1]) {
			t.Fatalf("both requests carry request id %x", first.Frames[1])
		}
		// The late reply to "first" arrives before the right one; REQ must skip it.
		send(t, router, first.Frames[0], first.Frames[1], nil, []byte("late"))
		send(t, router, second.Frames[0], second.Frames[1], nil, []byte("answer"))
		expectRecvString(t, req, "answer")
		expectErr(t, "REQ Recv after its reply", tryRecv(req), zmq.ErrState)

		// A reply carrying no request id, or a wrong one, is never delivered either.
		sendString(t, req, "third")
		third := recvWithin(t, router, waitLong)
		send(t, router, third.Frames[0], nil, []byte("no id"))
		send(t, router, third.Frames[0], []byte("abcd"), nil, []byte("wrong id"))
		send(t, router, third.Frames[0], third.Frames[1], nil, []byte("right"))
		expectRecvString(t, req, "right")
	})
}

// TestConformanceReqStrictWithoutRelaxed: REQ_CORRELATE alone keeps the lock-step.
func TestConformanceReqStrictWithoutRelaxed(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		req := newSocket(t, zmq.REQ, zmq.WithReqCorrelate(true))
		router := newSocket(t, zmq.ROUTER)
		link(t, tr, router, req)
		sendString(t, req, "first")
		expectErr(t, "REQ_CORRELATE Send twice", trySend(req, "second"), zmq.ErrState)
	})
}

// TestConformanceRepEnvelope: a REP returns the whole envelope of a request (every frame up to
// the empty delimiter, as routed through ROUTER hops) with its reply, and drops a message that
// has no delimiter.
func TestConformanceRepEnvelope(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		dealer, rep := newSocket(t, zmq.DEALER), newSocket(t, zmq.REP)
		link(t, tr, rep, dealer)
		sendString(t, dealer, "no delimiter")
		sendString(t, dealer, "hop-1", "hop-2", "", "request")
		expectRecvString(t, rep, "request")
		sendString(t, rep, "reply", "in two")
		expectRecvString(t, dealer, "hop-1", "hop-2", "", "reply", "in two")
	})
}

// TestConformancePairExclusive: a PAIR talks to one peer; a second one is refused and its
// messages never arrive.
func TestConformancePairExclusive(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		bound, first := newSocket(t, zmq.PAIR), newSocket(t, zmq.PAIR)
		ep := link(t, tr, bound, first)
		sendString(t, first, "first")
		expectRecvString(t, bound, "first")

		second := newSocket(t, zmq.PAIR)
		connect(t, second, ep)
		sendString(t, second, "intruder") // queues on its side; never delivered
		sendString(t, bound, "to first")
		expectRecvString(t, first, "to first")
		sendString(t, first, "still first")
		expectRecvString(t, bound, "still first")
		expectNoMsg(t, bound, waitShort)
		expectNoMsg(t, second, waitShort)
	})
}
