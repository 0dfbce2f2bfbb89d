package bridge

import (
	"context"
	"math/rand/v2"
	"time"
)

// backoff is the wait before each dial after a failure: the route's Backoff, doubled after
// each failure up to maxBackoff, jittered so that routes dialling one broker spread out.
type backoff struct {
	first, cur time.Duration
}

func newBackoff(first time.Duration) *backoff {
	if first <= 0 {
		first = DefaultBackoff
	}
	return &backoff{first: first}
}

// next is the next wait: a random point in its upper half.
func (b *backoff) next() time.Duration {
	if b.cur == 0 {
		b.cur = b.first
	} else {
		b.cur = min(2*b.cur, maxBackoff)
	}
	return b.cur/2 + rand.N(b.cur/2+1)
}

func (b *backoff) reset() { b.cur = 0 }

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// connect dials the broker and opens the route's link on it with link, again with backoff
// after each failure, until it works or ctx ends. again says a connection was lost or failed
// before: connect waits first.
func (x *runner) connect(ctx context.Context, bo *backoff, again bool, link func(context.Context, Broker) error) (Broker, error) {
	for {
		if again {
			d := bo.next()
			x.log.Info("dialling the broker again", "in", d)
			if err := sleep(ctx, d); err != nil {
				return nil, err
			}
			x.m.reconnects.Inc()
		}
		again = true
		b, err := x.r.Broker(ctx)
		if err == nil {
			if err = link(ctx, b); err != nil {
				b.Close()
			}
		}
		if err == nil {
			bo.reset()
			x.m.connected.Set(1)
			return b, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		x.log.Warn("broker unavailable", "address", x.r.Address, "err", err)
	}
}

// disconnect closes the link and the connection.
func (x *runner) disconnect(b Broker, link interface{ Close() error }) {
	x.m.connected.Set(0)
	if link != nil {
		link.Close()
	}
	b.Close()
}
