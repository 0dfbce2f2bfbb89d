package socket

import (
	"context"
	"errors"
	"fmt"
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
	t         transport.Stream
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
	if err := s.checkRawTransport(ep.T); err != nil {
		return err
	}
	o, err := s.snapshot()
	if err != nil {
		return err
	}
	st, isStream := ep.T.(transport.Stream)
	if isStream {
		if err := st.CheckDial(ep.Addr, o.transport()); err != nil {
			return err
		}
	}
	if t, ok := ep.T.(transport.Datagram); ok {
		return s.openDatagram(t, ep, o)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return s.closeErr
	}
	id := s.connectID
	s.connectID = nil
	s.mu.Unlock()
	if _, ok := ep.T.(transport.Inproc); ok {
		return s.ctx.connectInproc(s, ep, id, o)
	}
	if !isStream {
		return fmt.Errorf("%w: %s", zerr.ErrTransportNotSupported, ep.Scheme)
	}
	l, err := s.persistentLink(id, o)
	if err != nil {
		return err
	}
	c := &connecter{s: s, ep: ep, t: st, connectID: id, o: o, l: l}
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
	switch ep.T.(type) {
	case transport.Inproc:
		return s.ctx.disconnectInproc(s, ep)
	case transport.Datagram:
		return s.stopEndpoint(addr, isDatagram)
	}
	return s.stopEndpoint(addr, func(e endpoint) bool { _, ok := e.(*connecter); return ok })
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
		if c.t.DelaysConnect() {
			// libzmq's non-blocking connect is always in progress at first.
			s.emit(MonitorEvent{Type: EvConnectDelayed, Endpoint: c.ep.String()})
		}
		nc, err := c.t.Dial(c.ctx, c.ep.Addr, c.o.transport())
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
