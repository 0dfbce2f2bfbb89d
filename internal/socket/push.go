package socket

import (
	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/internal/zerr"
)

func init() {
	register(PUSH, func(*Options) pattern { return &push{} }, Caps{Send: true, Conflate: true})
}

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
