package stomp

import (
	"context"
	"maps"
	"slices"
	"sync"

	"github.com/purezmq/zmq/bridge"
)

func (c *conn) publisher(dest string) (bridge.Publisher, error) {
	a, err := parseAddress(dest)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return nil, c.err
	}
	return &publisher{c: c, addr: a, raw: dest, pending: map[*confirm]struct{}{}}, nil
}

type publisher struct {
	c    *conn
	addr address
	raw  string
	// Under c.mu:
	pending map[*confirm]struct{}
	closed  bool
}

// Publish sends m with a receipt; its Confirm is the broker's RECEIPT (nil), an ERROR about
// it (bridge.ErrRejected) or the connection's end.
func (p *publisher) Publish(ctx context.Context, m bridge.Message) (bridge.Confirm, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := sendFrame(p.addr.destination(&m, p.raw), &m)
	if err != nil {
		return nil, err
	}
	cf := &confirm{done: make(chan struct{})}
	p.c.mu.Lock()
	defer p.c.mu.Unlock()
	if p.closed {
		return nil, bridge.ErrClosed
	}
	err = p.c.sendLocked(f, func(err error) {
		delete(p.pending, cf)
		cf.settle(err)
	})
	if err != nil {
		return nil, err
	}
	p.pending[cf] = struct{}{}
	return cf, nil
}

// Close fails the pending confirms with bridge.ErrClosed; their receipts, if they come, are
// dropped.
func (p *publisher) Close() error {
	p.c.mu.Lock()
	defer p.c.mu.Unlock()
	p.closed = true
	for cf := range p.pending {
		cf.settle(bridge.ErrClosed)
	}
	clear(p.pending)
	return nil
}

type confirm struct {
	once sync.Once
	done chan struct{}
	err  error
}

func (cf *confirm) settle(err error) {
	cf.once.Do(func() {
		cf.err = err
		close(cf.done)
	})
}

// Wait waits for the broker's answer.
func (cf *confirm) Wait(ctx context.Context) error {
	select {
	case <-cf.done:
		return cf.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }
