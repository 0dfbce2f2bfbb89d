package rpc

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"testing/synctest"
	"time"
)

type ctxKey struct{}

// isDone reports whether c is closed now.
func isDone(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// TestJobCtx: a handler's context behaves as context.WithDeadline of the server's base would,
// whether or not its real context was made (by Done) before the event that ends it.
func TestJobCtx(t *testing.T) {
	cases := []struct {
		name    string
		early   bool // call Done before the event
		event   func(j *jobCtx, stopBase context.CancelFunc)
		wantErr error
	}{
		{"deadline passes", false, func(*jobCtx, context.CancelFunc) { time.Sleep(time.Second) }, context.DeadlineExceeded},
		{"deadline passes, Done first", true, func(*jobCtx, context.CancelFunc) { time.Sleep(time.Second) }, context.DeadlineExceeded},
		{"cancelled", false, func(j *jobCtx, _ context.CancelFunc) { j.cancel() }, context.Canceled},
		{"cancelled, Done first", true, func(j *jobCtx, _ context.CancelFunc) { j.cancel() }, context.Canceled},
		{"server stops", false, func(_ *jobCtx, stop context.CancelFunc) { stop() }, context.Canceled},
		{"server stops, Done first", true, func(_ *jobCtx, stop context.CancelFunc) { stop() }, context.Canceled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				base, stopBase := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, "v"))
				defer stopBase()
				var j jobCtx
				deadline := time.Now().Add(time.Second)
				j.init(base, deadline)
				defer j.cancel()
				if d, ok := j.Deadline(); !ok || !d.Equal(deadline) {
					t.Fatalf("Deadline() = %v, %v; want %v, true", d, ok, deadline)
				}
				if err := j.Err(); err != nil {
					t.Fatalf("Err() before = %v", err)
				}
				if tc.early && isDone(j.Done()) {
					t.Fatal("Done closed before")
				}
				tc.event(&j, stopBase)
				synctest.Wait()
				if err := j.Err(); !errors.Is(err, tc.wantErr) {
					t.Fatalf("Err() = %v, want %v", err, tc.wantErr)
				}
				if !isDone(j.Done()) {
					t.Fatal("Done not closed after")
				}
				if err := j.Err(); !errors.Is(err, tc.wantErr) {
					t.Fatalf("Err() after Done = %v, want %v", err, tc.wantErr)
				}
				if v := j.Value(ctxKey{}); v != "v" {
					t.Fatalf("Value = %v, want the base's", v)
				}
			})
		})
	}
}

// TestJobCtxNoDeadline: without a deadline, Deadline says so and only cancel ends it.
func TestJobCtxNoDeadline(t *testing.T) {
	var j jobCtx
	j.init(context.Background(), time.Time{})
	if _, ok := j.Deadline(); ok {
		t.Fatal("Deadline reported one")
	}
	if isDone(j.Done()) || j.Err() != nil {
		t.Fatal("ended before cancel")
	}
	j.cancel()
	if !isDone(j.Done()) || !errors.Is(j.Err(), context.Canceled) {
		t.Fatalf("after cancel: Err %v", j.Err())
	}
}

// TestJobCtxChildNoGoroutine: a context derived from a handler's ends with it, and deriving
// it starts no goroutine (the context package uses jobCtx's AfterFunc).
func TestJobCtxChildNoGoroutine(t *testing.T) {
	var j jobCtx
	j.init(context.Background(), time.Time{})
	before := runtime.NumGoroutine()
	child, stop := context.WithTimeout(&j, time.Hour)
	defer stop()
	if n := runtime.NumGoroutine(); n != before {
		t.Fatalf("deriving a context started %d goroutine(s)", n-before)
	}
	j.cancel()
	select {
	case <-child.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the child did not end with its parent")
	}
}
