package rpc

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"time"
)

// route is the set of connections serving one key, kept up to date from the registry's Watch
// (and the static endpoints).
type route struct {
	key   string
	ready chan struct{} // closed once the first set is known (or err is set)
	err   error         // the registry's Watch failed: set before ready closes
	eps   []string      // under clientCore.mu
	conns atomic.Pointer[[]*conn]
	rr    atomic.Uint32
}

// route returns key's route, waiting (within ctx) for its first set of servers.
func (c *clientCore) route(ctx context.Context, key string) (*route, error) {
	key = c.routeKey(key)
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, newError(Unavailable, "client closed")
	}
	r := c.routes[key]
	if r == nil {
		r = &route{key: key, ready: make(chan struct{})}
		r.conns.Store(&[]*conn{})
		c.routes[key] = r
		if c.cfg.registry == nil {
			c.setEndpointsLocked(r, nil)
			close(r.ready)
		} else {
			c.wg.Add(1)
			go c.watch(r)
		}
	}
	c.mu.Unlock()
	select {
	case <-r.ready:
	case <-ctx.Done():
		return nil, ctxError(ctx)
	}
	if r.err != nil {
		return nil, r.err
	}
	return r, nil
}

// watch follows the registry's set for r's key until the client closes.
func (c *clientCore) watch(r *route) {
	defer c.wg.Done()
	ch, err := c.cfg.registry.Watch(c.ctx, r.key)
	if err != nil {
		c.mu.Lock()
		delete(c.routes, r.key) // the next call tries again
		c.mu.Unlock()
		r.err = &Error{Code: Unavailable, Message: fmt.Sprintf("registry: watching %s: %v", r.key, err)}
		close(r.ready)
		return
	}
	first := true
	for {
		for eps := range ch {
			c.mu.Lock()
			if !c.closed {
				c.setEndpointsLocked(r, eps)
			}
			c.mu.Unlock()
			if first {
				close(r.ready)
				first = false
			}
		}
		if first {
			r.err = newError(Unavailable, "client closed")
			close(r.ready)
			return
		}
		// The registry's Watch ended without the client closing: the registry failed. Keep
		// the connections we have and watch again.
		if ch = c.rewatch(r.key); ch == nil {
			return
		}
	}
}

// rewatch starts a new Watch of key, trying every second, until the client closes (nil).
func (c *clientCore) rewatch(key string) <-chan []string {
	t := time.NewTimer(time.Second)
	defer t.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return nil
		case <-t.C:
		}
		if ch, err := c.cfg.registry.Watch(c.ctx, key); err == nil {
			return ch
		}
		t.Reset(time.Second)
	}
}

// setEndpointsLocked makes r's connections those of eps and the static endpoints, opening new
// ones and closing those no route lists any more. An endpoint that cannot be connected to
// (malformed) is left out.
func (c *clientCore) setEndpointsLocked(r *route, eps []string) {
	want := slices.Concat(c.cfg.endpoints, eps)
	slices.Sort(want)
	want = slices.Compact(want)
	if slices.Equal(want, r.eps) && len(*r.conns.Load()) == len(want) {
		return
	}
	var conns []*conn
	for _, ep := range want {
		cn := c.conns[ep]
		if cn == nil {
			var err error
			if cn, err = c.newConn(ep); err != nil {
				continue
			}
			c.conns[ep] = cn
		}
		if !slices.Contains(r.eps, ep) {
			cn.refs++
		}
		conns = append(conns, cn)
	}
	for _, ep := range r.eps {
		if slices.Contains(want, ep) {
			continue
		}
		if cn := c.conns[ep]; cn != nil {
			if cn.refs--; cn.refs == 0 {
				delete(c.conns, ep)
				c.retire(cn)
			}
		}
	}
	r.eps = want
	r.conns.Store(&conns)
}

// pick returns the next live connection of r, round robin. While none is live but some have
// not been tried yet, it waits for them (within ctx); when every one has failed, or there is
// none, it returns NoResponders at once.
func (c *clientCore) pick(ctx context.Context, r *route) (*conn, error) {
	cs := *r.conns.Load()
	n := uint32(len(cs))
	start := r.rr.Add(1)
	for i := range n {
		if cn := cs[(start+i)%n]; cn.state.Load() == connUp {
			return cn, nil
		}
	}
	up, err := c.wait(ctx, r)
	if err != nil {
		return nil, err
	}
	return up[start%uint32(len(up))], nil
}

// live returns every live connection of r, for a fanout, waiting as pick does.
func (c *clientCore) live(ctx context.Context, r *route) ([]*conn, error) { return c.wait(ctx, r) }

// refresh asks the registry for r's servers now, instead of waiting for the Watch's next
// change (a Redis Watch polls): a fanout then reaches every server registered before it was
// sent, one whose Start has just returned included. A registry that does not answer leaves
// the last snapshot in use; the Watch reports the outage.
func (c *clientCore) refresh(ctx context.Context, r *route) {
	if c.cfg.registry == nil {
		return
	}
	eps, err := c.cfg.registry.Resolve(ctx, r.key)
	if err != nil {
		return
	}
	c.mu.Lock()
	if !c.closed {
		c.setEndpointsLocked(r, eps)
	}
	c.mu.Unlock()
}

// wait returns r's live connections once none is left untried, or NoResponders when none is
// live then; within ctx.
func (c *clientCore) wait(ctx context.Context, r *route) ([]*conn, error) {
	for {
		c.mu.Lock()
		changed, closed := c.changed, c.closed
		c.mu.Unlock()
		if closed {
			return nil, newError(Unavailable, "client closed")
		}
		var up []*conn
		waiting := false
		cs := *r.conns.Load()
		for _, cn := range cs {
			switch cn.state.Load() {
			case connUp:
				up = append(up, cn)
			case connConnecting:
				waiting = true
			}
		}
		if !waiting {
			if len(up) == 0 {
				return nil, newError(NoResponders, fmt.Sprintf("no server of %s connected (%d known)", r.key, len(cs)))
			}
			return up, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, ctxError(ctx)
		}
	}
}
