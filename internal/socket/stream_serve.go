package socket

import (
	"fmt"
	"net"

	"github.com/purezmq/zmq/internal/engine"
	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/internal/transport"
	"github.com/purezmq/zmq/internal/zerr"
)

// serveRaw runs one connection of a raw socket (STREAM) until it ends or the socket quits. There
// is no handshake: the connection is the peer, and with STREAM_NOTIFY the application hears of
// it opening and of its peer closing it as empty messages; o is the options it started with.
func (s *Socket) serveRaw(nc net.Conn, ep string, o *Options, connectID []byte) (err error) {
	defer func() { s.endedEvent(ep, nc, err) }()
	c := engine.NewRaw(nc)
	l := s.newLink(o)
	s.mu.Lock()
	if s.quitting() {
		s.mu.Unlock()
		nc.Close()
		return nil
	}
	l.p.RoutingID = connectID
	l.p.Kick = func() { c.Finish(l.q) }
	if !s.attachLocked(l) {
		s.mu.Unlock()
		nc.Close()
		return errRefused
	}
	l.raw = c
	notify := o.StreamNotify
	if notify {
		l.p.Push(pipe.Msg{{}}) // under s.mu: the application sees the id only once it routes
	}
	s.mu.Unlock()

	err = c.Run(l.p, l.space, l.q, s.quit, s.wakeIdle)
	s.mu.Lock()
	l.raw = nil
	s.detachLocked(l)
	l.q.Close()
	if notify && !c.Finished() && !s.quitting() {
		l.p.Push(pipe.Msg{{}}) // after detach: a send on hearing it fails, as the peer is gone
	}
	s.inbox.Abandon(l.p)
	s.mu.Unlock()
	s.wakeSenders() // a sender waiting for this peer's room fails now
	s.wakeIdle()
	return err
}

// checkRawTransport refuses inproc for a raw socket: it has no bytes to carry. (A multicast
// transport refuses every type but the publish-subscribe ones itself: openDatagram.)
func (s *Socket) checkRawTransport(t transport.Transport) error {
	if _, inproc := t.(transport.Inproc); s.caps.Raw && inproc {
		return fmt.Errorf("%w: %v works over the stream transports only (tcp, ipc)", zerr.ErrEndpoint, s.typ)
	}
	return nil
}
