package socket

import (
	"net"

	"github.com/purezmq/zmq/internal/engine"
	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/internal/transport"
	"github.com/purezmq/zmq/internal/zerr"
)

// link is one peer as the socket tracks it: the pipe its pattern routes to, the outbound queue a
// connection's writer drains (nil for a live inproc peer), and the connection serving it now.
type link struct {
	p          *pipe.Pipe
	q          *pipe.OutQueue
	ds         *directSend      // the socket's: a Send that writes the connection itself (direct.go)
	space      chan struct{}    // inbound credit freed (wakes the connection's reader)
	conn       *engine.Conn     // guarded by the socket's mu
	raw        *engine.RawConn  // a raw socket's connection instead; guarded by the socket's mu
	attached   bool             // known to the pattern; guarded by the socket's mu
	persistent bool             // outlives its connections: a connect-side peer that queues while down
	dgram      transport.Engine // a datagram transport's engine serving it; guarded by the socket's mu
}

// newLink makes a peer's pipes with the HWMs and CONFLATE of o.
func (s *Socket) newLink(o *Options) *link {
	l := &link{space: pipe.NewWake(), ds: &s.ds}
	l.p = pipe.New(s.inbox, o.RecvHWM, func() { pipe.Signal(l.space) })
	l.q = pipe.NewOutQueue(o.SendHWM, s.wakeSenders)
	s.conflateOut(l.q, o)
	l.p.SetOut(l)
	s.hookPipe(l.p, o)
	return l
}

// attachLocked hands l to the pattern; false when the pattern refuses it.
func (s *Socket) attachLocked(l *link) bool {
	if l.attached {
		return true
	}
	if !s.pat.attach(l.p) {
		return false
	}
	l.attached = true
	s.links[l] = struct{}{}
	s.updateSoleLocked()
	s.wakeSenders()
	return true
}

func (s *Socket) detachLocked(l *link) {
	if l.attached {
		s.pat.detach(l.p)
		l.attached = false
	}
	delete(s.links, l)
	s.updateSoleLocked()
}

// persistentLink returns a link attached right away for a connect-side endpoint, so messages
// queue before the connection exists, or nil when the socket waits for the peer (IMMEDIATE;
// routed types without CONNECT_ROUTING_ID, whose routing ids come with each connection; the
// publish-subscribe types, which send their subscriptions to each new connection's pipe). A
// ROUTER's alias is routable from Connect on, as libzmq attaches the aliased pipe at once.
func (s *Socket) persistentLink(connectID []byte, o *Options) (*link, error) {
	if o.Immediate || s.caps.PubSub || s.caps.Routed && (s.caps.Raw || len(connectID) == 0) {
		return nil, nil
	}
	l := s.newLink(o)
	if s.caps.Routed {
		l.p.RoutingID = connectID
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.attachLocked(l) {
		if s.caps.Routed {
			return nil, zerr.Option("CONNECT_ROUTING_ID", "%q already names another peer", connectID)
		}
		return nil, nil
	}
	l.persistent = true
	return l, nil
}

// serve runs one handshaken connection on nc for link l (a fresh link when nil), until it
// fails or the socket quits. connectID is CONNECT_ROUTING_ID for a fresh link; ep names the
// endpoint that made nc in monitor events, o the options it started with.
func (s *Socket) serve(nc net.Conn, ep string, o *Options, l *link, connectID []byte) (err error) {
	if s.caps.Raw {
		return s.serveRaw(nc, ep, o, connectID)
	}
	defer func() { s.endedEvent(ep, nc, err) }()
	cfg := s.engineConfig(o)
	cfg.Connecting = l != nil
	c, peer, err := engine.Handshake(nc, cfg)
	if err != nil {
		s.handshakeEvent(ep, nc, err)
		nc.Close()
		return err
	}
	// HANDSHAKE_SUCCEEDED once the connection is attached, or refused: libzmq attaches the
	// pipe before it reports the handshake, so a program that sends when the event comes (a
	// ROUTER_MANDATORY Send to the new peer's routing id) finds the peer there.
	succeeded := func() { s.handshakeEvent(ep, nc, nil) }
	fresh := l == nil
	if fresh {
		l = s.newLink(o)
	}
	s.mu.Lock()
	select {
	case <-s.quit:
		s.mu.Unlock()
		succeeded()
		c.Close()
		return nil
	default:
	}
	l.p.PeerType, l.p.PeerIdentity, l.p.Meta = peer.SocketType, peer.Identity, peer.Meta
	l.p.Kick = func() { c.Close() }
	l.p.Ctl = func(sub []byte) { c.SendSubscription(sub, peer.Minor > 0) }
	if fresh {
		l.p.RoutingID = connectID
		l.p.Encodes = true // its queue only ever feeds c's writer
		s.shareLog(l, o)
	}
	if !s.attachLocked(l) {
		s.mu.Unlock()
		succeeded()
		c.Close()
		return errRefused
	}
	l.conn = c
	s.updateSoleLocked()
	if s.probes(o) {
		l.q.PushFront(pipe.Msg{{}}) // under s.mu, as every push (pipe.OutQueue)
	}
	s.mu.Unlock()
	succeeded()
	s.notify(o, l, NotifyConnect)
	err = c.Run(l.p, l.space, l.q, s.quit, s.wakeIdle)
	s.messageEvent(ep, nc, err)
	s.notify(o, l, NotifyDisconnect)
	s.mu.Lock()
	l.conn = nil
	s.updateSoleLocked()
	if !l.persistent {
		s.detachLocked(l)
		l.q.Close()
		s.inbox.Abandon(l.p) // what the peer left counts against what departed peers may
	}
	s.mu.Unlock()
	s.wakeIdle()
	return err
}

// probes reports whether the socket sends PROBE_ROUTER's empty message to each new peer.
func (s *Socket) probes(o *Options) bool {
	return o.ProbeRouter && s.caps.Probe
}
