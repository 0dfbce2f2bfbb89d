package peer

import (
	"go.nanomsg.org/mangos/v3"
	mpull "go.nanomsg.org/mangos/v3/protocol/pull"
	mpush "go.nanomsg.org/mangos/v3/protocol/push"
	mrep "go.nanomsg.org/mangos/v3/protocol/rep"
	mreq "go.nanomsg.org/mangos/v3/protocol/req"

	// The transports register themselves.
	_ "go.nanomsg.org/mangos/v3/transport/inproc"
	_ "go.nanomsg.org/mangos/v3/transport/ipc"
	_ "go.nanomsg.org/mangos/v3/transport/tcp"
)

// mangos is go.nanomsg.org/mangos/v3, pure-Go nanomsg (the SP protocols): the same patterns
// over its own wire protocol, not ZMTP, so it pairs only with itself. Its Close drops what is
// still queued, so its senders run with Config.Hold.
type mangosImpl struct{}

func newMangos() (impl, error) { return mangosImpl{}, nil }

func (mangosImpl) close() error { return nil }

func (mangosImpl) open(k kind, endpoint string, o sockOpts) (conn, error) {
	if o.curve {
		return nil, errNoCurve
	}
	bind := o.bind
	var s mangos.Socket
	var err error
	switch k {
	case push:
		s, err = mpush.NewSocket()
	case pull:
		s, err = mpull.NewSocket()
	case req:
		s, err = mreq.NewSocket()
	case rep:
		s, err = mrep.NewSocket()
	}
	if err != nil {
		return nil, err
	}
	if bind {
		err = s.Listen(endpoint)
	} else {
		err = s.Dial(endpoint)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return mangosConn{s}, nil
}

type mangosConn struct{ s mangos.Socket }

func (c mangosConn) send(b []byte) error { return c.s.Send(b) }

func (c mangosConn) recv() ([]byte, error) { return c.s.Recv() }

func (c mangosConn) close() error { return c.s.Close() }
