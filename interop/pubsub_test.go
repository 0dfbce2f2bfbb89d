package interop

import (
	"context"
	"errors"
	"testing"
	"time"

	zmq4 "github.com/pebbe/zmq4"
	"github.com/purezmq/zmq"
)

// connectPair binds one side on transport tr and connects the other.
func connectPair(t *testing.T, tr string, ps *zmq.Socket, ls *zmq4.Socket, pureBinds bool) {
	t.Helper()
	if pureBinds {
		if err := ls.Connect(pureBind(t, ps, bindAddr(t, tr))); err != nil {
			t.Fatal(err)
		}
		return
	}
	if err := ps.Connect(libBind(t, ls, bindAddr(t, tr))); err != nil {
		t.Fatal(err)
	}
}

// pureRecvShort receives from a purezmq socket for at most d.
func pureRecvShort(s *zmq.Socket, d time.Duration) ([][]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	m, err := s.Recv(ctx)
	return m.Frames, err
}

// libRecvShort receives from a libzmq socket for at most d.
func libRecvShort(s *zmq4.Socket, d time.Duration) ([][]byte, error) {
	if err := s.SetRcvtimeo(d); err != nil {
		return nil, err
	}
	defer s.SetRcvtimeo(ioTimeout)
	return s.RecvMessageBytes(0)
}

// publishUntil publishes others and want from pub until recv returns want: the subscription
// takes a moment to reach the publisher. None of others may arrive meanwhile.
func publishUntil(t *testing.T, pub peer, recv func() ([][]byte, error), want string, others ...string) {
	t.Helper()
	for deadline := time.Now().Add(ioTimeout); time.Now().Before(deadline); {
		for _, o := range others {
			mustSend(t, pub, [][]byte{[]byte(o)})
		}
		mustSend(t, pub, [][]byte{[]byte(want)})
		got, err := recv()
		if err != nil {
			continue
		}
		if len(got) != 1 {
			t.Fatalf("subscriber received %s, want only %q", sizes(got), want)
		}
		if string(got[0]) == want {
			return
		}
		for _, o := range others {
			if string(got[0]) == o {
				t.Fatalf("subscriber received %q, which it is not subscribed to", o)
			}
		}
		// Otherwise a late copy of what an earlier publishUntil waited for.
	}
	t.Fatalf("the subscriber never received %q", want)
}

// TestPubSubWithLib: purezmq PUB → libzmq SUB and libzmq PUB → purezmq SUB, each side binding,
// with filtering at the publisher and the subscriber.
func TestPubSubWithLib(t *testing.T) {
	for _, tr := range transports {
		for _, pureBinds := range []bool{true, false} {
			suffix := "/" + tr + map[bool]string{true: "/pure-binds", false: "/lib-binds"}[pureBinds]
			t.Run("pure-PUB-lib-SUB"+suffix, func(t *testing.T) {
				ps := newPure(t, zmq.PUB)
				ls := newLib(t, newLibCtx(t), zmq.SUB)
				if err := ls.SetSubscribe("a."); err != nil {
					t.Fatal(err)
				}
				connectPair(t, tr, ps, ls, pureBinds)
				recv := func() ([][]byte, error) { return libRecvShort(ls, 10*time.Millisecond) }
				publishUntil(t, purePeer{ps}, recv, "a.1", "b.0", "a")
				if err := ls.SetUnsubscribe("a."); err != nil {
					t.Fatal(err)
				}
				if err := ls.SetSubscribe("c."); err != nil {
					t.Fatal(err)
				}
				publishUntil(t, purePeer{ps}, recv, "c.1", "a.2", "b.2")
			})
			t.Run("lib-PUB-pure-SUB"+suffix, func(t *testing.T) {
				ls := newLib(t, newLibCtx(t), zmq.PUB)
				ps := newPure(t, zmq.SUB)
				if err := ps.Subscribe([]byte("a.")); err != nil {
					t.Fatal(err)
				}
				connectPair(t, tr, ps, ls, pureBinds)
				recv := func() ([][]byte, error) { return pureRecvShort(ps, 10*time.Millisecond) }
				publishUntil(t, libPeer{ls}, recv, "a.1", "b.0", "a")
				if err := errors.Join(ps.Unsubscribe([]byte("a.")), ps.Subscribe([]byte("c."))); err != nil {
					t.Fatal(err)
				}
				publishUntil(t, libPeer{ls}, recv, "c.1", "a.2", "b.2")
			})
		}
	}
}

// TestXPubXSubWithLib: XPUB and XSUB in each role against libzmq's SUB, XSUB, PUB and XPUB,
// with the subscription messages visible to the application on the XPUB side.
func TestXPubXSubWithLib(t *testing.T) {
	for _, tr := range transports {
		t.Run("pure-XPUB-lib-SUB/"+tr, func(t *testing.T) {
			ps := newPure(t, zmq.XPUB)
			ls := newLib(t, newLibCtx(t), zmq.SUB)
			connectPair(t, tr, ps, ls, true)
			if err := ls.SetSubscribe("x"); err != nil {
				t.Fatal(err)
			}
			expect(t, purePeer{ps}, [][]byte{[]byte("\x01x")})
			mustSend(t, purePeer{ps}, [][]byte{[]byte("y")})
			mustSend(t, purePeer{ps}, [][]byte{[]byte("x1")})
			expect(t, libPeer{ls}, [][]byte{[]byte("x1")})
			if err := ls.SetUnsubscribe("x"); err != nil {
				t.Fatal(err)
			}
			expect(t, purePeer{ps}, [][]byte{[]byte("\x00x")})
		})
		t.Run("lib-XPUB-pure-SUB/"+tr, func(t *testing.T) {
			ls := newLib(t, newLibCtx(t), zmq.XPUB)
			ps := newPure(t, zmq.SUB)
			connectPair(t, tr, ps, ls, false)
			if err := ps.Subscribe([]byte("x")); err != nil {
				t.Fatal(err)
			}
			expect(t, libPeer{ls}, [][]byte{[]byte("\x01x")})
			mustSend(t, libPeer{ls}, [][]byte{[]byte("y")})
			mustSend(t, libPeer{ls}, [][]byte{[]byte("x1")})
			expect(t, purePeer{ps}, [][]byte{[]byte("x1")})
			if err := ps.Unsubscribe([]byte("x")); err != nil {
				t.Fatal(err)
			}
			expect(t, libPeer{ls}, [][]byte{[]byte("\x00x")})
		})
		t.Run("pure-XSUB-lib-XPUB/"+tr, func(t *testing.T) {
			ls := newLib(t, newLibCtx(t), zmq.XPUB)
			ps := newPure(t, zmq.XSUB)
			connectPair(t, tr, ps, ls, false)
			mustSend(t, purePeer{ps}, [][]byte{[]byte("\x01x")})
			expect(t, libPeer{ls}, [][]byte{[]byte("\x01x")})
			mustSend(t, libPeer{ls}, [][]byte{[]byte("y")})
			mustSend(t, libPeer{ls}, [][]byte{[]byte("x1")})
			expect(t, purePeer{ps}, [][]byte{[]byte("x1")})
			mustSend(t, purePeer{ps}, [][]byte{[]byte("\x00x")})
			expect(t, libPeer{ls}, [][]byte{[]byte("\x00x")})
		})
		t.Run("lib-XSUB-pure-XPUB/"+tr, func(t *testing.T) {
			ps := newPure(t, zmq.XPUB)
			ls := newLib(t, newLibCtx(t), zmq.XSUB)
			connectPair(t, tr, ps, ls, true)
			mustSend(t, libPeer{ls}, [][]byte{[]byte("\x01x")})
			expect(t, purePeer{ps}, [][]byte{[]byte("\x01x")})
			mustSend(t, purePeer{ps}, [][]byte{[]byte("y")})
			mustSend(t, purePeer{ps}, [][]byte{[]byte("x1")})
			expect(t, libPeer{ls}, [][]byte{[]byte("x1")})
			mustSend(t, libPeer{ls}, [][]byte{[]byte("\x00x")})
			expect(t, purePeer{ps}, [][]byte{[]byte("\x00x")})
		})
	}
}

// TestForwarderWithLib: publisher → XSUB|XPUB forwarder → subscribers across the libraries: a
// libzmq forwarder (zmq_proxy_steerable) between purezmq peers, and a purezmq forwarder between
// libzmq peers, each with a subscriber joining late and one unsubscribing.
func TestForwarderWithLib(t *testing.T) {
	t.Run("libzmq-forwarder", func(t *testing.T) {
		ctx := newLibCtx(t)
		xsub, xpub := newLib(t, ctx, zmq.XSUB), newLib(t, ctx, zmq.XPUB)
		front, back := libBind(t, xsub, "tcp://127.0.0.1:*"), libBind(t, xpub, "tcp://127.0.0.1:*")
		ctl, ctlPeer := newLib(t, ctx, zmq.PAIR), newLib(t, ctx, zmq.PAIR)
		if err := errors.Join(ctl.Bind("inproc://proxy-ctl"), ctlPeer.Connect("inproc://proxy-ctl")); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- zmq4.ProxySteerable(xsub, xpub, nil, ctl) }()
		t.Cleanup(func() { // before the sockets close: libzmq sockets are not thread safe
			if _, err := ctlPeer.Send("TERMINATE", 0); err != nil {
				t.Errorf("proxy TERMINATE: %v", err)
			}
			<-done
		})

		pub := newPure(t, zmq.PUB)
		if err := pub.Connect(front); err != nil {
			t.Fatal(err)
		}
		forwarderCase(t, purePeer{pub}, back)
	})
	t.Run("purezmq-forwarder", func(t *testing.T) {
		xsub, xpub := newPure(t, zmq.XSUB), newPure(t, zmq.XPUB)
		front, back := pureBind(t, xsub, "tcp://127.0.0.1:*"), pureBind(t, xpub, "tcp://127.0.0.1:*")
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{}, 2)
		fwd := func(from, to *zmq.Socket) {
			defer func() { done <- struct{}{} }()
			for {
				m, err := from.Recv(ctx)
				if err != nil {
					return
				}
				if to.Send(ctx, m) != nil {
					return
				}
			}
		}
		go fwd(xsub, xpub)
		go fwd(xpub, xsub)
		t.Cleanup(func() { cancel(); <-done; <-done })

		pub := newLib(t, newLibCtx(t), zmq.PUB)
		if err := pub.Connect(front); err != nil {
			t.Fatal(err)
		}
		forwarderCase(t, libPeer{pub}, back)
	})
}

// forwarderCase drives subscribers of both libraries on a forwarder's back end: one from the
// start, one joining late, one unsubscribing.
func forwarderCase(t *testing.T, pub peer, back string) {
	t.Helper()
	s1 := newPure(t, zmq.SUB)
	s2 := newLib(t, newLibCtx(t), zmq.SUB)
	if err := errors.Join(s1.Subscribe([]byte("news.")), s1.Connect(back), s2.SetSubscribe("news."), s2.Connect(back)); err != nil {
		t.Fatal(err)
	}
	recv1 := func() ([][]byte, error) { return pureRecvShort(s1, 10*time.Millisecond) }
	recv2 := func() ([][]byte, error) { return libRecvShort(s2, 10*time.Millisecond) }
	publishUntil(t, pub, recv1, "news.1", "sports.1")
	publishUntil(t, pub, recv2, "news.2", "sports.2")

	late := newPure(t, zmq.SUB)
	if err := errors.Join(late.Connect(back), late.Subscribe([]byte("sports."))); err != nil {
		t.Fatal(err)
	}
	recvLate := func() ([][]byte, error) { return pureRecvShort(late, 10*time.Millisecond) }
	publishUntil(t, pub, recvLate, "sports.3", "weather.3")

	// s2 unsubscribes; s1 keeps news flowing, and s2 gets no more of it.
	if err := s2.SetUnsubscribe("news."); err != nil {
		t.Fatal(err)
	}
	drain := func(recv func() ([][]byte, error)) {
		for {
			if _, err := recv(); err != nil {
				return
			}
		}
	}
	drain(recv2)
	drain(recv1)
	publishUntil(t, pub, recv1, "news.4", "weather.4")
	if m, err := libRecvShort(s2, quiet); err == nil {
		t.Fatalf("libzmq SUB received %s after unsubscribing", sizes(m))
	}
}
