package peer

import (
	"context"
	"fmt"

	gozmq "github.com/go-zeromq/zmq4"
)

// gozmq is github.com/go-zeromq/zmq4, the other pure-Go ZeroMQ. Its Dial connects (retrying)
// before it returns, and its Send writes to the connection before it returns, so Close loses
// nothing.
type gozmqImpl struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func newGozmq() (impl, error) {
	ctx, cancel := context.WithCancel(context.Background())
	return gozmqImpl{ctx, cancel}, nil
}

func (g gozmqImpl) close() error { g.cancel(); return nil }

func (g gozmqImpl) open(k kind, endpoint string, o sockOpts) (conn, error) {
	if o.curve {
		return nil, errNoCurve
	}
	bind := o.bind
	var s gozmq.Socket
	switch k {
	case push:
		s = gozmq.NewPush(g.ctx)
	case pull:
		s = gozmq.NewPull(g.ctx)
	case req:
		s = gozmq.NewReq(g.ctx)
	case rep:
		s = gozmq.NewRep(g.ctx)
	}
	var err error
	if bind {
		err = s.Listen(endpoint)
	} else {
		err = s.Dial(endpoint)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return gozmqConn{s}, nil
}

type gozmqConn struct{ s gozmq.Socket }

func (c gozmqConn) send(b []byte) error { return c.s.Send(gozmq.NewMsg(b)) }

func (c gozmqConn) recv() ([]byte, error) {
	m, err := c.s.Recv()
	if err != nil {
		return nil, err
	}
	if len(m.Frames) != 1 {
		return nil, fmt.Errorf("%d frames, want 1", len(m.Frames))
	}
	return m.Frames[0], nil
}

// close ignores Close's error: go-zeromq reports "use of closed network connection" when the
// peer closed first, which is no failure of the run.
func (c gozmqConn) close() error { c.s.Close(); return nil }
