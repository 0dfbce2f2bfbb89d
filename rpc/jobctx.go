package rpc

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// jobCtx is a handler's context: the server's base context, the call's deadline, and the
// caller's cancellation. A context.WithDeadline per call costs a timer, a child registered
// with the base context under its lock, and four allocations, while most handlers of small
// calls never look at their context's channel. So jobCtx answers Deadline and Err from what it
// knows, and makes the real context (with its timer) only when a handler asks for Done or
// Value, or derives a context of its own.
type jobCtx struct {
	base     context.Context
	deadline time.Time // zero: none
	real     atomic.Pointer[context.Context]

	mu        sync.Mutex
	stop      context.CancelFunc // the real context's, once made
	cancelled bool               // cancel was called
}

// init makes j a context of base ending at deadline (zero: none).
func (j *jobCtx) init(base context.Context, deadline time.Time) {
	j.base, j.deadline = base, deadline
}

// made is the real context, made on first need.
func (j *jobCtx) made() context.Context {
	if c := j.real.Load(); c != nil {
		return *c
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if c := j.real.Load(); c != nil {
		return *c
	}
	var c context.Context
	if j.deadline.IsZero() {
		c, j.stop = context.WithCancel(j.base)
	} else {
		c, j.stop = context.WithDeadline(j.base, j.deadline)
	}
	if j.cancelled {
		j.stop()
	}
	j.real.Store(&c)
	return c
}

// cancel ends the context (the caller's CANCEL, or the end of the job).
func (j *jobCtx) cancel() {
	j.mu.Lock()
	j.cancelled = true
	stop := j.stop
	j.mu.Unlock()
	if stop != nil {
		stop()
	}
}

func (j *jobCtx) Deadline() (time.Time, bool) { return j.deadline, !j.deadline.IsZero() }

func (j *jobCtx) Done() <-chan struct{} { return j.made().Done() }

func (j *jobCtx) Err() error {
	if c := j.real.Load(); c != nil {
		return (*c).Err()
	}
	j.mu.Lock()
	cancelled := j.cancelled
	j.mu.Unlock()
	switch {
	case cancelled:
		return context.Canceled
	case j.base.Err() != nil:
		return j.base.Err()
	case !j.deadline.IsZero() && !time.Now().Before(j.deadline):
		return context.DeadlineExceeded
	}
	return nil
}

// Value asks the real context: the context package finds its parent's cancelCtx through Value,
// so a context derived from a jobCtx ends with it without a goroutine watching.
func (j *jobCtx) Value(key any) any { return j.made().Value(key) }

func (j *jobCtx) String() string { return "rpc handler context" }
