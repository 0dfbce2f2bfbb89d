package rpc

import (
	"context"
	"sync"
)

// pool is a fixed set of worker goroutines with no queue beyond one slot per worker: a job is
// accepted only while fewer than n are in hand, so a burst is refused at once, never queued.
type pool struct {
	jobs chan *job // capacity n: acquire guarantees a send never blocks

	mu      sync.Mutex
	n       int
	busy    int           // accepted jobs not yet finished
	closing bool          // drain began: accept nothing more
	idle    chan struct{} // closed when busy reaches 0 while closing

	live        int // workers running, under mu
	workersDone chan struct{}
}

type acquireResult int

const (
	accepted acquireResult = iota
	full
	closing
)

// start runs n workers; work must call release once, when the job's slot may be reused.
func (p *pool) start(n int, work func(j *job, release func())) {
	p.n, p.jobs, p.workersDone, p.live = n, make(chan *job, n), make(chan struct{}), n
	for range n {
		go func() {
			defer p.exit()
			for j := range p.jobs {
				work(j, p.release)
			}
		}()
	}
}

func (p *pool) exit() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.live--; p.live == 0 {
		close(p.workersDone)
	}
}

// acquire takes a worker's slot for one job, which the caller must then submit.
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

func (p *pool) submit(j *job) { p.jobs <- j }

// release frees the slot of a finished job. work calls it just before sending the reply: a
// caller that sends its next call as soon as it has the reply then finds the slot free.
func (p *pool) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.busy--; p.busy == 0 && p.idle != nil {
		close(p.idle)
		p.idle = nil
	}
}

// drain refuses new jobs and waits for the accepted ones, or for ctx.
func (p *pool) drain(ctx context.Context) error {
	p.mu.Lock()
	p.closing = true
	if p.jobs == nil || p.busy == 0 {
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

// stop ends the workers once the jobs queued are done (the caller stops submitting first),
// waiting for them until ctx ends.
func (p *pool) stop(ctx context.Context) error {
	if p.jobs == nil {
		return nil
	}
	close(p.jobs)
	select {
	case <-p.workersDone:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
