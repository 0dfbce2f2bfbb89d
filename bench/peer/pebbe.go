package peer

import (
	"errors"

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

func (p pebbeImpl) open(k kind, endpoint string, o sockOpts) (conn, error) {
	t := map[kind]zmq4.Type{push: zmq4.PUSH, pull: zmq4.PULL, req: zmq4.REQ, rep: zmq4.REP}[k]
	s, err := p.ctx.NewSocket(t)
	if err != nil {
		return nil, err
	}
	if err := pebbeOptions(s, o); err != nil {
		s.Close()
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
	return pebbeConn{s}, nil
}

type pebbeConn struct{ s *zmq4.Socket }

func (c pebbeConn) send(b []byte) error {
	_, err := c.s.SendBytes(b, 0)
	return err
}

func (c pebbeConn) recv() ([]byte, error) { return c.s.RecvBytes(0) }

func (c pebbeConn) close() error { return c.s.Close() }

// pebbeOptions applies o's timeout and CURVE keys, as the C peers do.
func pebbeOptions(s *zmq4.Socket, o sockOpts) error {
	if o.timeout > 0 {
		if err := s.SetRcvtimeo(o.timeout); err != nil {
			return err
		}
		if err := s.SetLinger(0); err != nil {
			return err
		}
	}
	if !o.curve {
		return nil
	}
	if !zmq4.HasCurve() {
		return errors.New("this libzmq has no CURVE (built without libsodium?)")
	}
	if o.bind {
		if err := s.SetCurveServer(1); err != nil {
			return err
		}
		return s.SetCurveSecretkey(CurveServerSecret)
	}
	for _, set := range []struct {
		f func(string) error
		v string
	}{{s.SetCurveServerkey, CurveServerPublic}, {s.SetCurvePublickey, CurveClientPublic}, {s.SetCurveSecretkey, CurveClientSecret}} {
		if err := set.f(set.v); err != nil {
			return err
		}
	}
	return nil
}
