package rpc

import (
	"context"
	"errors"
	"syscall"
	"testing"
	"time"
)

// stop SIGSTOPs a server process, and SIGKILLs it at the end of the test (a stopped process
// reads no stdin).
func (p *serverProc) stop(t *testing.T) {
	t.Helper()
	t.Cleanup(func() { _ = p.Process.Kill() })
	if err := p.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
}

// A server that goes silent mid-call (SIGSTOP: its connections stay open) is found dead by the
// heartbeat: an at-most-once call fails Unavailable long before its deadline; an at-least-once
// call is retried on another server.
func TestHeartbeatSilentServer(t *testing.T) {
	hb := WithHeartbeat(50*time.Millisecond, 3)
	t.Run("at-most-once", func(t *testing.T) {
		p := startServerProcess(t, "stuck")
		cl, err := NewClient(Target{Topic: "t"}, WithEndpoint(p.endpoint), hb)
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		done := make(chan error, 1)
		go func() { done <- cl.Call(testCtx(t), "work", struct{}{}, nil) }()
		if got := p.Next(t); got != "started" {
			t.Fatalf("server said %q", got)
		}
		p.stop(t)
		if err := <-done; !errors.Is(err, ErrUnavailable) {
			t.Fatalf("call to a silent server: %v", err)
		}
	})
	t.Run("at-least-once", func(t *testing.T) {
		stuck, good := startServerProcess(t, "stuck"), startServerProcess(t, "good")
		cl, err := NewClient(Target{Topic: "t"}, WithEndpoint(stuck.endpoint, good.endpoint), hb,
			WithDelivery(AtLeastOnce))
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		// Both connections up, two calls at once go one to each server (round robin).
		for seen := map[string]bool{}; len(seen) < 2; {
			var r echoReply
			if err := cl.Call(testCtx(t), "echo", echoArgs{}, &r); err != nil {
				t.Fatal(err)
			}
			seen[r.Server] = true
		}
		done := make(chan error, 2)
		for range 2 {
			go func() {
				var who string
				err := cl.Call(testCtx(t), "work", struct{}{}, &who)
				if err == nil && who != "good" {
					err = errors.New("answered by " + who)
				}
				done <- err
			}()
		}
		if got := stuck.Next(t); got != "started" {
			t.Fatalf("server said %q", got)
		}
		stuck.stop(t)
		for range 2 {
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
	})
}

// The call monitor keeps a long call alive with PROGRESS, and finds a server whose handler
// hangs in a stopped process within its time, without heartbeats and far from the deadline.
func TestCallMonitor(t *testing.T) {
	const d = 60 * time.Millisecond
	t.Run("long call", func(t *testing.T) {
		// PROGRESS every third of the monitor's time: generous, so that a loaded machine's
		// scheduling delays (tens of ms under -race) never look like a silent server.
		const d = 500 * time.Millisecond
		srv := startServer(t, Target{Topic: "t"}, func(s *Server) {
			_ = Handle(s, "slow", func(ctx context.Context, _ struct{}) (string, error) {
				select { // the handler's work, longer than the monitor's time
				case <-time.After(3 * d):
					return "done", nil
				case <-ctx.Done():
					return "", ctx.Err()
				}
			})
		})
		cl, err := NewClient(Target{Topic: "t"}, WithEndpoint(srv.Endpoint()), WithCallMonitor(d))
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		var r string
		if err := cl.Call(testCtx(t), "slow", struct{}{}, &r); err != nil || r != "done" {
			t.Fatalf("long call with a monitor: %q %v", r, err)
		}
	})
	t.Run("stopped server", func(t *testing.T) {
		p := startServerProcess(t, "m")
		cl, err := NewClient(Target{Topic: "t"}, WithEndpoint(p.endpoint), WithHeartbeat(0, 0), WithCallMonitor(5*d))
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		done := make(chan error, 1)
		go func() { done <- cl.Call(testCtx(t), "block", struct{}{}, nil) }()
		if got := p.Next(t); got != "started" {
			t.Fatalf("server said %q", got)
		}
		p.stop(t)
		err = <-done
		var e *Error
		if !errors.As(err, &e) || e.Code != Unavailable || e.Details["reason"] != "call-monitor" {
			t.Fatalf("call to a stopped server: %v", err)
		}
	})
}
