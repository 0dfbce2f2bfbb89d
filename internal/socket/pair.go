package socket

import "github.com/purezmq/zmq/internal/pipe"

func init() {
	register(PAIR, func(*Options) pattern { return &pair{} }, Caps{Send: true, Recv: true})
}

// pair talks to exactly one peer (RFC 31); a second one is refused.
type pair struct{ peer *pipe.Pipe }

func (s *pair) attach(p *pipe.Pipe) bool {
	if s.peer != nil {
		return false
	}
	s.peer = p
	return true
}

func (s *pair) detach(p *pipe.Pipe) {
	if s.peer == p {
		s.peer = nil
	}
}

func (s *pair) send(m pipe.Msg) error {
	if s.peer == nil || !s.peer.TryPush(m) {
		return errAgain
	}
	return nil
}

func (s *pair) canRecv() error { return nil }

// recv keeps what a former peer queued before it went, as libzmq delivers a pipe's messages
// before it ends it (a refused second peer never queues: its connection is closed first).
func (s *pair) recv(_ *pipe.Pipe, m pipe.Msg) (pipe.Msg, bool) { return m, true }
