package socket

import (
	"fmt"

	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/internal/zerr"
)

func init() {
	register(STREAM, func(*Options) pattern { return newStream() }, Caps{Send: true, Recv: true, Routed: true, Raw: true})
}

// stream is libzmq's STREAM: each raw tcp or ipc connection is a peer with a routing id, and
// every message is [routing id, bytes]. Bytes arrive in whatever chunks the reads give; an
// empty body is a connection opening or closing (STREAM_NOTIFY), and sending one closes the
// connection, after what was sent to it before.
type stream struct {
	byID map[string]*pipe.Pipe
	ids  idGen
}

func newStream() *stream { return &stream{byID: map[string]*pipe.Pipe{}, ids: newIDGen()} }

func (s *stream) attach(p *pipe.Pipe) bool {
	id := p.RoutingID // CONNECT_ROUTING_ID, set by the socket before attach
	if len(id) == 0 {
		id = s.ids.generate(s.byID)
	}
	if _, taken := s.byID[string(id)]; taken {
		return false
	}
	p.RoutingID = id
	s.byID[string(id)] = p
	return true
}

func (s *stream) detach(p *pipe.Pipe) {
	if s.byID[string(p.RoutingID)] == p {
		delete(s.byID, string(p.RoutingID))
	}
}

func (s *stream) send(m pipe.Msg) error {
	if len(m) != 2 {
		return fmt.Errorf("%w: a STREAM message is a routing id and a body, not %d frames", zerr.ErrNotSupported, len(m))
	}
	p := s.byID[string(m[0])]
	if p == nil {
		return zerr.ErrHostUnreachable
	}
	if len(m[1]) == 0 {
		// The id is gone at once, as in libzmq: later sends to it fail, what the connection
		// still delivers is dropped (recv), and its close brings no notification.
		delete(s.byID, string(m[0]))
		p.RoutingID = nil
		if p.Kick != nil {
			p.Kick()
		}
		return nil
	}
	if !p.TryPush(m[1:]) {
		return errAgain
	}
	return nil
}

func (s *stream) canRecv() error { return nil }

func (s *stream) recv(p *pipe.Pipe, m pipe.Msg) (pipe.Msg, bool) {
	if p.RoutingID == nil {
		return nil, false // its connection was closed by the application
	}
	return pipe.Msg{p.RoutingID, m[0]}, true
}
