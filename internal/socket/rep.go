package socket

import (
	"slices"

	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/internal/zerr"
)

func init() { register(REP, func(*Options) pattern { return &rep{} }, Caps{Send: true, Recv: true}) }

// rep receives a request, keeps its envelope (every frame up to the empty delimiter) and sends
// the reply back to the same peer with the envelope restored (RFC 28).
type rep struct {
	replying bool
	envelope pipe.Msg
	from     *pipe.Pipe
}

func (s *rep) attach(p *pipe.Pipe) bool { return true }

func (s *rep) detach(p *pipe.Pipe) {
	if s.from == p {
		s.from = nil // the reply will be dropped, as libzmq does
	}
}

func (s *rep) canRecv() error {
	if s.replying {
		return zerr.ErrState
	}
	return nil
}

func (s *rep) recv(p *pipe.Pipe, m pipe.Msg) (pipe.Msg, bool) {
	if s.replying {
		return nil, false
	}
	i := slices.IndexFunc(m, func(f []byte) bool { return len(f) == 0 })
	if i < 0 {
		return nil, false // no envelope: not a request
	}
	s.envelope, s.from, s.replying = m[:i+1:i+1], p, true
	return m[i+1:], true
}

func (s *rep) send(m pipe.Msg) error {
	if !s.replying {
		return zerr.ErrState
	}
	out := append(s.envelope, m...)
	if s.from != nil {
		_ = s.from.TryPush(out) // a peer at its HWM loses the reply, as with ROUTER
	}
	s.replying, s.envelope, s.from = false, nil, nil
	return nil
}
