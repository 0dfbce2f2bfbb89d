package rpc

import (
	"context"
	"sync"
)

// pool bounds the handlers running at once, with no queue: a request that finds every slot
// taken is refused at once, never queued.
//
// Its goroutines receive as well as run, one more of them than there are slots, so that one
// is always receiving, to refuse requests while every slot is taken. Running the handler on
// the goroutine that received its request saves a handoff per call: on a machine with few
// cores the wakeup of another goroutine is a large part of a small call's time.
type pool struct {
	mu      sync.Mutex
	n       int
	busy    int           // slots taken
	closing bool          // drain began: take no more
	idle    chan struct{} // closed when busy reaches 0 while closing

	live int           // goroutines running, under mu
	done chan struct{} // closed when the last one returns
}

type acquireResult int

const (
	accepted acquireResult = iota
	full
	closing
)

// start runs n slots' goroutines plus one, each running serve until it returns.
func (p *pool) start(n int, serve func()) {
	p.n, p.live, p.done = n, n+1, make(chan struct{})
	for range n + 1 {
		go func() {
			defer p.exit()
			serve()
		}()
	}
}

func (p *pool) exit() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.live--; p.live == 0 {
		close(p.done)
	}
}

// acquire takes a slot for one request; release gives it back.
func (p *pool) acquire() acquireResult {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.closing:
		return closing
	case p.busy >= p.n:
		return full
	}
	p.busy++
	return accepted
}

// release frees a slot. It happens just before the reply is sent: a caller that sends its
// next call as soon as it has the reply then finds the slot free.
func (p *pool) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.busy--; p.busy == 0 && p.idle != nil {
		close(p.idle)
		p.idle = nil
	}
}

// drain refuses new requests and waits for the slots taken to be released, or for ctx.
func (p *pool) drain(ctx context.Context) error {
	p.mu.Lock()
	p.closing = true
	if p.busy == 0 {
		p.mu.Unlock()
		return nil
	}
	idle := make(chan struct{})
	p.idle = idle
	p.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// wait waits for the goroutines to return (the caller has made serve return), or for ctx.
func (p *pool) wait(ctx context.Context) error {
	if p.done == nil {
		return nil
	}
	select {
	case <-p.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
