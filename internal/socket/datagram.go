package socket

import (
	"fmt"
	"sync"

	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/internal/transport"
	"github.com/purezmq/zmq/internal/zerr"
)

// A datagram transport's engine is one pipe of its socket, as in libzmq: a PUB's is
// subscribed to everything (subscriptions do not travel over multicast), a SUB filters what
// its engine delivers, and an XSUB's subscriptions and messages upstream go nowhere.

// datagramEndpoint is one open multicast endpoint.
type datagramEndpoint struct {
	s    *Socket
	name string
	e    transport.Engine
	l    *link
	once sync.Once
}

func isDatagram(e endpoint) bool { _, ok := e.(*datagramEndpoint); return ok }

func (d *datagramEndpoint) stop() {
	d.once.Do(func() {
		if err := d.e.Close(); err != nil {
			d.s.emit(MonitorEvent{Type: EvCloseFailed, Endpoint: d.name, Err: err})
		}
		d.s.mu.Lock()
		d.s.detachLocked(d.l)
		d.l.q.Close() // under s.mu, so no push straddles it (pipe.OutQueue)
		d.s.mu.Unlock()
		d.s.wakeIdle()
	})
}

// discard is a receiving engine's way upstream: nothing travels there.
type discard struct{}

func (discard) TryPush(pipe.Msg) bool { return true }

// openDatagram opens t's engine for ep, sending from a PUB or XPUB and receiving into a SUB or
// XSUB, and attaches it as a pipe. Bind and Connect both come here.
func (s *Socket) openDatagram(t transport.Datagram, ep transport.Endpoint, o *Options) error {
	var send bool
	switch s.typ {
	case PUB, XPUB:
		send = true
	case SUB, XSUB:
	default:
		return fmt.Errorf("%w: %v cannot use %s", zerr.ErrIncompatibleTransport, s.typ, ep.Scheme)
	}
	name := ep.String()
	if s.hasEndpoint(name) {
		return fmt.Errorf("%w: %s is open already", zerr.ErrAddrInUse, name)
	}
	e, err := t.Open(ep.Addr, o.transport(), send)
	if err != nil {
		return err
	}
	l := s.newLink(o)
	l.persistent = true
	if send {
		l.p.Encodes = true // the engine only reads what it sends
	} else {
		l.p.SetOut(discard{})
	}
	d := &datagramEndpoint{s: s, name: name, e: e, l: l}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = e.Close()
		return s.closeErr
	}
	if _, dup := s.endpoints[name]; dup {
		s.mu.Unlock()
		_ = e.Close()
		return fmt.Errorf("%w: %s is open already", zerr.ErrAddrInUse, name)
	}
	s.attachLocked(l) // the publish-subscribe types take every pipe
	if x, ok := s.pat.(*xpub); ok {
		x.subs.add(nil, l.p, true)
	}
	l.dgram = e
	s.endpoints[name] = d
	s.lastEP = name
	s.wg.Add(1)
	s.mu.Unlock()
	go s.runDatagram(d)
	return nil
}

func (s *Socket) runDatagram(d *datagramEndpoint) {
	defer s.wg.Done()
	ln := transport.Link{Space: d.l.space, Idle: s.wakeIdle}
	if d.l.p.Encodes {
		ln.Out = d.l.q
	} else {
		ln.In = d.l.p
	}
	err := d.e.Run(ln)
	// A failed engine is gone: its pipe must not hold what the socket sends, nor count for
	// LINGER; the endpoint stays until Unbind, Disconnect or Close.
	s.mu.Lock()
	l := d.l
	s.detachLocked(l)
	l.dgram = nil
	l.q.Close()
	s.mu.Unlock()
	s.wakeIdle()
	if err != nil {
		s.emit(MonitorEvent{Type: EvDisconnected, Endpoint: d.name, Err: err})
	}
}
