package socket

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/purezmq/zmq/internal/transport"
	"github.com/purezmq/zmq/internal/zerr"
)

// listener is a bound tcp or ipc endpoint.
type listener struct {
	s    *Socket
	l    net.Listener
	name string   // the resolved endpoint, for monitor events
	o    *Options // as they were at Bind: every connection accepted here has them, as libzmq
	t    transport.Stream
	once sync.Once
	// stopped is set before stop closes the endpoint's connections: a connection accepted as
	// Unbind runs may be tracked after that, and acceptLoop closes it then.
	stopped atomic.Bool
}

func (l *listener) stop() {
	l.once.Do(func() {
		l.stopped.Store(true)
		err := l.l.Close()
		if err != nil && !errors.Is(err, net.ErrClosed) {
			l.s.emit(MonitorEvent{Type: EvCloseFailed, Endpoint: l.name, Err: err})
		} else {
			l.s.emit(MonitorEvent{Type: EvClosed, Endpoint: l.name})
		}
		l.s.closeConns(l)
	})
}

// Bind starts accepting peers on endpoint.
func (s *Socket) Bind(addr string) error { return zerr.Op("bind", addr, s.bind(addr)) }

func (s *Socket) bind(addr string) error {
	ep, err := transport.Parse(addr)
	if err != nil {
		return err
	}
	if err := s.checkOpen(); err != nil {
		return err
	}
	if err := s.checkRawTransport(ep.T); err != nil {
		return err
	}
	o, err := s.snapshot()
	if err != nil {
		return err
	}
	var st transport.Stream
	switch t := ep.T.(type) {
	case transport.Inproc:
		return s.ctx.bindInproc(s, ep)
	case transport.Datagram:
		return s.openDatagram(t, ep, o) // bind is connect, as libzmq
	case transport.Stream:
		st = t
	default:
		return fmt.Errorf("%w: %s", zerr.ErrTransportNotSupported, ep.Scheme)
	}
	nl, resolved, err := st.Listen(ep.Addr, o.transport())
	if err != nil {
		s.emit(MonitorEvent{Type: EvBindFailed, Endpoint: addr, Err: err})
		return err
	}
	l := &listener{s: s, l: nl, name: resolved, o: o, t: st}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		nl.Close()
		return s.closeErr
	}
	// Only under the resolved name, as libzmq: a wildcard names no endpoint to Unbind.
	s.endpoints[resolved] = l
	s.lastEP = resolved
	s.wg.Add(1)
	s.mu.Unlock()
	s.emit(MonitorEvent{Type: EvListening, Endpoint: resolved})
	go s.acceptLoop(l)
	return nil
}

func (s *Socket) acceptLoop(l *listener) {
	defer s.wg.Done()
	for {
		nc, err := l.l.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of descriptors and the like: back off a little and keep serving.
			s.emit(MonitorEvent{Type: EvAcceptFailed, Endpoint: l.name, Err: err})
			t := time.NewTimer(10 * time.Millisecond)
			select {
			case <-t.C:
			case <-s.quit:
				t.Stop()
				return
			}
			continue
		}
		l.t.Accepted(nc, l.o.transport())
		s.emit(MonitorEvent{Type: EvAccepted, Endpoint: l.name, PeerAddr: peerAddr(nc)})
		if !s.track(nc, l) {
			continue
		}
		if l.stopped.Load() { // stop's closeConns may have come before track
			s.untrack(nc)
			nc.Close()
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			_ = s.serve(nc, l.name, l.o, nil, nil)
			s.untrack(nc)
		}()
	}
}

// Unbind stops accepting on endpoint, as LastEndpoint reported it (a tcp host name or "*" is
// resolved, as libzmq does; a wildcard port names nothing), and closes the connections
// accepted there.
func (s *Socket) Unbind(addr string) error { return zerr.Op("unbind", addr, s.unbind(addr)) }

func (s *Socket) unbind(addr string) error {
	ep, err := transport.Parse(addr)
	if err != nil {
		return err
	}
	isListener := func(e endpoint) bool { _, ok := e.(*listener); return ok }
	switch t := ep.T.(type) {
	case transport.Inproc:
		return s.ctx.unbindInproc(s, ep)
	case transport.Datagram:
		return s.stopEndpoint(addr, isDatagram)
	case transport.Stream:
		if !s.hasEndpoint(addr) {
			for _, name := range t.Aliases(ep.Addr) {
				if s.hasEndpoint(name) {
					addr = name
					break
				}
			}
		}
	}
	return s.stopEndpoint(addr, isListener)
}

func (s *Socket) hasEndpoint(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.endpoints[name]
	return ok
}

// stopEndpoint removes and stops the endpoint registered under name if match accepts it.
func (s *Socket) stopEndpoint(name string, match func(endpoint) bool) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return s.closeErr
	}
	e, ok := s.endpoints[name]
	if !ok || !match(e) {
		s.mu.Unlock()
		return zerr.ErrNotFound
	}
	for k, v := range s.endpoints {
		if v == e {
			delete(s.endpoints, k)
		}
	}
	s.mu.Unlock()
	e.stop()
	return nil
}

func (s *Socket) checkOpen() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return s.closeErr
	}
	return nil
}
