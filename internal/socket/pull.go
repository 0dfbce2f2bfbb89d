package socket

import (
	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/internal/zerr"
)

func init() {
	register(PULL, func(*Options) pattern { return &pull{} }, Caps{Recv: true, Conflate: true})
}

// pull fair-queues from its peers and cannot send (RFC 30).
type pull struct{}

func (s *pull) attach(p *pipe.Pipe) bool                       { return true }
func (s *pull) detach(p *pipe.Pipe)                            {}
func (s *pull) send(m pipe.Msg) error                          { return zerr.ErrNotSupported }
func (s *pull) canRecv() error                                 { return nil }
func (s *pull) recv(p *pipe.Pipe, m pipe.Msg) (pipe.Msg, bool) { return m, true }
