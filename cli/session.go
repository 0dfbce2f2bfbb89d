package cli

import (
	"context"
	"errors"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/auth"
)

// session is what one command runs in: its own context, so that closing it delivers what the
// sockets still hold (each socket's LINGER, as zmq_ctx_term) and leaves nothing running, and
// the ZAP handler that its server sockets need, if any.
type session struct {
	zc   *zmq.Context
	auth *auth.Authenticator
}

func newSession() *session { return &session{zc: zmq.NewContext()} }

// authenticator starts the session's ZAP handler on first use.
func (se *session) authenticator() (*auth.Authenticator, error) {
	if se.auth == nil {
		a := auth.New()
		if err := a.Start(se.zc); err != nil {
			return nil, err
		}
		se.auth = a
	}
	return se.auth, nil
}

// open makes a socket of type t as f says, in the session. Each prepare runs on the new socket
// before f's options, security, binds and connects: a command's defaults, which -o then
// overrides, and monitors, which must watch before the first connection.
func (se *session) open(f *socketFlags, t zmq.Type, prepare ...func(*zmq.Socket) error) (*zmq.Socket, error) {
	if len(f.binds)+len(f.connects) == 0 {
		return nil, usagef("give at least one --bind or --connect endpoint")
	}
	s, err := se.zc.NewSocket(t)
	if err != nil {
		return nil, err
	}
	for _, p := range prepare {
		if err := p(s); err != nil {
			s.Close()
			return nil, err
		}
	}
	if err := f.setup(se, s); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// close stops the authenticator and closes the context, which waits for each socket's LINGER.
func (se *session) close() error { return se.shutdown(context.Background()) }

// shutdown is close that stops waiting for LINGER when ctx ends (the user interrupted), and
// then drops what the sockets still hold.
func (se *session) shutdown(ctx context.Context) error {
	var err error
	if se.auth != nil {
		err = se.auth.Close()
	}
	return errors.Join(err, se.zc.Shutdown(ctx))
}
