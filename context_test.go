package zmq_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/internal/parked"
	"go.uber.org/goleak"
)

// ctxSocket opens a socket of zc, closed at the end of the test.
func ctxSocket(t testing.TB, zc *zmq.Context, typ zmq.Type, opts ...zmq.Option) *zmq.Socket {
	t.Helper()
	s, err := zc.NewSocket(typ, opts...)
	if err != nil {
		t.Fatalf("NewSocket(%v): %v", typ, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// peerSocket opens, with LINGER 0, the peer of a socket of zc: in zc for inproc, whose names
// are per context, else in the default context, which outlives zc's Close.
func peerSocket(t testing.TB, tr transport, zc *zmq.Context, typ zmq.Type) *zmq.Socket {
	t.Helper()
	if tr.name == "inproc" {
		return ctxSocket(t, zc, typ, zmq.WithLinger(0))
	}
	return newSocket(t, typ)
}

// sendSeq sends messages 0 to n-1, each its number.
func sendSeq(t testing.TB, s *zmq.Socket, n int) {
	t.Helper()
	for i := range uint32(n) {
		send(t, s, u32(i))
	}
}

// expectSeq receives messages 0 to n-1, in order.
func expectSeq(t testing.TB, s *zmq.Socket, n int) {
	t.Helper()
	for i := range uint32(n) {
		m := recvWithin(t, s, waitLong)
		if got := seqOf(t, m.Frames[0]); got != i {
			t.Fatalf("message %d carries %d", i, got)
		}
	}
}

// TestCloseReturnsWhileLingering: Close returns at once however long LINGER is, as zmq_close;
// the socket lingers in the background, so what it queued before Close reaches a peer that
// binds only after Close has returned.
func TestCloseReturnsWhileLingering(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		const n = 100
		zc := zmq.NewContext()
		ep := tr.fixed(t)
		push := ctxSocket(t, zc, zmq.PUSH, zmq.WithLinger(time.Hour))
		connect(t, push, ep) // nobody there yet: everything stays queued
		sendSeq(t, push, n)
		if err := push.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		pull := ctxSocket(t, zc, zmq.PULL, zmq.WithLinger(0)) // same context: inproc names are per context
		bind(t, pull, ep)
		expectSeq(t, pull, n)
		if err := zc.Close(); err != nil {
			t.Fatalf("Context.Close: %v", err)
		}
	})
}

// TestContextCloseWaitsForLinger: Context.Close is where the wait happens, as zmq_ctx_term: it
// returns once a closed socket's queue is written to a peer that came after Close, and what
// it wrote is all there for the peer to read afterwards.
func TestContextCloseWaitsForLinger(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		if tr.name == "inproc" {
			t.Skip("the peer would have to be in the closing context") // TestCloseReturnsWhileLingering covers inproc
		}
		const n = 100
		zc := zmq.NewContext()
		ep := tr.fixed(t)
		push := ctxSocket(t, zc, zmq.PUSH, zmq.WithLinger(time.Hour))
		connect(t, push, ep)
		sendSeq(t, push, n)
		if err := push.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		closed := make(chan error, 1)
		go func() { closed <- zc.Close() }()
		pull := newSocket(t, zmq.PULL) // another context, after Context.Close began
		bind(t, pull, ep)
		select {
		case err := <-closed:
			if err != nil {
				t.Fatalf("Context.Close: %v", err)
			}
		case <-time.After(waitLong):
			t.Fatal("Context.Close still waiting after the peer came")
		}
		expectSeq(t, pull, n)
	})
}

// TestContextCloseBoundedByLinger: Close never waits, whatever LINGER is; Context.Close waits
// for an undeliverable message as long as LINGER says, and Shutdown at most until its ctx ends,
// to the instant (on synctest's clock). Inproc, so that nothing but timers keeps the bubble
// busy, and synctest fails the test if a goroutine of the context outlives Shutdown blocked.
func TestContextCloseBoundedByLinger(t *testing.T) {
	const none, cancelled = 0, -1 // shutdown: Context.Close, Shutdown with a ctx already done
	for _, tc := range []struct {
		name     string
		linger   []zmq.Option
		shutdown time.Duration // Shutdown's ctx timeout, or none or cancelled
		want     time.Duration // how long Context.Close or Shutdown waits
		wantErr  error
	}{
		{"zero", []zmq.Option{zmq.WithLinger(0)}, none, 0, nil},
		{"200ms", []zmq.Option{zmq.WithLinger(200 * time.Millisecond)}, none, 200 * time.Millisecond, nil},
		{"default", nil, none, 30 * time.Second, nil},
		{"shutdown-within-linger", []zmq.Option{zmq.WithLinger(200 * time.Millisecond)}, time.Minute, 200 * time.Millisecond, nil},
		{"shutdown-deadline", []zmq.Option{zmq.WithLinger(-1)}, time.Minute, time.Minute, context.DeadlineExceeded},
		{"shutdown-cancelled", []zmq.Option{zmq.WithLinger(time.Hour)}, cancelled, 0, context.Canceled},
		{"shutdown-cancelled-nothing-lingers", []zmq.Option{zmq.WithLinger(0)}, cancelled, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				zc := zmq.NewContext()
				push := ctxSocket(t, zc, zmq.PUSH, tc.linger...)
				connect(t, push, "inproc://nobody-binds-this")
				sendString(t, push, "never delivered")
				start := time.Now()
				if err := push.Close(); err != nil {
					t.Fatalf("Close: %v", err)
				}
				if d := time.Since(start); d != 0 {
					t.Fatalf("Close waited %v", d)
				}
				var err error
				switch tc.shutdown {
				case none:
					err = zc.Close()
				case cancelled:
					ctx, cancel := context.WithCancel(t.Context())
					cancel()
					err = zc.Shutdown(ctx)
				default:
					ctx, cancel := context.WithTimeout(t.Context(), tc.shutdown)
					defer cancel()
					err = zc.Shutdown(ctx)
				}
				if d := time.Since(start); d != tc.want || !errors.Is(err, tc.wantErr) || (err == nil) != (tc.wantErr == nil) {
					t.Fatalf("Context.Close/Shutdown returned %v after %v, want %v after %v", err, d, tc.wantErr, tc.want)
				}
				if err := zc.Close(); !errors.Is(err, zmq.ErrClosed) {
					t.Errorf("closing the context again: %v, want ErrClosed", err)
				}
				if _, err := zc.NewSocket(zmq.PULL); !errors.Is(err, zmq.ErrClosed) {
					t.Errorf("NewSocket in a closed context: %v, want ErrClosed", err)
				}
			})
		})
	}
}

// TestContextShutdownLeavesNoGoroutines: when Shutdown gives up (its ctx ends), every goroutine
// of its sockets is gone by the time it returns: a socket reconnecting to nobody, and one whose
// writer is stuck in a write to a peer that does not read. Not parallel, so goleak sees only
// this test's goroutines.
func TestContextShutdownLeavesNoGoroutines(t *testing.T) {
	for _, tr := range transports[:2] { // tcp, ipc: the ones with goroutines
		t.Run(tr.name, func(t *testing.T) {
			ignore := goleak.IgnoreCurrent()
			other := zmq.NewContext()
			pull := ctxSocket(t, other, zmq.PULL, zmq.WithLinger(0), zmq.WithRecvHWM(1))
			ep := bind(t, pull, tr.wildcard())

			zc := zmq.NewContext()
			stuck := ctxSocket(t, zc, zmq.PUSH, zmq.WithLinger(-1), zmq.WithSendHWM(1))
			connect(t, stuck, ep)
			// A sender fills the connection until its writer is stuck in a write and the
			// sender itself waits at the HWM.
			sent := make(chan error, 1)
			sender := goID(func() {
				var err error
				for err == nil {
					err = stuck.Send(t.Context(), zmq.NewMsg(make([]byte, 1<<20)))
				}
				sent <- err
			})
			wait, cancelWait := within(waitLong)
			defer cancelWait()
			if err := parked.AtLeast(wait, writeParked, 1); err != nil {
				t.Fatal(err)
			}
			waitParked(t, sendParked, sender)
			waiting := ctxSocket(t, zc, zmq.PUSH, zmq.WithLinger(-1), zmq.WithReconnectIvl(time.Millisecond))
			connect(t, waiting, tr.fixed(t))
			sendString(t, waiting, "never delivered")

			ctx, cancel := context.WithTimeout(t.Context(), waitShort)
			defer cancel()
			if err := zc.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Shutdown with messages that cannot be written: %v, want DeadlineExceeded", err)
			}
			if err := <-sent; !errors.Is(err, zmq.ErrClosed) {
				t.Errorf("the sender blocked at the HWM: %v, want ErrClosed", err)
			}
			if err := other.Close(); err != nil {
				t.Fatalf("closing the peer's context: %v", err)
			}
			goleak.VerifyNone(t, ignore)
		})
	}
}
