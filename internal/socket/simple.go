package socket

import (
	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/internal/zerr"
)

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

func (s *pair) recv(p *pipe.Pipe, m pipe.Msg) (pipe.Msg, bool) { return m, p == s.peer }

// push sends round-robin and cannot receive (RFC 30).
type push struct{ lb }

func (s *push) attach(p *pipe.Pipe) bool { s.add(p); return true }
func (s *push) detach(p *pipe.Pipe)      { s.remove(p) }
func (s *push) send(m pipe.Msg) error {
	_, err := s.lb.send(m)
	return err
}
func (s *push) canRecv() error                                 { return zerr.ErrNotSupported }
func (s *push) recv(p *pipe.Pipe, m pipe.Msg) (pipe.Msg, bool) { return nil, false }

// pull fair-queues from its peers and cannot send (RFC 30).
type pull struct{}

func (s *pull) attach(p *pipe.Pipe) bool                       { return true }
func (s *pull) detach(p *pipe.Pipe)                            {}
func (s *pull) send(m pipe.Msg) error                          { return zerr.ErrNotSupported }
func (s *pull) canRecv() error                                 { return nil }
func (s *pull) recv(p *pipe.Pipe, m pipe.Msg) (pipe.Msg, bool) { return m, true }

// dealer sends round-robin and fair-queues inbound, with no envelope handling (RFC 28).
type dealer struct{ lb }

func (s *dealer) attach(p *pipe.Pipe) bool { s.add(p); return true }
func (s *dealer) detach(p *pipe.Pipe)      { s.remove(p) }
func (s *dealer) send(m pipe.Msg) error {
	_, err := s.lb.send(m)
	return err
}
func (s *dealer) canRecv() error                                 { return nil }
func (s *dealer) recv(p *pipe.Pipe, m pipe.Msg) (pipe.Msg, bool) { return m, true }
