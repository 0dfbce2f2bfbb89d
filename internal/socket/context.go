package socket

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/purezmq/zmq/internal/zerr"
)

// Context owns what libzmq's context owns: the inproc namespace and the set of sockets closed
// together. A closed socket stays in the set until it has lingered.
type Context struct {
	mu         sync.Mutex // also serialises every inproc link and unlink
	closed     bool
	terminated atomic.Bool // closed, for a socket's Close to read without mu
	sockets    map[*Socket]struct{}
	binds      map[string]*Socket
	conns      map[string][]*inprocConnecter // every inproc connecter, linked or waiting, by name

	drop     chan struct{} // closed when Shutdown gives up: lingering sockets stop waiting
	dropOnce sync.Once
}

// NewContext returns an empty context.
func NewContext() *Context {
	return &Context{
		sockets: map[*Socket]struct{}{},
		binds:   map[string]*Socket{},
		conns:   map[string][]*inprocConnecter{},
		drop:    make(chan struct{}),
	}
}

func (c *Context) add(s *Socket) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return zerr.ErrContextClosed
	}
	c.sockets[s] = struct{}{}
	return nil
}

func (c *Context) remove(s *Socket) {
	c.mu.Lock()
	delete(c.sockets, s)
	c.mu.Unlock()
}

// Shutdown closes every socket of the context and refuses new ones, then waits, as
// zmq_ctx_term, until every socket closed so far has lingered: written what it queued or
// reached its linger period. When ctx ends first the sockets still lingering drop what they
// hold, and Shutdown returns ctx's error once they are torn down. Either way no goroutine of
// the context's sockets is left when it returns.
func (c *Context) Shutdown(ctx context.Context) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return zerr.ErrContextClosed
	}
	c.closed = true
	c.terminated.Store(true)
	socks := make([]*Socket, 0, len(c.sockets))
	for s := range c.sockets {
		socks = append(socks, s)
	}
	c.mu.Unlock()
	for _, s := range socks {
		_ = s.Close() // ErrClosed for those closed before, which may still be lingering
	}
	var err error
	for _, s := range socks {
		select {
		case <-s.done:
			continue
		default:
		}
		select {
		case <-s.done:
		case <-ctx.Done():
			c.dropOnce.Do(func() { close(c.drop) })
			<-s.done
			err = ctx.Err()
		}
	}
	return err
}

// Close is Shutdown with no deadline but the sockets' linger periods.
func (c *Context) Close() error { return c.Shutdown(context.Background()) }
