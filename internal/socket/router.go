package socket

import (
	"encoding/binary"

	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/internal/zerr"
)

func init() {
	register(ROUTER, func(o *Options) pattern { return newRouter(o) }, Caps{Send: true, Recv: true, Routed: true, Probe: true})
}

// router prefixes each inbound message with its peer's routing id and routes outbound messages
// by their first frame (RFC 28). Unroutable messages are dropped, or fail with
// EHOSTUNREACH under ROUTER_MANDATORY; a peer at its HWM drops too, or blocks under
// ROUTER_MANDATORY.
type router struct {
	byID      map[string]*pipe.Pipe
	next      uint32
	mandatory bool
	handover  bool
}

func newRouter(o *Options) *router {
	return &router{byID: map[string]*pipe.Pipe{}, next: 0x6b8b4567, mandatory: o.RouterMandatory, handover: o.RouterHandover}
}

// generated ids start with a zero byte, which applications may not use, so they never clash.
func (s *router) generate() []byte {
	id := make([]byte, 5)
	for {
		s.next++
		binary.BigEndian.PutUint32(id[1:], s.next)
		if _, taken := s.byID[string(id)]; !taken {
			return id
		}
	}
}

func (s *router) attach(p *pipe.Pipe) bool {
	id := p.RoutingID // CONNECT_ROUTING_ID, set by the socket before attach
	if len(id) == 0 {
		id = p.PeerIdentity
	}
	if len(id) == 0 {
		id = s.generate()
	}
	if old, taken := s.byID[string(id)]; taken {
		if !s.handover {
			return false
		}
		// The newcomer takes the id; the old holder is renamed until its connection, dropped
		// here as libzmq does, goes away.
		old.RoutingID = s.generate()
		s.byID[string(old.RoutingID)] = old
		if old.Kick != nil {
			old.Kick()
		}
	}
	p.RoutingID = id
	s.byID[string(id)] = p
	return true
}

func (s *router) detach(p *pipe.Pipe) {
	if s.byID[string(p.RoutingID)] == p {
		delete(s.byID, string(p.RoutingID))
	}
}

func (s *router) send(m pipe.Msg) error {
	if len(m) < 2 {
		return nil // a routing id with no body: nothing to send, as in libzmq
	}
	p := s.byID[string(m[0])]
	if p == nil {
		if s.mandatory {
			return zerr.ErrHostUnreachable
		}
		return nil
	}
	if !p.TryPush(m[1:]) && s.mandatory {
		return errAgain
	}
	return nil
}

func (s *router) canRecv() error { return nil }

func (s *router) recv(p *pipe.Pipe, m pipe.Msg) (pipe.Msg, bool) {
	out := make(pipe.Msg, 0, len(m)+1)
	return append(append(out, p.RoutingID), m...), true
}
