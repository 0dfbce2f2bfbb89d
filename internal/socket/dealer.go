package socket

import "github.com/purezmq/zmq/internal/pipe"

func init() {
	register(DEALER, func(*Options) pattern { return &dealer{} }, Caps{Send: true, Recv: true, Conflate: true, Probe: true, Identity: true})
}

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
