package rpctest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/purezmq/zmq/rpc"
)

// remoteFailure is the Go type a client rebuilds Python's rpctest.Failure errors as.
type remoteFailure struct {
	msg     string
	details map[string]string
}

func (f *remoteFailure) Error() string { return f.msg }

// TestGoClientPythonServer: a Go rpc.Client calls the Python server, written from WIRE.md.
func TestGoClientPythonServer(t *testing.T) {
	srv, endpoint := startPyServer(t, "py1")
	py := pySide{srv}
	cl, err := rpc.NewClient(rpc.Target{Topic: topic}, rpc.WithEndpoint(endpoint),
		rpc.WithRemoteError(failureType, func(msg string, d map[string]string) error { return &remoteFailure{msg, d} }))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { must(t, cl.Close()) }()
	ctx := ctxIO(t)

	t.Run("results", func(t *testing.T) {
		var sum int
		must(t, cl.Call(ctx, "add", addArgs{A: 2, B: 40}, &sum))
		var echoed map[string]any
		must(t, cl.Call(ctx, "echo", map[string]any{"s": "héllo", "n": 3}, &echoed))
		if sum != 42 || echoed["s"] != "héllo" || echoed["n"] != 3.0 {
			t.Errorf("add gave %d, echo %v", sum, echoed)
		}
	})
	t.Run("remote-error", func(t *testing.T) {
		err := cl.Call(ctx, "fail", failArgs{Message: "boom", Details: map[string]string{"disk": "sda"}}, nil)
		var e *rpc.Error
		if !errors.As(err, &e) || e.Code != rpc.Remote || e.Message != "boom" || e.Type != failureType ||
			!sameDetails(e.Details, map[string]string{"disk": "sda"}) {
			t.Fatalf("got %#v, want Remote boom of %s with details", err, failureType)
		}
		var f *remoteFailure
		if !errors.As(err, &f) || f.msg != "boom" || f.details["disk"] != "sda" {
			t.Errorf("the allowed type was not rebuilt: %v", err)
		}
	})
	t.Run("codes", func(t *testing.T) {
		v13, err := cl.Prepare(rpc.WithVersion("1.3"))
		must(t, err)
		other, err := cl.Prepare(rpc.WithServer("nobody"))
		must(t, err)
		for _, tc := range []struct {
			name string
			cl   *rpc.Client
			want error
		}{
			{"nosuch", cl, rpc.ErrNotFound},
			{"echo", v13, rpc.ErrUnsupportedVersion},
			{"echo", other, rpc.ErrInvalidTarget},
		} {
			if err := tc.cl.Call(ctx, tc.name, 1, nil); !errors.Is(err, tc.want) {
				t.Errorf("%s at %s: got %v, want %v", tc.name, tc.cl.Target().Key(), err, tc.want)
			}
		}
	})
	t.Run("out-of-order", func(t *testing.T) {
		held := make(chan error, 1)
		var key string
		go func() { held <- cl.Call(ctx, "hold", keyArgs{Key: "k1"}, &key) }()
		py.started(t, "hold")
		var q string
		must(t, cl.Call(ctx, "echo", "q", &q))
		must(t, cl.Cast(ctx, "release", keyArgs{Key: "k1"}))
		if err := wait(t, "hold's reply", held); err != nil || key != "k1" || q != "q" {
			t.Errorf("hold: %v %q, echo %q", err, key, q)
		}
	})
	t.Run("cast", func(t *testing.T) {
		must(t, cl.Cast(ctx, "note", map[string]int{"n": 1}))
		if got := py.noted(t); !sameJSON(t, []byte(got), []byte(`{"n":1}`)) {
			t.Errorf("note's args arrived as %s", got)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- cl.Call(cctx, "hold", keyArgs{Key: "k2"}, nil) }()
		py.started(t, "hold")
		cancel()
		if err := wait(t, "the call's end", done); !errors.Is(err, rpc.ErrCancelled) || !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want Cancelled", err)
		}
		py.cancelled(t)
	})
	t.Run("deadline", func(t *testing.T) {
		const timeout = 100 * time.Millisecond
		dctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		if err := cl.Call(dctx, "hold", keyArgs{Key: "k3"}, nil); !errors.Is(err, rpc.ErrDeadlineExceeded) {
			t.Errorf("got %v, want DeadlineExceeded", err)
		}
		started := srv.await(t, "k3's start", func(l line) bool {
			return l.Event == "started" && sameJSON(t, l.Args, []byte(`{"key":"k3"}`))
		})
		req := srv.await(t, "k3's request", func(l line) bool { return l.Event == "request" && l.ID == started.ID })
		if left := time.Duration(req.TimeoutUS) * time.Microsecond; left <= 0 || left > timeout {
			t.Errorf("the request said %v left of %v", left, timeout)
		}
		// The server ends the handler at its deadline, or at the client's CANCEL sent at the
		// same moment: either way it does.
		srv.await(t, "the handler's end", func(l line) bool {
			return (l.Event == "expired" || l.Event == "cancelled") && l.ID == req.ID
		})
	})
}
