package socket

import (
	"sync"

	"github.com/purezmq/zmq/internal/zerr"
)

// Context owns what libzmq's context owns: the inproc namespace and the set of sockets closed
// together.
type Context struct {
	mu      sync.Mutex // also serialises every inproc link and unlink
	closed  bool
	sockets map[*Socket]struct{}
	binds   map[string]*Socket
	conns   map[string][]*inprocConnecter // every inproc connecter, linked or waiting, by name
}

// NewContext returns an empty context.
func NewContext() *Context {
	return &Context{
		sockets: map[*Socket]struct{}{},
		binds:   map[string]*Socket{},
		conns:   map[string][]*inprocConnecter{},
	}
}

func (c *Context) add(s *Socket) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return zerr.ErrClosed
	}
	c.sockets[s] = struct{}{}
	return nil
}

func (c *Context) remove(s *Socket) {
	c.mu.Lock()
	delete(c.sockets, s)
	c.mu.Unlock()
}

// Close closes every socket of the context (each honouring its linger) and refuses new ones.
func (c *Context) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return zerr.ErrClosed
	}
	c.closed = true
	socks := make([]*Socket, 0, len(c.sockets))
	for s := range c.sockets {
		socks = append(socks, s)
	}
	c.mu.Unlock()
	var wg sync.WaitGroup
	for _, s := range socks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = s.Close()
		}()
	}
	wg.Wait()
	return nil
}
