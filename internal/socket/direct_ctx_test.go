//go:build unix

package socket

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/purezmq/zmq/internal/parked"
	"github.com/purezmq/zmq/internal/pipe"
)

// countingCtx is a cancellable ctx that counts the context.AfterFunc registrations made on it:
// context.AfterFunc uses a parent's own AfterFunc method when it has one, and Value hides the
// cancelCtx underneath so that it does. live is those neither fired nor stopped.
type countingCtx struct {
	context.Context
	made, live atomic.Int64
}

func (c *countingCtx) Value(any) any { return nil }

func (c *countingCtx) AfterFunc(f func()) func() bool {
	c.made.Add(1)
	c.live.Add(1)
	stop := context.AfterFunc(c.Context, func() { c.live.Add(-1); f() })
	return func() bool {
		if stop() {
			c.live.Add(-1)
			return true
		}
		return false
	}
}

// pairOf returns two PAIRs, the first bound to ep and the second connected to it, closed with
// their context when tb ends.
func pairOf(tb testing.TB, ep string) (bound, connected *Socket) {
	tb.Helper()
	ctx := NewContext()
	tb.Cleanup(func() { ctx.Close() })
	o := DefaultOptions()
	o.Linger = 0
	for i, s := range []**Socket{&bound, &connected} {
		var err error
		if *s, err = New(ctx, PAIR, o); err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { (*s).Close() })
		if i == 0 {
			err = (*s).Bind(ep)
		} else {
			err = (*s).Connect(bound.LastEndpoint())
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
	return bound, connected
}

// A socket reading its sole peer itself (direct I/O) watches the ctx of its Recv calls with
// one registration for as long as they bring the same ctx, not one per call: many goroutines'
// sockets sharing one ctx would otherwise all take its lock on every Recv. The registration
// goes when the socket closes; a done ctx still interrupts a Recv waiting for its peer, the
// watched one and another alike.
func TestDirectReadWatchesCtxOnce(t *testing.T) {
	a, b := pairOf(t, "tcp://127.0.0.1:*")
	base, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	shared := &countingCtx{Context: base}
	const trips = 200
	for i := range trips {
		if err := b.Send(shared, pipe.Msg{[]byte("ping")}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := a.Recv(shared); err != nil {
			t.Fatalf("round trip %d: %v", i, err)
		}
		if err := a.Send(shared, pipe.Msg{[]byte("pong")}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := b.Recv(shared); err != nil {
			t.Fatalf("round trip %d: %v", i, err)
		}
	}
	// Each socket registers for its first read under the ctx, then keeps one for the rest.
	if made := shared.made.Load(); made > 4 {
		t.Errorf("%d AfterFunc registrations on the shared ctx for %d Recvs; want two a socket", made, 2*trips)
	}

	// A ctx made for one Recv and cancelled once it returns, as a per-call timeout is, has no
	// registration left when the Recv returns, which its cancel would fire (a goroutine each).
	for i := range 50 {
		if err := b.Send(shared, pipe.Msg{[]byte("ping")}); err != nil {
			t.Fatal(err)
		}
		cctx, ccancel := context.WithTimeout(base, 10*time.Second)
		c := &countingCtx{Context: cctx}
		_, _, err := a.Recv(c)
		live := c.live.Load()
		ccancel()
		if err != nil {
			t.Fatalf("per-call ctx %d: %v", i, err)
		}
		if live != 0 {
			t.Fatalf("per-call ctx %d: %d registrations left on it after its Recv returned; want none", i, live)
		}
	}

	// A done ctx interrupts a Recv waiting for its peer: the one the socket watches (it
	// brought a message first), and another.
	for _, name := range []string{"watched", "other"} {
		cctx, ccancel := context.WithCancel(base)
		c := &countingCtx{Context: cctx}
		if name == "watched" {
			if err := b.Send(c, pipe.Msg{[]byte("ping")}); err != nil {
				t.Fatal(err)
			}
			if _, _, err := a.Recv(c); err != nil {
				t.Fatal(err)
			}
		}
		done := make(chan error, 1)
		id := make(chan uint64, 1)
		go func() {
			id <- parked.ID()
			_, _, err := a.Recv(c)
			done <- err
		}()
		pctx, pcancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := parked.All(pctx, parked.Where{Func: "engine.(*Conn).readAsCaller", States: parked.IOWait}, <-id)
		pcancel()
		if err != nil {
			t.Fatal(err)
		}
		ccancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%s ctx: Recv returned %v, want context.Canceled", name, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s ctx: a Recv whose ctx was cancelled is still waiting", name)
		}
	}

	a.Close()
	b.Close()
	if live := shared.live.Load(); live != 0 {
		t.Errorf("%d registrations left on the shared ctx after the sockets closed", live)
	}
}

// BenchmarkDirectRecvCtx is a round trip between two PAIRs over ipc, each Recv reading its peer
// itself, under a ctx shared by every call and under a ctx made for each call (cancelled once
// it returns).
func BenchmarkDirectRecvCtx(b *testing.B) {
	for _, mode := range []string{"shared", "per-call"} {
		b.Run(mode, func(b *testing.B) {
			x, y := pairOf(b, "ipc://"+b.TempDir()+"/s")
			base, cancel := context.WithCancel(context.Background())
			defer cancel()
			recv := func(s *Socket) {
				c, done := base, context.CancelFunc(nil)
				if mode == "per-call" {
					c, done = context.WithCancel(base)
				}
				_, _, err := s.Recv(c)
				if done != nil {
					done()
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			m := pipe.Msg{[]byte("ping")}
			for b.Loop() {
				if err := y.Send(base, m); err != nil {
					b.Fatal(err)
				}
				recv(x)
				if err := x.Send(base, m); err != nil {
					b.Fatal(err)
				}
				recv(y)
			}
		})
	}
}
