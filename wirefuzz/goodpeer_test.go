package wirefuzz_test

import (
	"bytes"
	"context"
	"fmt"
	"time"

	zmq "github.com/purezmq/zmq"
)

// join connects the good peer and waits until the socket has it, subscriptions included.
func (fx *fixture) join() {
	if fx.st.side == bound {
		must(fx.t, fx.good.Connect(fx.ep))
	} else {
		must(fx.t, fx.sock.Connect(fx.goodEp))
	}
	fx.await("the good peer's handshake", func(e zmq.Event) bool {
		return e.Type == zmq.EventHandshakeSucceeded && (fx.st.side == bound || e.Endpoint == fx.goodEp)
	})
	fx.joined = true
	switch fx.st.typ {
	case zmq.SUB, zmq.XSUB:
		m := fx.goodRecv(nil)
		if !bytes.Equal(m.Frames[0], []byte{1}) {
			fx.t.Fatalf("the good peer got %q, want the socket's subscription", m.Frames)
		}
	case zmq.PUB:
		fx.probe()
	}
}

// probe publishes until the good subscriber receives: PUB shows no sign of a subscription
// having arrived, so this is the one wait that looks for its effect, with growing patience.
func (fx *fixture) probe() {
	deadline := time.Now().Add(patience)
	for wait := time.Millisecond; time.Now().Before(deadline); wait = min(2*wait, 100*time.Millisecond) {
		must(fx.t, fx.sock.Send(context.Background(), zmq.NewMsg(append(fx.tag, "probe"...))))
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		_, err := fx.good.Recv(ctx)
		cancel()
		if err == nil {
			return
		}
	}
	fx.t.Fatalf("hang: the good subscriber received nothing within %v", patience)
}

// await reads the monitor until an event matches, or fails after patience.
func (fx *fixture) await(what string, match func(zmq.Event) bool) zmq.Event {
	fx.t.Helper()
	timer := time.NewTimer(patience)
	defer timer.Stop()
	var seen []string
	for {
		select {
		case e, ok := <-fx.events:
			if !ok {
				fx.t.Fatalf("the monitor stopped while waiting for %s", what)
			}
			if match(e) {
				return e
			}
			seen = append(seen, e.String())
		case <-timer.C:
			fx.t.Fatalf("hang: no %s within %v (%s); events: %q", what, patience, fx.st, seen)
		}
	}
}

func (fx *fixture) goodRecv(want []byte) zmq.Msg {
	fx.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	for {
		m, err := fx.good.Recv(ctx)
		if err != nil {
			fx.t.Fatalf("hang: the good peer (%v) waiting for %q: %v (%s)", goodType[fx.st.typ], want, err, fx.st)
		}
		if want == nil || bytes.Equal(m.Frames[len(m.Frames)-1], want) {
			return m
		}
	}
}

func (fx *fixture) send(s *zmq.Socket, frames ...[]byte) {
	fx.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	if err := s.Send(ctx, zmq.NewMsg(frames...)); err != nil {
		fx.t.Fatalf("hang: Send on %v: %v (%s)", s.Type(), err, fx.st)
	}
}

// exchange shows that the socket serves its good peer: a message each way where the socket type
// allows. live is while the hostile connection is still open; then only exchanges whose route
// cannot lead to the hostile peer are made (a PUSH, DEALER, REQ or PAIR could pick it).
func (fx *fixture) exchange(live bool) {
	fx.t.Helper()
	fx.n++
	mark := fmt.Appendf(append([]byte(nil), fx.tag...), "-%d", fx.n)
	reply := append(append([]byte(nil), mark...), 'r')
	switch fx.st.typ {
	case zmq.PULL, zmq.SUB, zmq.XSUB:
		fx.send(fx.good, mark)
		fx.col.await(fx, mark)
	case zmq.DEALER:
		fx.send(fx.good, mark)
		fx.col.await(fx, mark)
		if !live {
			fx.send(fx.sock, reply)
			fx.goodRecv(reply)
		}
	case zmq.ROUTER:
		fx.send(fx.good, mark)
		m := fx.col.await(fx, mark)
		fx.send(fx.sock, m.Frames[0], reply)
		fx.goodRecv(reply)
	case zmq.REP:
		fx.send(fx.good, mark)
		fx.goodRecv(reply) // the collector replies
	case zmq.XPUB:
		fx.send(fx.good, append([]byte{1}, mark...))
		fx.col.await(fx, append([]byte{1}, mark...))
		fx.send(fx.sock, mark)
		fx.goodRecv(mark)
		fx.send(fx.good, append([]byte{0}, mark...)) // so the topics do not pile up
		fx.col.await(fx, append([]byte{0}, mark...))
	case zmq.PUB:
		fx.send(fx.sock, mark)
		fx.goodRecv(mark)
	case zmq.PUSH, zmq.REQ, zmq.PAIR:
		if live {
			return
		}
		fx.send(fx.sock, mark)
		fx.goodRecv(mark)
		switch fx.st.typ {
		case zmq.REQ:
			fx.send(fx.good, reply)
			ctx, cancel := context.WithTimeout(context.Background(), patience)
			defer cancel()
			if m, err := fx.sock.Recv(ctx); err != nil || !bytes.Equal(m.Frames[0], reply) {
				fx.t.Fatalf("hang: REQ waiting for its reply: %q, %v (%s)", m.Frames, err, fx.st)
			}
		case zmq.PAIR:
			fx.send(fx.good, reply)
			fx.col.await(fx, reply)
		}
	}
}

// isGood tells the good peer's messages from the hostile peer's, which cannot know the tag.
func (fx *fixture) isGood(m zmq.Msg) bool {
	for _, f := range m.Frames {
		if bytes.Contains(f, fx.tag) {
			return true
		}
	}
	return false
}
