package zmq

import (
	"github.com/purezmq/zmq/internal/engine"
	"github.com/purezmq/zmq/internal/zerr"
)

// Errors returned by sockets, with the libzmq errno each stands for; test for them with
// errors.Is. Where an endpoint is involved (Bind, Connect, Unbind, Disconnect) the error is an
// *OpError wrapping one of them. The handshake errors (ErrHandshake, ErrAuth, ErrMechanism,
// ErrProtocol) reach a program through monitor events (Event.Err).
var (
	// ErrAgain is EAGAIN: Send or Recv could not complete before its ctx's deadline, or its
	// ctx was already done (ZMQ_DONTWAIT). The error also matches the ctx's own error
	// (context.DeadlineExceeded or context.Canceled). A ctx cancelled while the call waits
	// returns context.Canceled alone: the caller gave up, nothing timed out.
	ErrAgain = zerr.ErrAgain
	// ErrClosed is ENOTSOCK: the socket is closed. It matches net.ErrClosed.
	ErrClosed = zerr.ErrClosed
	// ErrContextClosed is ETERM: the socket's context is closed (Context.Close), which
	// closed the socket too; it matches ErrClosed and net.ErrClosed as well.
	ErrContextClosed = zerr.ErrContextClosed
	// ErrInvalid is EINVAL: an argument the call cannot take, such as a message with no frame
	// or a socket type number libzmq does not know. ErrEndpoint and ErrOption match it too.
	ErrInvalid = zerr.ErrInvalid
	// ErrEndpoint is EINVAL: a malformed endpoint ("tcp//host:1", a port out of range).
	ErrEndpoint = zerr.ErrEndpoint
	// ErrTransportNotSupported is EPROTONOSUPPORT: an endpoint whose transport this library
	// does not have ("pgm://...", "foo://..."). It does not match ErrEndpoint.
	ErrTransportNotSupported = zerr.ErrTransportNotSupported
	// ErrIncompatibleTransport is ENOCOMPATPROTO: a transport the socket's type cannot use,
	// as a multicast one (epgm, pgm) with anything but PUB, XPUB, SUB and XSUB. It matches
	// ErrTransportNotSupported too.
	ErrIncompatibleTransport = zerr.ErrIncompatibleTransport
	// ErrOption is EINVAL: an option value out of range, or an option the socket type does not
	// take (XPUB_VERBOSE on a SUB), as zmq_setsockopt refuses it.
	ErrOption = zerr.ErrOption
	// ErrNotSupported is ENOTSUP: the socket type cannot do this (Recv on a PUSH), or the
	// socket type is one of libzmq's that this library does not have.
	ErrNotSupported = zerr.ErrNotSupported
	// ErrState is EFSM: not allowed in the socket's state (REQ/REP lock-step).
	ErrState = zerr.ErrState
	// ErrHostUnreachable is EHOSTUNREACH: ROUTER_MANDATORY and no peer with that routing id.
	ErrHostUnreachable = zerr.ErrHostUnreachable
	// ErrAddrInUse is EADDRINUSE: Bind of an endpoint already bound.
	ErrAddrInUse = zerr.ErrAddrInUse
	// ErrNotFound is ENOENT: Unbind or Disconnect of an endpoint the socket does not have,
	// including the wildcard given to Bind (Unbind takes what LastEndpoint reported).
	ErrNotFound = zerr.ErrNotFound
	// ErrMsgTooLarge is EMSGSIZE: a peer sent a message above MAXMSGSIZE and was disconnected
	// (the DISCONNECTED event's Err).
	ErrMsgTooLarge = zerr.ErrMsgTooLarge
	// ErrSubscriptionLimit: a subscriber's subscriptions would have cost its PUB or XPUB more
	// than MAX_SUBSCRIPTION_BYTES (WithMaxSubscriptionBytes); it was disconnected (the
	// DISCONNECTED event's Err). purezmq's own: libzmq has no such limit.
	ErrSubscriptionLimit = zerr.ErrSubscriptionLimit
	// ErrHandshake: a peer failed the ZMTP handshake (HANDSHAKE_FAILED_* events' Err).
	ErrHandshake = engine.ErrHandshake
	// ErrProtocol is EPROTO: a peer broke ZMTP, in the handshake or after it
	// (HANDSHAKE_FAILED_PROTOCOL and DISCONNECTED events' Err).
	ErrProtocol = engine.ErrProtocol
)

// OpError is the error of Bind, Connect, Unbind or Disconnect: the operation ("bind",
// "connect", "unbind", "disconnect"), the endpoint as given, and the cause, which errors.Is
// and errors.As see through.
type OpError = zerr.OpError
