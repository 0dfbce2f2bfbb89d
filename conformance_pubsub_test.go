package zmq_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
)

// subscribe subscribes s to each prefix.
func subscribe(t testing.TB, s *zmq.Socket, prefixes ...string) {
	t.Helper()
	for _, p := range prefixes {
		if err := s.Subscribe([]byte(p)); err != nil {
			t.Fatalf("%v Subscribe(%q): %v", s.Type(), p, err)
		}
	}
}

func unsubscribe(t testing.TB, s *zmq.Socket, prefixes ...string) {
	t.Helper()
	for _, p := range prefixes {
		if err := s.Unsubscribe([]byte(p)); err != nil {
			t.Fatalf("%v Unsubscribe(%q): %v", s.Type(), p, err)
		}
	}
}

// syncSub waits until sub's subscription to topic has reached pub: pub publishes topic until
// sub receives it (a SUB also filters on receipt, so nothing else gets through meanwhile).
// Later copies of topic may still be queued; recvSkip skips them.
func syncSub(t testing.TB, pub, sub *zmq.Socket, topic string) {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for time.Now().Before(deadline) {
		send(t, pub, []byte(topic))
		ctx, cancel := within(10 * time.Millisecond)
		m, err := sub.Recv(ctx)
		cancel()
		if err == nil {
			if string(m.Frames[0]) == topic {
				return
			}
			if !isSync(m) {
				t.Fatalf("while syncing on %q, received %s", topic, fmtFrames(m.Frames))
			}
		}
	}
	t.Fatalf("the subscription to %q never reached the publisher", topic)
}

// isSync reports whether m is a leftover of syncSub: a one-frame message ending in "sync".
func isSync(m zmq.Msg) bool {
	return len(m.Frames) == 1 && strings.HasSuffix(string(m.Frames[0]), "sync")
}

// recvSkip receives the next message that is neither skip nor another leftover of syncSub.
func recvSkip(t testing.TB, s *zmq.Socket, skip string) zmq.Msg {
	t.Helper()
	for {
		m := recvWithin(t, s, waitLong)
		if string(m.Frames[0]) != skip && !isSync(m) {
			return m
		}
	}
}

func expectRecvSkip(t testing.TB, s *zmq.Socket, skip string, want ...string) {
	t.Helper()
	m := recvSkip(t, s, skip)
	if !framesEqual(m.Frames, strFrames(want...)) {
		t.Fatalf("%v received %s, want %q", s.Type(), fmtFrames(m.Frames), want)
	}
}

func TestPubSubPrefixMatching(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		pub, sub := newSocket(t, zmq.PUB), newSocket(t, zmq.SUB)
		subscribe(t, sub, "A", "B/x", "sync")
		link(t, tr, pub, sub)
		syncSub(t, pub, sub, "sync")
		for _, m := range []string{"A1", "B", "B/", "B/x1", "C", "a", "AB", "B/x"} {
			sendString(t, pub, m, "body")
		}
		for _, want := range []string{"A1", "B/x1", "AB", "B/x"} {
			expectRecvSkip(t, sub, "sync", want, "body")
		}
		expectNoMsgSkip(t, sub, "sync")
	})
}

// expectNoMsgSkip checks that nothing but skip arrives within waitShort.
func expectNoMsgSkip(t testing.TB, s *zmq.Socket, skip string) {
	t.Helper()
	ctx, cancel := within(waitShort)
	defer cancel()
	for {
		m, err := s.Recv(ctx)
		if err != nil {
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("%v Recv: %v", s.Type(), err)
			}
			return
		}
		if string(m.Frames[0]) != skip && !isSync(m) {
			t.Fatalf("%v received %s, want nothing", s.Type(), fmtFrames(m.Frames))
		}
	}
}

func TestPubSubEmptySubscription(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		pub, sub := newSocket(t, zmq.PUB), newSocket(t, zmq.SUB)
		link(t, tr, sub, pub) // the SUB binds this time
		subscribe(t, sub, "")
		syncSub(t, pub, sub, "sync")
		send(t, pub, []byte{})
		send(t, pub, []byte("anything"), []byte("more"))
		send(t, pub, []byte{0, 1, 2})
		expectRecvSkip(t, sub, "sync", "")
		expectRecvSkip(t, sub, "sync", "anything", "more")
		expectRecvSkip(t, sub, "sync", "\x00\x01\x02")
	})
}

func TestPubSubUnsubscribe(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		pub, sub := newSocket(t, zmq.PUB), newSocket(t, zmq.SUB)
		subscribe(t, sub, "a", "b", "sync")
		link(t, tr, pub, sub)
		syncSub(t, pub, sub, "sync")
		unsubscribe(t, sub, "a")
		// The SUB filters what it receives as well: no wait for the CANCEL to travel.
		sendString(t, pub, "a1")
		sendString(t, pub, "b1")
		expectRecvSkip(t, sub, "sync", "b1")
		if err := sub.Unsubscribe([]byte("never")); err != nil {
			t.Fatalf("Unsubscribe of an unknown prefix: %v, want nil as libzmq", err)
		}
		// Once the CANCEL has reached the PUB it stops sending "a" at all: seen from an XPUB
		// in TestXPubSubscriptionMessages.
	})
}

func TestPubSubDuplicateSubscriptionsCounted(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		pub, sub := newSocket(t, zmq.PUB), newSocket(t, zmq.SUB)
		subscribe(t, sub, "dup", "dup", "sync")
		link(t, tr, pub, sub)
		syncSub(t, pub, sub, "sync")
		unsubscribe(t, sub, "dup")
		sendString(t, pub, "dup1")
		expectRecvSkip(t, sub, "sync", "dup1")
		unsubscribe(t, sub, "dup")
		sendString(t, pub, "dup2")
		sendString(t, pub, "sync-end")
		expectRecvSkip(t, sub, "sync", "sync-end")
	})
}

func TestPubSubLateJoiner(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		pub, early := newSocket(t, zmq.PUB), newSocket(t, zmq.SUB)
		subscribe(t, early, "t")
		ep := link(t, tr, pub, early)
		syncSub(t, pub, early, "t")
		sendString(t, pub, "t-before")
		expectRecvSkip(t, early, "t", "t-before")

		late := newSocket(t, zmq.SUB)
		connect(t, late, ep)
		subscribe(t, late, "t") // after Connect: goes to the peer already attached
		syncSub(t, pub, late, "t")
		sendString(t, pub, "t-after")
		expectRecvSkip(t, late, "t", "t-after")
		expectRecvSkip(t, early, "t", "t-after")
	})
}

func TestPubSubManySubscribers(t *testing.T) {
	const n = 20
	forEachTransport(t, func(t *testing.T, tr transport) {
		pub := newSocket(t, zmq.PUB)
		ep := bind(t, pub, tr.wildcard())
		subs := make([]*zmq.Socket, n)
		for i := range subs {
			subs[i] = newSocket(t, zmq.SUB)
			subscribe(t, subs[i], fmt.Sprintf("to-%d/", i), "all/")
			connect(t, subs[i], ep)
		}
		for _, s := range subs {
			syncSub(t, pub, s, "all/sync")
		}
		for i := range subs {
			sendString(t, pub, fmt.Sprintf("to-%d/hello", i))
		}
		sendString(t, pub, "all/bye")
		for i, s := range subs {
			expectRecvSkip(t, s, "all/sync", fmt.Sprintf("to-%d/hello", i))
			expectRecvSkip(t, s, "all/sync", "all/bye")
		}
	})
}

// A subscriber that never reads costs the others nothing: PUB drops for it at its HWM and never
// blocks, so every Send succeeds even with a ctx that is already done.
func TestPubSubSlowSubscriber(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		pub := newSocket(t, zmq.PUB, zmq.WithSendHWM(100))
		slow := newSocket(t, zmq.SUB, zmq.WithRecvHWM(100))
		fast := newSocket(t, zmq.SUB)
		ep := bind(t, pub, tr.wildcard())
		for _, s := range []*zmq.Socket{slow, fast} {
			subscribe(t, s, "")
			connect(t, s, ep)
		}
		syncSub(t, pub, slow, "sync")
		syncSub(t, pub, fast, "sync")

		const batches, batch = 40, 50 // 2,000 messages, 20 times the slow one's HWM
		ctxDone, cancel := context.WithCancel(context.Background())
		cancel()
		var got atomic.Int64
		caught := make(chan struct{}, batches) // one per batch the fast one has received whole
		done := make(chan struct{})
		go func() {
			defer close(done)
			for got.Load() < batches*batch {
				ctx, cancel := within(waitLong)
				m, err := fast.Recv(ctx)
				cancel()
				if err != nil {
					t.Errorf("fast subscriber: %v after %d messages", err, got.Load())
					return
				}
				if string(m.Frames[0]) != "sync" && got.Add(1)%batch == 0 {
					caught <- struct{}{}
				}
			}
		}()
		timeout := time.NewTimer(waitLong)
		defer timeout.Stop()
	send:
		for b := range batches {
			for i := range batch {
				if err := pub.Send(ctxDone, zmq.NewMsg([]byte(fmt.Sprintf("m%d", b*batch+i)))); err != nil {
					t.Fatalf("PUB Send with a slow subscriber: %v, want nil (drop, never block)", err)
				}
			}
			// Let the fast one catch up, so its own HWM never drops anything.
			select {
			case <-caught:
			case <-done:
				break send
			case <-timeout.C:
				t.Errorf("the fast subscriber did not catch up with batch %d", b)
				break send
			}
		}
		<-done
		if got.Load() != batches*batch {
			t.Fatalf("the fast subscriber got %d of %d messages", got.Load(), batches*batch)
		}
	})
}

// TestXPubSubscriptionMessages: XPUB hands subscriptions to the application, each topic once
// unless verbose, and an unsubscription when the last subscriber of a topic leaves.
func TestXPubSubscriptionMessages(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		xpub := newSocket(t, zmq.XPUB)
		ep := bind(t, xpub, tr.wildcard())
		s1, s2 := newSocket(t, zmq.SUB), newSocket(t, zmq.SUB)
		connect(t, s1, ep)
		connect(t, s2, ep)
		subscribe(t, s1, "x")
		expectRecvString(t, xpub, "\x01x")
		// s2's connection must be up before the order of its subscriptions means anything: a
		// SUB that connects late resends them all, in no particular order.
		subscribe(t, s2, "w")
		expectRecvString(t, xpub, "\x01w")
		unsubscribe(t, s2, "w")
		expectRecvString(t, xpub, "\x00w")
		subscribe(t, s2, "x")
		subscribe(t, s2, "y")
		expectRecvString(t, xpub, "\x01y") // the second "x" is not news
		unsubscribe(t, s1, "x")
		unsubscribe(t, s2, "y")
		expectRecvString(t, xpub, "\x00y") // s2 still wants "x"
		// The publisher filters: s1 no longer gets "x" from the wire. s2 does.
		sendString(t, xpub, "x1")
		expectRecvString(t, s2, "x1")
		if err := s2.Close(); err != nil {
			t.Fatal(err)
		}
		expectRecvString(t, xpub, "\x00x") // its last subscriber went away
		expectNoMsg(t, xpub, waitShort)
	})
}

func TestXPubVerbose(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		xpub := newSocket(t, zmq.XPUB, zmq.WithXPubVerboser(true))
		ep := bind(t, xpub, tr.wildcard())
		s1, s2 := newSocket(t, zmq.SUB), newSocket(t, zmq.SUB)
		connect(t, s1, ep)
		connect(t, s2, ep)
		subscribe(t, s1, "v")
		expectRecvString(t, xpub, "\x01v")
		subscribe(t, s2, "v")
		expectRecvString(t, xpub, "\x01v")
		unsubscribe(t, s1, "v")
		expectRecvString(t, xpub, "\x00v")
		unsubscribe(t, s2, "v")
		expectRecvString(t, xpub, "\x00v")
	})
}

func TestXPubWelcomeMsg(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		for _, xpubBinds := range []bool{true, false} {
			xpub := newSocket(t, zmq.XPUB, zmq.WithXPubWelcomeMsg([]byte("W")))
			sub := newSocket(t, zmq.SUB)
			subscribe(t, sub, "W")
			if xpubBinds {
				link(t, tr, xpub, sub)
			} else {
				link(t, tr, sub, xpub)
			}
			expectRecvString(t, sub, "W")
			expectRecvString(t, xpub, "\x01W")
		}
	})
}

func TestXPubNoDrop(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		xpub := newSocket(t, zmq.XPUB, zmq.WithXPubNoDrop(true), zmq.WithSendHWM(2))
		sub := newSocket(t, zmq.SUB, zmq.WithRecvHWM(2))
		subscribe(t, sub, "")
		link(t, tr, xpub, sub)
		expectRecvString(t, xpub, "\x01")
		big := bytes.Repeat([]byte{'n'}, 256<<10) // fills the kernel's buffers quickly over tcp/ipc
		for i := 0; ; i++ {
			if i == 10_000 {
				t.Fatal("Send never blocked with XPUB_NODROP and a subscriber that does not read")
			}
			ctx, cancel := within(waitShort)
			err := xpub.Send(ctx, zmq.NewMsg(big))
			cancel()
			if errors.Is(err, context.DeadlineExceeded) {
				break
			}
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
		}
		// Reading makes room again: a blocked Send goes through once the subscriber drains.
		errc := make(chan error, 1)
		go func() {
			ctx, cancel := within(waitLong)
			defer cancel()
			errc <- xpub.Send(ctx, zmq.NewMsg([]byte("last")))
		}()
		for {
			m := recvWithin(t, sub, waitLong)
			if string(m.Frames[0]) == "last" {
				break
			}
		}
		if err := <-errc; err != nil {
			t.Fatalf("Send after the subscriber read: %v", err)
		}
	})
}

func TestPubSubInvertMatching(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		pub := newSocket(t, zmq.PUB, zmq.WithInvertMatching(true))
		sub := newSocket(t, zmq.SUB, zmq.WithInvertMatching(true))
		subscribe(t, sub, "a")
		link(t, tr, pub, sub)
		ctx, cancel := within(waitLong)
		defer cancel()
		for ctx.Err() == nil {
			sendString(t, pub, "a-no")
			sendString(t, pub, "b-yes")
			rctx, rcancel := context.WithTimeout(ctx, 10*time.Millisecond)
			m, err := sub.Recv(rctx)
			rcancel()
			if err == nil {
				if got := string(m.Frames[0]); got != "b-yes" {
					t.Fatalf("inverted SUB received %q", got)
				}
				return
			}
		}
		t.Fatal("inverted SUB received nothing")
	})
}

func TestPubSubNotSupported(t *testing.T) {
	for _, typ := range []zmq.Type{zmq.PUB, zmq.XPUB, zmq.PUSH, zmq.DEALER} {
		s := newSocket(t, typ)
		if err := s.Subscribe([]byte("x")); !errors.Is(err, zmq.ErrNotSupported) {
			t.Errorf("%v Subscribe: %v, want ErrNotSupported", typ, err)
		}
	}
	pub := newSocket(t, zmq.PUB)
	ctx, cancel := within(waitShort)
	defer cancel()
	if _, err := pub.Recv(ctx); !errors.Is(err, zmq.ErrNotSupported) {
		t.Errorf("PUB Recv: %v, want ErrNotSupported", err)
	}
	sub := newSocket(t, zmq.SUB)
	if err := sub.Send(ctx, zmq.NewMsg([]byte("x"))); !errors.Is(err, zmq.ErrNotSupported) {
		t.Errorf("SUB Send: %v, want ErrNotSupported", err)
	}
}

// TestXPubManual: with XPUB_MANUAL the application decides what each peer receives.
func TestXPubManual(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		xpub := newSocket(t, zmq.XPUB, zmq.WithXPubManual(true))
		xsub := newSocket(t, zmq.XSUB)
		link(t, tr, xpub, xsub)
		sendString(t, xsub, "\x01a")
		expectRecvString(t, xpub, "\x01a")
		sendString(t, xsub, "\x01a") // duplicates reach the application too
		expectRecvString(t, xpub, "\x01a")
		if err := xpub.Subscribe([]byte("b")); err != nil { // instead of "a"
			t.Fatal(err)
		}
		sendString(t, xpub, "a1")
		sendString(t, xpub, "b1")
		expectRecvString(t, xsub, "b1")
		if err := xpub.Unsubscribe([]byte("b")); err != nil {
			t.Fatal(err)
		}
		sendString(t, xpub, "b2")
		expectNoMsg(t, xsub, waitShort)
		if err := newSocket(t, zmq.XPUB).Subscribe([]byte("x")); !errors.Is(err, zmq.ErrNotSupported) {
			t.Fatalf("Subscribe on an XPUB without XPUB_MANUAL: %v, want ErrNotSupported", err)
		}
	})
}
