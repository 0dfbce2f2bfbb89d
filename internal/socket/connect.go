package socket

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"

	"github.com/purezmq/zmq/internal/engine"
	"github.com/purezmq/zmq/internal/transport"
	"github.com/purezmq/zmq/internal/zerr"
)

// connecter keeps one connect-side endpoint connected, reconnecting with backoff.
type connecter struct {
	s         *Socket
	ep        transport.Endpoint
	l         *link    // persistent link, or nil
	o         *Options // as they were at Connect: reconnections keep them, as libzmq
	connectID []byte
	ctx       context.Context
	cancel    context.CancelFunc
	once      sync.Once
}

func (c *connecter) stop() {
	c.once.Do(func() {
		c.cancel()
		c.s.closeConns(c)
		if c.l != nil {
			c.s.mu.Lock()
			c.s.detachLocked(c.l)
			c.l.q.Close() // under s.mu, so no push straddles it (pipe.OutQueue)
			c.s.mu.Unlock()
		}
	})
}

// Connect starts connecting to endpoint in the background and returns at once.
func (s *Socket) Connect(addr string) error { return zerr.Op("connect", addr, s.connect(addr)) }

func (s *Socket) connect(addr string) error {
	ep, err := transport.Parse(addr)
	if err != nil {
		return err
	}
	if err := s.checkRawTransport(ep.Scheme); err != nil {
		return err
	}
	o, err := s.snapshot()
	if err != nil {
		return err
	}
	if ep.Scheme == "tcp" {
		if err := transport.CheckDialAddr(ep.Addr, o.TCP); err != nil {
			return err
		}
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return s.closeErr
	}
	id := s.connectID
	s.connectID = nil
	s.mu.Unlock()
	if ep.Scheme == "inproc" {
		return s.ctx.connectInproc(s, ep.Addr, id, o)
	}
	l, err := s.persistentLink(id, o)
	if err != nil {
		return err
	}
	c := &connecter{s: s, ep: ep, connectID: id, o: o, l: l}
	c.ctx, c.cancel = context.WithCancel(s.base)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.stop()
		return s.closeErr
	}
	s.endpoints[addr] = c
	s.lastEP = addr
	s.wg.Add(1)
	s.mu.Unlock()
	go s.connectLoop(c)
	return nil
}

// Disconnect stops connecting to endpoint and closes its connection; messages queued for it are
// dropped.
func (s *Socket) Disconnect(addr string) error {
	return zerr.Op("disconnect", addr, s.disconnect(addr))
}

func (s *Socket) disconnect(addr string) error {
	ep, err := transport.Parse(addr)
	if err != nil {
		return err
	}
	if ep.Scheme == "inproc" {
		return s.ctx.disconnectInproc(s, ep.Addr)
	}
	return s.stopEndpoint(addr, func(e endpoint) bool { _, ok := e.(*connecter); return ok })
}

func (s *Socket) dial(ctx context.Context, ep transport.Endpoint, o *Options) (net.Conn, error) {
	if ep.Scheme == "ipc" {
		return transport.DialIPC(ctx, ep.Addr, o.Buffers)
	}
	return transport.DialTCP(ctx, ep.Addr, o.TCP, o.Buffers)
}

// givesUp tells a connection's end that makes a connect side give up on its endpoint: a peer
// that does not speak our protocol, our mechanism or to our socket type, or that refused our
// credentials (or whose we refused), will not change its mind. libzmq gives up after any such
// protocol-level failure, rather than knock on the door forever; it retries after a broken
// connection or a handshake that timed out.
func givesUp(err error) bool {
	for _, e := range []error{engine.ErrProtocol, engine.ErrMechanism, engine.ErrSocketType, engine.ErrPeerError, engine.ErrAuth} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func (s *Socket) connectLoop(c *connecter) {
	defer s.wg.Done()
	ivl := c.o.ReconnectIvl
	for {
		if c.ep.Scheme == "tcp" {
			// libzmq's non-blocking connect is always in progress at first.
			s.emit(MonitorEvent{Type: EvConnectDelayed, Endpoint: c.ep.String()})
		}
		nc, err := s.dial(c.ctx, c.ep, c.o)
		if err == nil {
			ivl = c.o.ReconnectIvl
			s.emit(MonitorEvent{Type: EvConnected, Endpoint: c.ep.String(), PeerAddr: peerAddr(nc)})
			if s.track(nc, c) {
				if c.ctx.Err() != nil {
					nc.Close()
				}
				err := s.serve(nc, c.ep.String(), c.o, c.l, c.connectID)
				s.untrack(nc)
				if givesUp(err) {
					c.stop()
					return
				}
			}
		}
		if err != nil && c.ctx.Err() == nil && !s.quitting() {
			// libzmq closes the socket of a failed attempt, and its monitor says so.
			s.emit(MonitorEvent{Type: EvClosed, Endpoint: c.ep.String(), Err: err})
		}
		if c.ctx.Err() != nil || c.o.ReconnectIvl < 0 {
			return
		}
		wait := ivl
		if err != nil && c.o.ReconnectIvlMax > ivl {
			ivl = min(2*ivl, c.o.ReconnectIvlMax)
		}
		if !s.quitting() { // a closing socket retries nothing
			s.emit(MonitorEvent{Type: EvConnectRetried, Endpoint: c.ep.String(), Value: int(wait.Milliseconds()), Err: err})
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-c.ctx.Done():
			t.Stop()
			return
		}
	}
}
