package socket

import (
	"encoding/binary"

	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/internal/zerr"
)

func init() {
	register(ROUTER, func(o *Options) pattern { return newRouter(o) }, Caps{Send: true, Recv: true, Routed: true, Probe: true, Identity: true})
}

// router prefixes each inbound message with its peer's routing id and routes outbound messages
// by their first frame (RFC 28). Unroutable messages are dropped, or fail with
// EHOSTUNREACH under ROUTER_MANDATORY; a peer at its HWM drops too, or blocks under
// ROUTER_MANDATORY.
type router struct {
	byID      map[string]*pipe.Pipe
	ids       idGen
	mandatory bool
	handover  bool
}

func newRouter(o *Options) *router {
	return &router{byID: map[string]*pipe.Pipe{}, ids: newIDGen(), mandatory: o.RouterMandatory, handover: o.RouterHandover}
}

// idGen makes routing ids for peers that bring none: a zero byte, which applications may not
// use, so they never clash, then a 32-bit counter, as libzmq.
type idGen struct{ next uint32 }

// newIDGen starts where libzmq's first ids do (its seed's first random number).
func newIDGen() idGen { return idGen{next: 0x6b8b4566} }

func (g *idGen) generate(taken map[string]*pipe.Pipe) []byte {
	id := make([]byte, 5)
	for {
		g.next++
		binary.BigEndian.PutUint32(id[1:], g.next)
		if _, used := taken[string(id)]; !used {
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
		id = s.ids.generate(s.byID)
	}
	if old, taken := s.byID[string(id)]; taken {
		if !s.handover {
			return false
		}
		// The newcomer takes the id; the old holder is renamed until its connection, dropped
		// here as libzmq does, goes away.
		old.RoutingID = s.ids.generate(s.byID)
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
