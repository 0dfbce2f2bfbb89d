package peer

import (
	"context"
	"fmt"
	"strings"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/curve"
)

// purezmq is this project's library, used as its README shows, with default options.
type purezmqImpl struct{ zc *zmq.Context }

func newPurezmq() (impl, error) { return purezmqImpl{zc: zmq.NewContext()}, nil }

func (p purezmqImpl) close() error { return p.zc.Close() }

func (p purezmqImpl) open(k kind, endpoint string, o sockOpts) (conn, error) {
	t := map[kind]zmq.Type{push: zmq.PUSH, pull: zmq.PULL, req: zmq.REQ, rep: zmq.REP}[k]
	// Default options, LINGER included: the context's close waits (up to 30 s) until a closed
	// sender has written all.
	var opts []zmq.Option
	if o.timeout > 0 {
		// hs_req: a socket whose handshake failed must not wait at Close for what it queued.
		opts = append(opts, zmq.WithLinger(0))
	}
	if o.curve {
		co, err := purezmqCurve(o.bind)
		if err != nil {
			return nil, err
		}
		opts = append(opts, co...)
	}
	s, err := p.zc.NewSocket(t, opts...)
	if err != nil {
		return nil, err
	}
	if o.bind {
		err = s.Bind(endpoint)
	} else {
		err = s.Connect(endpoint)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return &purezmqConn{s: s, timeout: o.timeout, recycle: !o.noRecycle && !strings.HasPrefix(endpoint, "inproc://")}, nil
}

// purezmqCurve is the options of a CURVE server (bind) or client with the fixed keys.
func purezmqCurve(server bool) ([]zmq.Option, error) {
	if server {
		sk, err := curve.ParseSecretKey(CurveServerSecret)
		if err != nil {
			return nil, err
		}
		pk, err := curve.ParsePublicKey(CurveServerPublic)
		if err != nil {
			return nil, err
		}
		return []zmq.Option{zmq.WithCurveServer(true), zmq.WithCurvePublicKey(pk), zmq.WithCurveSecretKey(sk)}, nil
	}
	srv, err := curve.ParsePublicKey(CurveServerPublic)
	if err != nil {
		return nil, err
	}
	pk, err := curve.ParsePublicKey(CurveClientPublic)
	if err != nil {
		return nil, err
	}
	sk, err := curve.ParseSecretKey(CurveClientSecret)
	if err != nil {
		return nil, err
	}
	return []zmq.Option{zmq.WithCurveServerKey(srv), zmq.WithCurvePublicKey(pk), zmq.WithCurveSecretKey(sk)}, nil
}

type purezmqConn struct {
	s       *zmq.Socket
	timeout time.Duration // of each recv, when set
	recycle bool          // give received messages back (not over inproc: they are the sender's payload)
	last    zmq.Msg       // the message recv returned last, for recycled
}

// The peers never cancel: the driver kills a process that runs past its timeout.
var bg = context.Background()

func (c *purezmqConn) send(b []byte) error {
	// Each Send gets its own frame list; the payload is shared, as it is never modified.
	return c.s.Send(bg, zmq.Msg{Frames: [][]byte{b}})
}

func (c *purezmqConn) recv() ([]byte, error) {
	ctx := bg
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(bg, c.timeout)
		defer cancel()
	}
	m, err := c.s.Recv(ctx)
	if err != nil {
		return nil, err
	}
	if len(m.Frames) != 1 {
		return nil, fmt.Errorf("%d frames, want 1", len(m.Frames))
	}
	c.last = m
	return m.Frames[0], nil
}

// recycled gives a message the loops are done with back to the socket, as a user keen on speed
// would (Socket.Recycle).
// b is always the frame of the message recv returned last.
func (c *purezmqConn) recycled(b []byte) {
	if c.recycle && len(c.last.Frames) == 1 && len(b) > 0 && &c.last.Frames[0][0] == &b[0] {
		c.s.Recycle(c.last)
	}
	c.last = zmq.Msg{}
}

func (c *purezmqConn) close() error { return c.s.Close() }
