// Package zerr holds the sentinel errors shared by the internal packages; package zmq re-exports
// them so callers can test with errors.Is without importing anything internal.
package zerr

import (
	"context"
	"errors"
	"fmt"
	"net"
)

var (
	// ErrClosed reports use of a closed socket. It matches net.ErrClosed.
	ErrClosed = &sentinel{msg: "zmq: socket closed", is: []error{net.ErrClosed}}
	// ErrContextClosed reports use of a socket whose context was closed. It matches ErrClosed
	// (and net.ErrClosed) too: the socket is closed as well.
	ErrContextClosed = &sentinel{msg: "zmq: context closed", is: []error{ErrClosed, net.ErrClosed}}
	// ErrState is libzmq's EFSM: the operation is not allowed in the socket's current state
	// (a REQ sending twice, a REP replying without a request).
	ErrState = errors.New("zmq: operation not valid in the socket's state")
	// ErrNotSupported is ENOTSUP: the socket type cannot do this (PUSH cannot receive).
	ErrNotSupported = errors.New("zmq: operation not supported by this socket type")
	// ErrHostUnreachable is EHOSTUNREACH: ROUTER_MANDATORY and the routing id is unknown.
	ErrHostUnreachable = errors.New("zmq: host unreachable")
	// ErrAgain is EAGAIN: the call could not complete before its ctx ended.
	ErrAgain = errors.New("zmq: resource temporarily unavailable")
	// ErrInvalid is EINVAL: an argument the call cannot take.
	ErrInvalid = errors.New("zmq: invalid argument")
	// ErrEndpoint reports an endpoint that cannot be parsed. It matches ErrInvalid.
	ErrEndpoint = &sentinel{msg: "zmq: invalid endpoint", is: []error{ErrInvalid}}
	// ErrTransportNotSupported is EPROTONOSUPPORT: a transport this library does not have.
	ErrTransportNotSupported = errors.New("zmq: transport not supported")
	// ErrIncompatibleTransport is ENOCOMPATPROTO: a transport the socket's type cannot use (a
	// multicast one with anything but the publish-subscribe types). It matches
	// ErrTransportNotSupported.
	ErrIncompatibleTransport = &sentinel{msg: "zmq: transport not compatible with the socket type", is: []error{ErrTransportNotSupported}}
	// ErrAddrInUse is EADDRINUSE for bind.
	ErrAddrInUse = errors.New("zmq: address already in use")
	// ErrNotFound reports Unbind/Disconnect of an endpoint the socket does not have.
	ErrNotFound = errors.New("zmq: endpoint not found")
	// ErrOption reports an option value out of range, or an option the socket type does not
	// take. It matches ErrInvalid.
	ErrOption = &sentinel{msg: "zmq: invalid option", is: []error{ErrInvalid}}
	// ErrMsgTooLarge reports a message above MAXMSGSIZE.
	ErrMsgTooLarge = errors.New("zmq: message too large")
	// ErrSubscriptionLimit reports a peer whose subscriptions would cost its publisher more
	// than MAX_SUBSCRIPTION_BYTES.
	ErrSubscriptionLimit = errors.New("zmq: subscriptions over the limit")
	// ErrProtocol is a peer breaking ZMTP, in the handshake or after it.
	ErrProtocol = errors.New("zmq: protocol error")
)

// sentinel is an error that also matches the more general errors in is.
type sentinel struct {
	msg string
	is  []error
}

func (e *sentinel) Error() string { return e.msg }

func (e *sentinel) Is(target error) bool {
	for _, t := range e.is {
		if t == target {
			return true
		}
	}
	return false
}

// Option builds an ErrOption error naming the option.
func Option(name string, format string, args ...any) error {
	return fmt.Errorf("%w %s: %s", ErrOption, name, fmt.Sprintf(format, args...))
}

// again is ErrAgain for a call whose ctx ended with err; it matches both.
type again struct{ err error }

func (e *again) Error() string        { return ErrAgain.Error() + ": " + e.err.Error() }
func (e *again) Is(target error) bool { return target == ErrAgain }
func (e *again) Unwrap() error        { return e.err }

// The usual two are made once: a DONTWAIT loop must not allocate per call.
var (
	againDeadline = &again{context.DeadlineExceeded}
	againCanceled = &again{context.Canceled}
)

// Again is ErrAgain wrapping ctxErr, the error of the ctx that ended the call.
func Again(ctxErr error) error {
	switch ctxErr {
	case context.DeadlineExceeded:
		return againDeadline
	case context.Canceled:
		return againCanceled
	}
	return &again{ctxErr}
}

// OpError is the error of an operation on an endpoint: Bind, Connect, Unbind, Disconnect.
type OpError struct {
	Op       string // "bind", "connect", "unbind", "disconnect"
	Endpoint string // as the caller gave it
	Err      error
}

func (e *OpError) Error() string { return "zmq: " + e.Op + " " + e.Endpoint + ": " + e.Err.Error() }
func (e *OpError) Unwrap() error { return e.Err }

// Op wraps err, if any, in an *OpError.
func Op(op, endpoint string, err error) error {
	if err == nil {
		return nil
	}
	return &OpError{Op: op, Endpoint: endpoint, Err: err}
}
