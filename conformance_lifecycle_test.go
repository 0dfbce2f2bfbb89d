package zmq_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/internal/parked"
)

// TestConformanceLinger: LINGER governs what happens to messages queued at Close, and
// Context.Close is what waits for them. With a long linger, everything sent before Close
// reaches the peer, even one that is not connected yet at Close; with linger 0 nothing waits,
// and with a short one Context.Close gives up at its end when the peer never comes.
func TestConformanceLinger(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		t.Run("delivers", func(t *testing.T) {
			const n = 1000
			zc := zmq.NewContext()
			pull := peerSocket(t, tr, zc, zmq.PULL)
			ep := bind(t, pull, tr.wildcard())
			push := ctxSocket(t, zc, zmq.PUSH, zmq.WithLinger(5*time.Second))
			connect(t, push, ep)
			sendSeq(t, push, n)
			if err := push.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			expectSeq(t, pull, n)
			if err := zc.Close(); err != nil {
				t.Fatalf("Context.Close: %v", err)
			}
		})
		// Linger is a timer: these two run in a synctest bubble, where the waits are
		// measured on the bubble's clock, to the instant. Nobody is there, so the connect
		// side's attempts (real dials, refused at once) never keep the clock from moving.
		t.Run("zero", func(t *testing.T) {
			ep := tr.fixed(t)
			synctest.Test(t, func(t *testing.T) {
				zc := zmq.NewContext()
				push := ctxSocket(t, zc, zmq.PUSH, zmq.WithLinger(0))
				connect(t, push, ep) // nobody there: everything stays queued
				sendSeq(t, push, 100)
				start := time.Now()
				if err := push.Close(); err != nil {
					t.Fatalf("Close: %v", err)
				}
				if err := zc.Close(); err != nil {
					t.Fatalf("Context.Close: %v", err)
				}
				if d := time.Since(start); d != 0 {
					t.Fatalf("Close and Context.Close with linger 0 waited %v", d)
				}
			})
		})
		t.Run("bound-side-delivers-last-reply", func(t *testing.T) {
			// A bound socket's connections stay open while it lingers: the classic REP that
			// answers and exits must not lose its answer.
			zc := zmq.NewContext()
			rep := ctxSocket(t, zc, zmq.REP, zmq.WithLinger(waitLong))
			req := peerSocket(t, tr, zc, zmq.REQ)
			link(t, tr, rep, req)
			sendString(t, req, "question")
			expectRecvString(t, rep, "question")
			sendString(t, rep, "last answer")
			if err := rep.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			expectRecvString(t, req, "last answer")
			if err := zc.Close(); err != nil {
				t.Fatalf("Context.Close: %v", err)
			}
		})
		t.Run("peer-arrives-while-lingering", func(t *testing.T) {
			// An hour's linger: Context.Close returning at all shows it stopped waiting
			// because the queue was delivered, not because the linger ran out.
			zc := zmq.NewContext()
			push := ctxSocket(t, zc, zmq.PUSH, zmq.WithLinger(time.Hour))
			ep := tr.fixed(t)
			connect(t, push, ep) // before anyone binds: the message queues
			send(t, push, []byte("late but delivered"))
			if err := push.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			pull := peerSocket(t, tr, zc, zmq.PULL)
			bind(t, pull, ep)
			expectRecv(t, pull, []byte("late but delivered"))
			closed := make(chan error, 1)
			go func() { closed <- zc.Close() }()
			select {
			case err := <-closed:
				if err != nil {
					t.Fatalf("Context.Close: %v", err)
				}
			case <-time.After(waitLong):
				t.Fatal("Context.Close still lingering after the queue was delivered")
			}
		})
		t.Run("bounded", func(t *testing.T) {
			ep := tr.fixed(t)
			synctest.Test(t, func(t *testing.T) {
				const linger = 200 * time.Millisecond
				zc := zmq.NewContext()
				push := ctxSocket(t, zc, zmq.PUSH, zmq.WithLinger(linger))
				connect(t, push, ep)
				send(t, push, []byte("never delivered"))
				start := time.Now()
				if err := push.Close(); err != nil {
					t.Fatalf("Close: %v", err)
				}
				if d := time.Since(start); d != 0 {
					t.Fatalf("Close with linger %v and an undeliverable message waited %v", linger, d)
				}
				if err := zc.Close(); err != nil {
					t.Fatalf("Context.Close: %v", err)
				}
				if d := time.Since(start); d != linger {
					t.Fatalf("Context.Close with linger %v and an undeliverable message took %v", linger, d)
				}
			})
		})
	})
}

// TestConformanceReconnect: a connect-side socket outlives its bound peer: when the peer closes
// and a new socket binds the same endpoint, messages flow again with no help from the
// application.
func TestConformanceReconnect(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		first := newSocket(t, zmq.PULL)
		ep := bind(t, first, tr.wildcard()) // tcp: the port is now fixed for the rebind
		push := newSocket(t, zmq.PUSH, zmq.WithReconnectIvl(10*time.Millisecond), zmq.WithSendHWM(10))
		connect(t, push, ep)

		// Send continuously: messages written into the dying connection are lost, as with
		// libzmq, so the test only asks that some arrive before and after.
		ctx, cancel := context.WithCancel(context.Background())
		sent := make(chan error, 1)
		go func() {
			for i := uint32(0); ; i++ {
				if err := push.Send(ctx, zmq.NewMsg(u32(i))); err != nil {
					if errors.Is(err, context.Canceled) {
						err = nil
					}
					sent <- err
					return
				}
			}
		}()
		defer func() {
			cancel()
			if err := <-sent; err != nil {
				t.Errorf("sender: %v", err)
			}
		}()

		recvWithin(t, first, waitLong)
		if err := first.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		second := newSocket(t, zmq.PULL)
		if err := second.Bind(ep); err != nil {
			t.Fatalf("rebinding %s: %v", ep, err)
		}
		recvWithin(t, second, waitLong)
	})
}

// TestConformanceConnectBeforeBind: Connect to an endpoint nobody has bound yet succeeds, the
// messages sent meanwhile queue, and they arrive in order once a peer binds.
func TestConformanceConnectBeforeBind(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		t.Run("PUSH-PULL", func(t *testing.T) {
			ep := tr.fixed(t)
			push := newSocket(t, zmq.PUSH)
			connect(t, push, ep)
			for i := range 3 {
				sendString(t, push, fmt.Sprintf("early-%d", i))
			}
			pull := newSocket(t, zmq.PULL)
			bind(t, pull, ep)
			for i := range 3 {
				expectRecvString(t, pull, fmt.Sprintf("early-%d", i))
			}
		})
		t.Run("REQ-REP", func(t *testing.T) {
			ep := tr.fixed(t)
			req := newSocket(t, zmq.REQ)
			connect(t, req, ep)
			sendString(t, req, "question")
			rep := newSocket(t, zmq.REP)
			bind(t, rep, ep)
			expectRecvString(t, rep, "question")
			sendString(t, rep, "answer")
			expectRecvString(t, req, "answer")
		})
		t.Run("DEALER-ROUTER", func(t *testing.T) {
			ep := tr.fixed(t)
			dealer := newSocket(t, zmq.DEALER, zmq.WithRoutingID([]byte("early")))
			connect(t, dealer, ep)
			sendString(t, dealer, "queued")
			router := newSocket(t, zmq.ROUTER)
			bind(t, router, ep)
			expectRecvString(t, router, "early", "queued")
			sendString(t, router, "early", "welcome")
			expectRecvString(t, dealer, "welcome")
		})
	})
}

// TestConformanceUnbindDisconnect: Unbind and Disconnect stop what Bind and Connect started and
// fail with ErrNotFound for endpoints the socket does not have (in that role).
func TestConformanceUnbindDisconnect(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		pull := newSocket(t, zmq.PULL)
		ep := bind(t, pull, tr.wildcard())
		push := newSocket(t, zmq.PUSH)
		connect(t, push, ep)
		sendString(t, push, "before")
		expectRecvString(t, pull, "before")

		unknown := tr.fixed(t)
		expectErr(t, "Unbind of an unknown endpoint", pull.Unbind(unknown), zmq.ErrNotFound)
		expectErr(t, "Disconnect of an unknown endpoint", push.Disconnect(unknown), zmq.ErrNotFound)
		expectErr(t, "Unbind of a connected endpoint", push.Unbind(ep), zmq.ErrNotFound)
		expectErr(t, "Disconnect of a bound endpoint", pull.Disconnect(ep), zmq.ErrNotFound)

		if err := push.Disconnect(ep); err != nil {
			t.Fatalf("Disconnect(%q): %v", ep, err)
		}
		expectErr(t, "second Disconnect", push.Disconnect(ep), zmq.ErrNotFound)
		// No peer left: a PUSH blocks.
		expectErr(t, "Send after Disconnect", trySend(push, "nowhere"), context.DeadlineExceeded)

		if err := pull.Unbind(ep); err != nil {
			t.Fatalf("Unbind(%q): %v", ep, err)
		}
		expectErr(t, "second Unbind", pull.Unbind(ep), zmq.ErrNotFound)

		// The endpoint is free again, and new peers reach the new binder only.
		other := newSocket(t, zmq.PULL)
		bind(t, other, ep)
		push2 := newSocket(t, zmq.PUSH)
		connect(t, push2, ep)
		sendString(t, push2, "after")
		expectRecvString(t, other, "after")
		expectNoMsg(t, pull, waitShort)
	})
}

var allTypes = []zmq.Type{zmq.PAIR, zmq.REQ, zmq.REP, zmq.DEALER, zmq.ROUTER, zmq.PUSH, zmq.PULL}

// expectClosed checks that err reports a closed socket both ways callers may test for it.
func expectClosed(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, zmq.ErrClosed) || !errors.Is(err, net.ErrClosed) {
		t.Errorf("%s on a closed socket: %v, want an error matching zmq.ErrClosed and net.ErrClosed", what, err)
	}
}

// TestConformanceClosed: every operation on a closed socket fails with ErrClosed, which also
// matches net.ErrClosed.
func TestConformanceClosed(t *testing.T) {
	for _, typ := range allTypes {
		t.Run(typ.String(), func(t *testing.T) {
			t.Parallel()
			s := newSocket(t, typ)
			ep := bind(t, s, "tcp://127.0.0.1:*")
			connect(t, s, "inproc://closed-peer-"+typ.String())
			if err := s.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			ctx, cancel := within(waitShort)
			defer cancel()
			expectClosed(t, "Send", s.Send(ctx, zmq.NewMsgString("x", "y")))
			_, err := s.Recv(ctx)
			expectClosed(t, "Recv", err)
			expectClosed(t, "Bind", s.Bind("tcp://127.0.0.1:*"))
			expectClosed(t, "Bind inproc", s.Bind(inprocName()))
			expectClosed(t, "Connect", s.Connect(ep))
			expectClosed(t, "Connect inproc", s.Connect(inprocName()))
			expectClosed(t, "Unbind", s.Unbind(ep))
			expectClosed(t, "Disconnect", s.Disconnect("inproc://closed-peer-"+typ.String()))
			expectClosed(t, "second Close", s.Close())
		})
	}
}

// TestConformanceCloseUnblocks: a Send or Recv blocked in another goroutine returns ErrClosed
// when the socket is closed.
func TestConformanceCloseUnblocks(t *testing.T) {
	cases := []struct {
		typ  zmq.Type
		op   string
		prep func(t *testing.T, s *zmq.Socket)
	}{
		{zmq.PAIR, "Recv", nil},
		{zmq.REQ, "Recv", func(t *testing.T, s *zmq.Socket) {
			connect(t, s, inprocName()) // the request queues; the reply never comes
			sendString(t, s, "request")
		}},
		{zmq.REP, "Recv", nil},
		{zmq.DEALER, "Recv", nil},
		{zmq.ROUTER, "Recv", nil},
		{zmq.PULL, "Recv", nil},
		{zmq.PUSH, "Send", nil}, // no peer: blocks
		{zmq.DEALER, "Send", nil},
		{zmq.PAIR, "Send", nil},
		{zmq.REQ, "Send", nil},
	}
	for _, c := range cases {
		t.Run(c.typ.String()+"-"+c.op, func(t *testing.T) {
			t.Parallel()
			s := newSocket(t, c.typ)
			if c.prep != nil {
				c.prep(t, s)
			}
			ctx, cancel := within(waitLong)
			defer cancel()
			done := make(chan error, 1)
			where := recvParked
			id := goID(func() {
				if c.op == "Recv" {
					_, err := s.Recv(ctx)
					done <- err
				} else {
					done <- s.Send(ctx, zmq.NewMsgString("stuck"))
				}
			})
			if c.op == "Send" {
				where = sendParked
			}
			// Close once the call is blocked: parked in its wait, unless it returns first.
			if err := parked.Until(ctx, where, func(blocked map[uint64]bool) bool {
				select {
				case err := <-done:
					t.Fatalf("%s returned %v with nothing to do; it should block", c.op, err)
				default:
				}
				return blocked[id]
			}); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			select {
			case err := <-done:
				expectClosed(t, "blocked "+c.op, err)
			case <-ctx.Done():
				t.Fatalf("blocked %s did not return after Close", c.op)
			}
		})
	}
}

// TestConformanceConcurrentSenders: eight goroutines send multipart messages on one socket at
// once; each message arrives whole, never interleaved with another's frames, and each
// goroutine's messages arrive in its order.
func TestConformanceConcurrentSenders(t *testing.T) {
	const (
		goroutines = 8
		perG       = 200
		frames     = 5
	)
	cases := []struct {
		name     string
		snd, rcv zmq.Type
		envelope int
	}{
		{"PUSH-PULL", zmq.PUSH, zmq.PULL, 0},
		{"DEALER-ROUTER", zmq.DEALER, zmq.ROUTER, 1},
		{"DEALER-DEALER", zmq.DEALER, zmq.DEALER, 0},
	}
	forEachTransport(t, func(t *testing.T, tr transport) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				snd, rcv := newSocket(t, c.snd), newSocket(t, c.rcv)
				link(t, tr, rcv, snd)
				ctx, cancel := within(4 * waitLong)
				defer cancel()
				var wg sync.WaitGroup
				errs := make(chan error, goroutines)
				for g := range byte(goroutines) {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for i := range uint32(perG) {
							m := zmq.Msg{Frames: make([][]byte, frames)}
							for f := range m.Frames {
								m.Frames[f] = append([]byte{g, byte(f)}, u32(i)...)
							}
							if err := snd.Send(ctx, m); err != nil {
								errs <- fmt.Errorf("goroutine %d message %d: %w", g, i, err)
								return
							}
						}
					}()
				}
				next := make([]uint32, goroutines)
				for n := range goroutines * perG {
					m, err := rcv.Recv(ctx)
					if err != nil {
						t.Fatalf("Recv #%d: %v", n, err)
					}
					body := m.Frames[min(c.envelope, len(m.Frames)):]
					if len(body) != frames {
						t.Fatalf("message #%d has %d frames, want %d: %s", n, len(body), frames, fmtFrames(m.Frames))
					}
					g := body[0][0]
					if int(g) >= goroutines {
						t.Fatalf("message #%d from unknown goroutine %d", n, g)
					}
					for f, fr := range body {
						want := append([]byte{g, byte(f)}, u32(next[g])...)
						if string(fr) != string(want) {
							t.Fatalf("message #%d frame %d is %x, want %x: frames interleaved or out of order",
								n, f, fr, want)
						}
					}
					next[g]++
				}
				wg.Wait()
				close(errs)
				for err := range errs {
					t.Error(err)
				}
			})
		}
	})
}

// TestConformanceContext: inproc names live in their context, and closing a context closes its
// sockets (unblocking their callers) and refuses new ones.
func TestConformanceContext(t *testing.T) {
	t.Parallel()
	c1, c2 := zmq.NewContext(), zmq.NewContext()
	defer c2.Close()
	open := func(c *zmq.Context, typ zmq.Type) *zmq.Socket {
		s, err := c.NewSocket(typ, zmq.WithLinger(0))
		if err != nil {
			t.Fatalf("NewSocket: %v", err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	const ep = "inproc://same-name-in-two-contexts"
	pull1, pull2 := open(c1, zmq.PULL), open(c2, zmq.PULL)
	bind(t, pull1, ep)
	bind(t, pull2, ep) // another namespace: no conflict
	push2 := open(c2, zmq.PUSH)
	connect(t, push2, ep)
	sendString(t, push2, "to context 2")
	expectRecvString(t, pull2, "to context 2")
	expectNoMsg(t, pull1, waitShort)

	done := make(chan error, 1)
	go func() {
		ctx, cancel := within(waitLong)
		defer cancel()
		_, err := pull1.Recv(ctx)
		done <- err
	}()
	if err := c1.Close(); err != nil {
		t.Fatalf("Context.Close: %v", err)
	}
	expectClosed(t, "Recv blocked during Context.Close", <-done)
	expectClosed(t, "Bind after Context.Close", pull1.Bind(inprocName()))
	if _, err := c1.NewSocket(zmq.PUSH); !errors.Is(err, zmq.ErrClosed) {
		t.Fatalf("NewSocket on a closed context: %v, want ErrClosed", err)
	}
}
