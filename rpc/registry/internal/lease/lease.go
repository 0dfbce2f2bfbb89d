// Package lease is the refresh loop shared by the registries: refresh every ttl/3 with jitter,
// retry sooner after a failure, report failures without stopping, deregister on Stop.
package lease

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// Lease refreshes one registration from its own goroutine until Stop or Halt.
type Lease struct {
	ttl        time.Duration
	refresh    func(ctx context.Context) error
	deregister func(ctx context.Context) error

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{} // closed when the loop has returned
	errs   chan error    // closed by the loop on its way out

	once sync.Once // the deregistration runs once
}

// Start begins refreshing. refresh gets a context per call that ends before the next one is due
// and when the lease stops.
func Start(ttl time.Duration, refresh, deregister func(ctx context.Context) error) *Lease {
	ctx, cancel := context.WithCancel(context.Background())
	l := &Lease{ttl: ttl, refresh: refresh, deregister: deregister, ctx: ctx, cancel: cancel,
		done: make(chan struct{}), errs: make(chan error, 1)}
	go l.loop()
	return l
}

// Interval is the pause before the next refresh: ttl/3 ± 10%, so that servers started together
// do not refresh in step.
func Interval(ttl time.Duration) time.Duration {
	base := ttl / 3
	spread := int64(base / 5)
	if spread <= 0 {
		return base
	}
	return base - base/10 + time.Duration(rand.Int64N(spread))
}

// retryAfter is the pause after a failed refresh: soon enough to get two more tries in before
// the member expires.
func retryAfter(ttl time.Duration) time.Duration { return ttl / 12 }

func (l *Lease) loop() {
	defer close(l.done)
	defer close(l.errs)
	t := time.NewTimer(Interval(l.ttl))
	defer t.Stop()
	for {
		select {
		case <-l.ctx.Done():
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(l.ctx, l.ttl/3)
		err := l.refresh(ctx)
		cancel()
		next := Interval(l.ttl)
		if err != nil {
			if l.ctx.Err() != nil {
				return
			}
			select {
			case l.errs <- err:
			default: // an unread failure is already waiting; one is enough to say it fails
			}
			next = retryAfter(l.ttl)
		}
		t.Reset(next)
	}
}

// Err reports refresh failures; it closes when the lease stops.
func (l *Lease) Err() <-chan error { return l.errs }

// Halt stops refreshing without deregistering: the member expires after its TTL. It waits for
// the loop to return.
func (l *Lease) Halt() {
	l.cancel()
	<-l.done
}

// Stop halts the refreshes, then deregisters (once; later calls return nil).
func (l *Lease) Stop(ctx context.Context) error {
	l.Halt()
	var err error
	l.once.Do(func() { err = l.deregister(ctx) })
	return err
}
