// Package zerr holds the sentinel errors shared by the internal packages; package zmq re-exports
// them so callers can test with errors.Is without importing anything internal.
package zerr

import (
	"errors"
	"fmt"
	"net"
	"os"
)

var (
	// ErrClosed reports use of a closed socket or context. It matches net.ErrClosed.
	ErrClosed = &wrapped{msg: "zmq: socket closed", target: net.ErrClosed}
	// ErrState is libzmq's EFSM: the operation is not allowed in the socket's current state
	// (a REQ sending twice, a REP replying without a request).
	ErrState = errors.New("zmq: operation not valid in the socket's state")
	// ErrNotSupported is ENOTSUP: the socket type cannot do this (PUSH cannot receive).
	ErrNotSupported = errors.New("zmq: operation not supported by this socket type")
	// ErrHostUnreachable is EHOSTUNREACH: ROUTER_MANDATORY and the routing id is unknown.
	ErrHostUnreachable = errors.New("zmq: host unreachable")
	// ErrWouldBlock is EAGAIN: the message cannot be queued now and the caller's context
	// allowed no wait. It matches os.ErrDeadlineExceeded.
	ErrWouldBlock = &wrapped{msg: "zmq: resource temporarily unavailable", target: os.ErrDeadlineExceeded}
	// ErrEndpoint reports an endpoint that cannot be parsed or is not supported.
	ErrEndpoint = errors.New("zmq: invalid endpoint")
	// ErrAddrInUse is EADDRINUSE for bind.
	ErrAddrInUse = errors.New("zmq: address already in use")
	// ErrNotFound reports Unbind/Disconnect of an endpoint the socket does not have.
	ErrNotFound = errors.New("zmq: endpoint not found")
	// ErrOption reports an option value out of range.
	ErrOption = errors.New("zmq: invalid option")
	// ErrMsgTooLarge reports a message above MAXMSGSIZE.
	ErrMsgTooLarge = errors.New("zmq: message too large")
)

type wrapped struct {
	msg    string
	target error
}

func (e *wrapped) Error() string        { return e.msg }
func (e *wrapped) Is(target error) bool { return target == e.target }

// Option builds an ErrOption error naming the option.
func Option(name string, format string, args ...any) error {
	return fmt.Errorf("%w %s: %s", ErrOption, name, fmt.Sprintf(format, args...))
}
