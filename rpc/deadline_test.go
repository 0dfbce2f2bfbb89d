package rpc

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/rpc/registry"
)

// blocker is a method that reports its start and then waits for its ctx or a release.
type blocker struct {
	started chan struct{}
	ended   chan error // the handler's ctx error, or nil when released
	release chan struct{}
}

func newBlocker() *blocker {
	return &blocker{started: make(chan struct{}, 8), ended: make(chan error, 8), release: make(chan struct{})}
}

func (b *blocker) handle(ctx context.Context, _ struct{}) (string, error) {
	b.started <- struct{}{}
	select {
	case <-ctx.Done():
		b.ended <- ctx.Err()
		return "", ctx.Err()
	case <-b.release:
		b.ended <- nil
		return "released", nil
	}
}

// ended waits, within the test's bounds, for the handler to end and returns its ctx's error.
func (b *blocker) waitEnded(t *testing.T) error {
	t.Helper()
	select {
	case err := <-b.ended:
		return err
	case <-time.After(15 * time.Second):
		t.Fatal("the handler did not end")
		return nil
	}
}

func blockServer(t *testing.T, b *blocker, opts ...Option) (*Server, *Client) {
	srv := startServer(t, Target{Topic: "t"}, func(s *Server) { _ = Handle(s, "block", b.handle) }, opts...)
	cl, err := NewClient(Target{Topic: "t"}, WithEndpoint(srv.Endpoint()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return srv, cl
}

func TestResourceExhausted(t *testing.T) {
	b := newBlocker()
	_, cl := blockServer(t, b, WithWorkers(1))
	ctx := testCtx(t)
	first := make(chan error, 1)
	go func() { first <- cl.Call(ctx, "block", struct{}{}, nil) }()
	<-b.started
	if err := cl.Call(ctx, "block", struct{}{}, nil); !errors.Is(err, ErrResourceExhausted) {
		t.Fatalf("second call with the one worker busy: %v", err)
	}
	close(b.release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	// The worker is free again at once.
	if err := cl.Call(ctx, "echo", echoArgs{}, nil); err != nil {
		t.Fatal(err)
	}
}

// The handler's ctx ends at the deadline the call carried; the caller gets DeadlineExceeded.
func TestDeadlineWhileRunning(t *testing.T) {
	b := newBlocker()
	_, cl := blockServer(t, b)
	ctx, cancel := context.WithTimeout(testCtx(t), 300*time.Millisecond)
	defer cancel()
	err := cl.Call(ctx, "block", struct{}{}, nil)
	if !errors.Is(err, ErrDeadlineExceeded) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Call: %v", err)
	}
	if herr := b.waitEnded(t); !errors.Is(herr, context.DeadlineExceeded) {
		t.Fatalf("handler's ctx: %v", herr)
	}
}

// A request that has expired when a worker takes it is answered without running the handler.
func TestDeadlineExpiredBeforeRun(t *testing.T) {
	b := newBlocker()
	srv, _ := blockServer(t, b)
	d := rawDealer(t, srv.Endpoint())
	req := request{header: header{kind: kindCall, codec: JSON.ID(), id: 3, timeout: time.Microsecond},
		key: "openstack/t", method: "block", args: []byte("{}")}
	r := rawCall(t, d, req)
	if r.status != DeadlineExceeded {
		t.Fatalf("status %v", r.status)
	}
	select {
	case <-b.started:
		t.Log("the worker took it within 1µs; the handler ran and saw its deadline")
	default:
	}
}

// A client's cancellation reaches the handler, and gets no reply.
func TestCancelTravels(t *testing.T) {
	b := newBlocker()
	_, cl := blockServer(t, b)
	ctx, cancel := context.WithCancel(testCtx(t))
	done := make(chan error, 1)
	go func() { done <- cl.Call(ctx, "block", struct{}{}, nil) }()
	<-b.started
	cancel()
	if err := <-done; !errors.Is(err, ErrCancelled) || !errors.Is(err, context.Canceled) {
		t.Fatalf("Call: %v", err)
	}
	if herr := b.waitEnded(t); !errors.Is(herr, context.Canceled) {
		t.Fatalf("handler's ctx: %v", herr)
	}
}

// A→B→C: each handler calls the next with its own ctx; the time left shrinks at every hop.
func TestDeadlineChain(t *testing.T) {
	left := make(chan time.Duration, 3)
	hop := func(next *Client) func(ctx context.Context, _ struct{}) (string, error) {
		return func(ctx context.Context, _ struct{}) (string, error) {
			dl, ok := ctx.Deadline()
			if !ok {
				return "", errors.New("no deadline")
			}
			left <- time.Until(dl)
			if next == nil {
				return "c", nil
			}
			var r string
			err := next.Call(ctx, "hop", struct{}{}, &r)
			return r, err
		}
	}
	var next *Client
	var entry *Client
	for i := range 3 {
		h := hop(next)
		srv := startServer(t, Target{Topic: "t"}, func(s *Server) { _ = Handle(s, "hop", h) })
		cl, err := NewClient(Target{Topic: "t"}, WithEndpoint(srv.Endpoint()))
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		next, entry = cl, cl
		_ = i
	}
	ctx, cancel := context.WithTimeout(testCtx(t), 5*time.Second)
	defer cancel()
	var r string
	if err := entry.Call(ctx, "hop", struct{}{}, &r); err != nil || r != "c" {
		t.Fatalf("chain: %q, %v", r, err)
	}
	a, b, c := <-left, <-left, <-left
	if !(c < b && b < a && a <= 5*time.Second) {
		t.Fatalf("time left at A, B, C: %v %v %v; want shrinking", a, b, c)
	}
}

// Stop answers new calls Unavailable (or, once the client has seen it deregister, they find
// no server) while it lets the call in flight finish.
func TestStopDrains(t *testing.T) {
	for _, viaRegistry := range []bool{false, true} {
		t.Run(fmt.Sprintf("registry=%v", viaRegistry), func(t *testing.T) {
			b := newBlocker()
			reg := registry.NewMemory()
			defer reg.Close()
			srv := startServer(t, Target{Topic: "t"}, func(s *Server) { _ = Handle(s, "block", b.handle) }, WithRegistry(reg))
			opt := WithEndpoint(srv.Endpoint())
			if viaRegistry {
				opt = WithRegistry(reg)
			}
			cl, err := NewClient(Target{Topic: "t"}, opt)
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			testStopDrains(t, b, srv, cl)
		})
	}
}

func testStopDrains(t *testing.T, b *blocker, srv *Server, cl *Client) {
	ctx := testCtx(t)
	inflight := make(chan error, 1)
	go func() {
		var r string
		err := cl.Call(ctx, "block", struct{}{}, &r)
		if err == nil && r != "released" {
			err = errors.New("wrong reply " + r)
		}
		inflight <- err
	}()
	<-b.started
	stopped := make(chan error, 1)
	go func() { stopped <- srv.Stop(ctx) }()
	// Calls succeed until Stop begins; then they must be refused, never run.
	for {
		err := cl.Call(ctx, "echo", echoArgs{}, nil)
		if errors.Is(err, ErrUnavailable) || errors.Is(err, ErrNoResponders) {
			break
		}
		if err != nil {
			t.Fatalf("call during Stop: %v", err)
		}
	}
	select {
	case err := <-stopped:
		t.Fatalf("Stop returned before the call in flight ended: %v", err)
	default:
	}
	close(b.release)
	if err := <-inflight; err != nil {
		t.Fatalf("call in flight: %v", err)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("Stop: %v", err)
	}
}

// Close ends the calls waiting for replies with Unavailable, and refuses new ones.
func TestCloseEndsCalls(t *testing.T) {
	b := newBlocker()
	_, cl := blockServer(t, b)
	defer close(b.release)
	ctx := testCtx(t)
	done := make(chan error, 1)
	go func() { done <- cl.Call(ctx, "block", struct{}{}, nil) }()
	<-b.started
	if err := cl.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, ErrUnavailable) {
		t.Fatalf("call in flight at Close: %v", err)
	}
	if err := cl.Call(ctx, "echo", echoArgs{}, nil); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("call after Close: %v", err)
	}
	if err := cl.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// A call without a deadline whose connection is closed under the client (the user's
// zmq.Context shut down) ends Unavailable instead of waiting for ever.
func TestContextShutdownEndsCalls(t *testing.T) {
	b := newBlocker()
	defer close(b.release)
	srv := startServer(t, Target{Topic: "t"}, func(s *Server) { _ = Handle(s, "block", b.handle) })
	zc := zmq.NewContext()
	cl, err := NewClient(Target{Topic: "t"}, WithEndpoint(srv.Endpoint()), WithContext(zc))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	done := make(chan error, 1)
	go func() { done <- cl.Call(context.Background(), "block", struct{}{}, nil) }() // no deadline
	<-b.started
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := zc.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, ErrUnavailable) {
			t.Fatalf("call whose context shut down: %v, want Unavailable", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the call did not end when its connection closed")
	}
}

// A client's calls carry DefaultTimeout when neither ctx nor WithTimeout gives a deadline;
// WithTimeout(0) sends none.
func TestDefaultTimeout(t *testing.T) {
	srv := startServer(t, Target{Topic: "t"}, func(s *Server) {
		_ = Handle(s, "left", func(ctx context.Context, _ struct{}) (float64, error) {
			dl, ok := ctx.Deadline()
			if !ok {
				return -1, nil
			}
			return time.Until(dl).Seconds(), nil
		})
	})
	for _, tc := range []struct {
		name     string
		opts     []Option
		min, max float64
	}{
		{"default", nil, DefaultTimeout.Seconds() - 10, DefaultTimeout.Seconds()},
		{"none", []Option{WithTimeout(0)}, -1, -1},
		{"5s", []Option{WithTimeout(5 * time.Second)}, 0, 5},
	} {
		cl, err := NewClient(Target{Topic: "t"}, append(tc.opts, WithEndpoint(srv.Endpoint()))...)
		if err != nil {
			t.Fatal(err)
		}
		var left float64
		err = cl.Call(context.Background(), "left", struct{}{}, &left)
		cl.Close()
		if err != nil || left < tc.min || left > tc.max {
			t.Errorf("%s: the handler had %.1f s left (%v), want %.0f to %.0f", tc.name, left, err, tc.min, tc.max)
		}
	}
}
