package conformance

import (
	"context"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/bridge"
)

// Socket is a test-side ZeroMQ socket of typ bound to 127.0.0.1, in a context of its own
// closed with the test, and the endpoint the routes connect to.
func Socket(t testing.TB, typ zmq.Type, opts ...zmq.Option) (*zmq.Socket, string) {
	t.Helper()
	zc := zmq.NewContext()
	s, err := zc.NewSocket(typ, append([]zmq.Option{zmq.WithLinger(0)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Bind("tcp://127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		zc.Close()
	})
	return s, s.LastEndpoint()
}

// Running is a bridge.Run in the background.
type Running struct {
	t      testing.TB
	cancel context.CancelFunc
	done   chan error
}

// Start runs routes until Stop, or the end of the test.
func Start(t testing.TB, routes []bridge.Route, m *bridge.Metrics) *Running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &Running{t: t, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- bridge.Run(ctx, routes, m) }()
	t.Cleanup(r.Stop)
	return r
}

// Stop ends the Run and checks that it stopped cleanly, within the drain; again, it does
// nothing.
func (r *Running) Stop() {
	r.t.Helper()
	if r.done == nil {
		return
	}
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil {
			r.t.Errorf("Run: %v", err)
		}
	case <-time.After(bridge.DrainTimeout + 20*time.Second):
		r.t.Fatal("Run did not stop within the drain")
	}
	r.done = nil
}
