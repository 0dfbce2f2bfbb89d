package socket

import (
	"encoding/binary"
	"slices"

	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/internal/zerr"
)

func init() {
	register(REQ, func(o *Options) pattern { return &req{correlate: o.ReqCorrelate, relaxed: o.ReqRelaxed} }, Caps{Send: true, Recv: true, Identity: true})
}

// req is a DEALER that adds the empty delimiter, goes in lock-step (send, then receive the reply
// from the peer it asked), and with REQ_CORRELATE prefixes a request id that the reply must echo
// (RFC 28, libzmq 4.3).
type req struct {
	dealer
	correlate, relaxed bool
	waiting            bool       // a request is out; the next operation must be Recv
	asked              *pipe.Pipe // the peer the reply must come from
	id                 uint32
}

func (s *req) detach(p *pipe.Pipe) {
	s.dealer.detach(p)
	if s.asked == p {
		s.asked = nil // the reply can never come; REQ_RELAXED lets the caller ask again
	}
}

func (s *req) send(m pipe.Msg) error {
	if s.waiting && !s.relaxed {
		return zerr.ErrState
	}
	out := make(pipe.Msg, 0, len(m)+2)
	if s.correlate {
		id := make([]byte, 4)
		binary.BigEndian.PutUint32(id, s.id+1)
		out = append(out, id)
	}
	out = append(append(out, []byte{}), m...)
	p, err := s.lb.send(out)
	if err != nil {
		return err
	}
	if s.correlate {
		s.id++
	}
	s.waiting, s.asked = true, p
	return nil
}

func (s *req) canRecv() error {
	if !s.waiting {
		return zerr.ErrState
	}
	return nil
}

func (s *req) recv(p *pipe.Pipe, m pipe.Msg) (pipe.Msg, bool) {
	if !s.waiting || p != s.asked {
		return nil, false // a late or stray reply
	}
	if s.correlate {
		if len(m) < 2 || len(m[0]) != 4 || binary.BigEndian.Uint32(m[0]) != s.id {
			return nil, false
		}
		m = m[1:]
	}
	if len(m) < 1 || len(m[0]) != 0 {
		return nil, false // not a reply envelope
	}
	s.waiting, s.asked = false, nil
	return slices.Clip(m[1:]), true
}
