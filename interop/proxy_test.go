package interop

import (
	"context"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
)

// runPureProxy runs f and returns a channel closed when f has returned, with f's result in
// *res. At cleanup (before the sockets the test made earlier close) it ends f and waits.
func runPureProxy(t *testing.T, res *error, f func(ctx context.Context) error) <-chan struct{} {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { *res = f(ctx); close(done) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(closeTimeout):
			t.Error("the purezmq proxy did not return")
		}
	})
	return done
}

// TestPureForwarderWithLib: libzmq PUB → purezmq Proxy (XSUB|XPUB) → subscribers of both
// libraries, one joining late, one unsubscribing.
func TestPureForwarderWithLib(t *testing.T) {
	xsub, xpub := newPure(t, zmq.XSUB), newPure(t, zmq.XPUB)
	front, back := pureBind(t, xsub, "tcp://127.0.0.1:*"), pureBind(t, xpub, "tcp://127.0.0.1:*")
	var res error
	runPureProxy(t, &res, func(ctx context.Context) error { return zmq.Proxy(ctx, xsub, xpub, nil) })
	pub := newLib(t, newLibCtx(t), zmq.PUB)
	if err := pub.Connect(front); err != nil {
		t.Fatal(err)
	}
	forwarderCase(t, libPeer{pub}, back)
}

// TestPureSteerableQueueWithLib: libzmq REQ → purezmq SteerableProxy (ROUTER|DEALER) → libzmq
// REP, steered by a libzmq REQ on the proxy's REP control socket: STATISTICS, then TERMINATE.
func TestPureSteerableQueueWithLib(t *testing.T) {
	router, dealer, control := newPure(t, zmq.ROUTER), newPure(t, zmq.DEALER), newPure(t, zmq.REP)
	front := pureBind(t, router, "tcp://127.0.0.1:*")
	back := pureBind(t, dealer, "tcp://127.0.0.1:*")
	ctlEP := pureBind(t, control, "tcp://127.0.0.1:*")
	var res error
	done := runPureProxy(t, &res, func(ctx context.Context) error {
		return zmq.SteerableProxy(ctx, router, dealer, nil, control)
	})

	const n = 10
	lctx := newLibCtx(t)
	client, worker, ctl := newLib(t, lctx, zmq.REQ), newLib(t, lctx, zmq.REP), newLib(t, lctx, zmq.REQ)
	for _, c := range []struct {
		s  interface{ Connect(string) error }
		ep string
	}{{client, front}, {worker, back}, {ctl, ctlEP}} {
		if err := c.s.Connect(c.ep); err != nil {
			t.Fatal(err)
		}
	}
	served := make(chan error, 1)
	go func() { // the worker's socket is used by this goroutine alone from here on
		for range n {
			m, err := worker.RecvMessageBytes(0)
			if err == nil {
				_, err = worker.SendMessage(append(m, []byte("done")))
			}
			if err != nil {
				served <- err
				return
			}
		}
		served <- nil
	}()
	size := 0
	for i := range n {
		req := [][]byte{[]byte(fmt.Sprint("job", i)), make([]byte, 1000)}
		if _, err := client.SendMessage(req); err != nil {
			t.Fatal(err)
		}
		got, err := client.RecvMessageBytes(0)
		if err != nil {
			t.Fatal(err)
		}
		checkFrames(t, "reply", got, append(clone(req), []byte("done")))
		size += len(req[0]) + 1000
	}
	if err := <-served; err != nil {
		t.Fatalf("libzmq worker: %v", err)
	}

	if _, err := ctl.Send("STATISTICS", 0); err != nil {
		t.Fatal(err)
	}
	st, err := ctl.RecvMessageBytes(0)
	if err != nil || len(st) != 8 {
		t.Fatalf("STATISTICS: %d frames, %v", len(st), err)
	}
	var got [8]uint64
	for i, f := range st {
		got[i] = binary.LittleEndian.Uint64(f)
	}
	// Requests carry the client's routing id and delimiter through ROUTER→DEALER (each peer
	// id is 5 bytes); replies carry also "done".
	in := uint64(n * (5 + size/n))
	out := in + n*4
	if want := [8]uint64{n, in, n, out, n, out, n, in}; got != want {
		t.Fatalf("STATISTICS = %v, want %v", got, want)
	}

	if _, err := ctl.Send("TERMINATE", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := ctl.RecvBytes(0); err != nil {
		t.Fatalf("reply to TERMINATE: %v", err)
	}
	select {
	case <-done:
		if res != nil {
			t.Fatalf("SteerableProxy after TERMINATE = %v", res)
		}
	case <-time.After(closeTimeout):
		t.Fatal("SteerableProxy did not return after TERMINATE")
	}
}
