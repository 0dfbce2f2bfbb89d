package peer

import (
	zmq4 "github.com/pebbe/zmq4"
)

// pebbe is github.com/pebbe/zmq4, the cgo binding to libzmq: libzmq's engine behind a Go API
// whose Send and Recv copy between Go and C memory.
type pebbeImpl struct{ ctx *zmq4.Context }

func newPebbe() (impl, error) {
	ctx, err := zmq4.NewContext()
	if err != nil {
		return nil, err
	}
	return pebbeImpl{ctx}, nil
}

// close terminates the context, which (with libzmq's default infinite LINGER) waits until every
// sender's messages are written.
func (p pebbeImpl) close() error { return p.ctx.Term() }

func (p pebbeImpl) open(k kind, endpoint string, bind bool) (conn, error) {
	t := map[kind]zmq4.Type{push: zmq4.PUSH, pull: zmq4.PULL, req: zmq4.REQ, rep: zmq4.REP}[k]
	s, err := p.ctx.NewSocket(t)
	if err != nil {
		return nil, err
	}
	if bind {
		err = s.Bind(endpoint)
	} else {
		err = s.Connect(endpoint)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return pebbeConn{s}, nil
}

type pebbeConn struct{ s *zmq4.Socket }

func (c pebbeConn) send(b []byte) error {
	_, err := c.s.SendBytes(b, 0)
	return err
}

func (c pebbeConn) recv() ([]byte, error) { return c.s.RecvBytes(0) }

func (c pebbeConn) close() error { return c.s.Close() }
