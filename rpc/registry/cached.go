package registry

import (
	"context"
	"slices"
	"sync"
	"time"
)

// cached keeps the last endpoints each key resolved to, to serve while the registry fails.
type cached struct {
	r       Registry
	onStale func(key string, err error)
	retry   time.Duration

	mu    sync.Mutex
	snaps map[string][]string

	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
}

// Cached wraps r so that Resolve and Watch go on answering with a key's last good endpoints
// while r fails, calling onStale (if not nil) with the failure each time they do. A key never
// resolved has nothing to fall back on and gets r's error. Close closes r.
func Cached(r Registry, onStale func(key string, err error)) Registry {
	return &cached{r: r, onStale: onStale, retry: time.Second, snaps: make(map[string][]string),
		stop: make(chan struct{})}
}

func (c *cached) Register(ctx context.Context, key, endpoint string, ttl time.Duration) (Lease, error) {
	return c.r.Register(ctx, key, endpoint, ttl)
}

func (c *cached) Resolve(ctx context.Context, key string) ([]string, error) {
	eps, err := c.r.Resolve(ctx, key)
	if err == nil {
		c.keep(key, eps)
		return eps, nil
	}
	if ctx.Err() != nil {
		return nil, err // the caller gave up; the registry is not the one failing
	}
	if snap, ok := c.stale(key, err); ok {
		return snap, nil
	}
	return nil, err
}

func (c *cached) keep(key string, eps []string) {
	c.mu.Lock()
	c.snaps[key] = slices.Clone(eps)
	c.mu.Unlock()
}

// stale returns key's snapshot, if there is one, and says that it is being used.
func (c *cached) stale(key string, err error) ([]string, bool) {
	c.mu.Lock()
	snap, ok := c.snaps[key]
	c.mu.Unlock()
	if !ok {
		return nil, false
	}
	if c.onStale != nil {
		c.onStale(key, err)
	}
	return slices.Clone(snap), true
}

// Watch forwards r's Watch, keeping each value. When r cannot start a Watch, or its Watch ends
// while ctx is live (r failed), the snapshot is sent instead, onStale hears of it, and the
// Watch is retried every second until r takes it: the channel closes only when ctx ends or the
// registry closes.
func (c *cached) Watch(ctx context.Context, key string) (<-chan []string, error) {
	in, err := c.r.Watch(ctx, key)
	var snap []string
	if err != nil {
		var ok bool
		if snap, ok = c.stale(key, err); !ok {
			return nil, err
		}
	}
	out := make(chan []string)
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		defer close(out)
		if in == nil && !c.retryWatch(ctx, key, snap, out, &in) {
			return
		}
		for {
			select {
			case eps, ok := <-in:
				if !ok {
					// r's Watch failed: serve the snapshot and watch again.
					if ctx.Err() != nil || c.closing() {
						return
					}
					snap, _ := c.stale(key, ErrWatchLost)
					if in = nil; !c.retryWatch(ctx, key, snap, out, &in) {
						return
					}
					continue
				}
				c.keep(key, eps)
				select {
				case out <- eps:
				case <-ctx.Done():
					return
				case <-c.stop:
					return
				}
			case <-ctx.Done():
				return
			case <-c.stop:
				return
			}
		}
	}()
	return out, nil
}

// retryWatch offers snap until r's Watch starts (set in *in) or the Watch ends (false).
func (c *cached) retryWatch(ctx context.Context, key string, snap []string, out chan<- []string, in *<-chan []string) bool {
	t := time.NewTimer(c.retry)
	defer t.Stop()
	send := out
	for {
		select {
		case send <- snap:
			send = nil
		case <-t.C:
			ch, err := c.r.Watch(ctx, key)
			if err == nil {
				*in = ch
				return true
			}
			if c.onStale != nil {
				c.onStale(key, err)
			}
			t.Reset(c.retry)
		case <-ctx.Done():
			return false
		case <-c.stop:
			return false
		}
	}
}

func (c *cached) Close() error {
	c.stopOnce.Do(func() { close(c.stop) })
	err := c.r.Close()
	c.wg.Wait()
	return err
}

// closing reports whether Close was called.
func (c *cached) closing() bool {
	select {
	case <-c.stop:
		return true
	default:
		return false
	}
}
