package peer

import (
	"context"
	"fmt"

	zmq "github.com/purezmq/zmq"
)

// purezmq is this project's library, used as its README shows, with default options.
type purezmqImpl struct{ zc *zmq.Context }

func newPurezmq() (impl, error) { return purezmqImpl{zc: zmq.NewContext()}, nil }

func (p purezmqImpl) close() error { return p.zc.Close() }

func (p purezmqImpl) open(k kind, endpoint string, bind bool) (conn, error) {
	t := map[kind]zmq.Type{push: zmq.PUSH, pull: zmq.PULL, req: zmq.REQ, rep: zmq.REP}[k]
	// Default options, LINGER included: a sender's Close waits (up to 30 s) until all is written.
	s, err := p.zc.NewSocket(t)
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
	return purezmqConn{s}, nil
}

type purezmqConn struct{ s *zmq.Socket }

// The peers never cancel: the driver kills a process that runs past its timeout.
var bg = context.Background()

func (c purezmqConn) send(b []byte) error {
	// Each Send gets its own frame list; the payload is shared, as it is never modified.
	return c.s.Send(bg, zmq.Msg{Frames: [][]byte{b}})
}

func (c purezmqConn) recv() ([]byte, error) {
	m, err := c.s.Recv(bg)
	if err != nil {
		return nil, err
	}
	if len(m.Frames) != 1 {
		return nil, fmt.Errorf("%d frames, want 1", len(m.Frames))
	}
	return m.Frames[0], nil
}

func (c purezmqConn) close() error { return c.s.Close() }
