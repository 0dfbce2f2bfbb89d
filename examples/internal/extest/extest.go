// Package extest is what the examples' tests share: an output that hands a test each line a
// role prints, and the runner of roles in goroutines that the test waits for.
package extest

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"
)

// Timeout bounds every wait of an example's test, so a broken example fails instead of hanging.
const Timeout = 20 * time.Second

// Lines is an io.Writer for a role's output that passes each complete line to the test.
type Lines struct {
	mu   sync.Mutex
	part []byte
	C    chan string
}

// NewLines makes an output whose lines arrive on C (buffered; a role never blocks on a test
// that reads only some of them, up to 1<<16 lines).
func NewLines() *Lines { return &Lines{C: make(chan string, 1<<16)} }

func (l *Lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.part = append(l.part, p...)
	for {
		i := bytes.IndexByte(l.part, '\n')
		if i < 0 {
			return len(p), nil
		}
		l.C <- string(l.part[:i])
		l.part = l.part[i+1:]
	}
}

// Next waits for the next line.
func (l *Lines) Next(t *testing.T) string {
	t.Helper()
	select {
	case s := <-l.C:
		return s
	case <-time.After(Timeout):
		t.Fatalf("no line printed in %v", Timeout)
	}
	return ""
}

// Expect waits for the next line and fails the test unless it is want.
func (l *Lines) Expect(t *testing.T, want string) {
	t.Helper()
	if got := l.Next(t); got != want {
		t.Fatalf("printed %q, want %q", got, want)
	}
}

// Roles runs an example's roles in goroutines under one context that the test ends.
type Roles struct {
	t      *testing.T
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewRoles makes a runner whose context ends with the test (or after Timeout); at the test's
// end it stops the roles still running and waits for them.
func NewRoles(t *testing.T) *Roles {
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	r := &Roles{t: t, ctx: ctx, cancel: cancel}
	t.Cleanup(func() { cancel(); r.wg.Wait() })
	return r
}

// Ctx is the roles' context.
func (r *Roles) Ctx() context.Context { return r.ctx }

// Go runs a role that should run until stopped: an error it returns fails the test.
func (r *Roles) Go(name string, role func(ctx context.Context) error) {
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		if err := role(r.ctx); err != nil {
			r.t.Errorf("%s: %v", name, err)
		}
	}()
}

// Start runs a role in a goroutine and returns a channel that delivers its result.
func (r *Roles) Start(role func(ctx context.Context) error) <-chan error {
	done := make(chan error, 1)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		done <- role(r.ctx)
	}()
	return done
}

// Wait waits for a result from Start, failing the test after Timeout.
func Wait(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(Timeout):
		t.Fatalf("role still running after %v", Timeout)
	}
	return nil
}
