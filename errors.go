package zmq

import (
	"github.com/purezmq/zmq/internal/engine"
	"github.com/purezmq/zmq/internal/zerr"
)

// Errors returned by sockets; test for them with errors.Is. A closed socket's errors also match
// net.ErrClosed; timeouts are the ctx's own error (context.DeadlineExceeded or Canceled).
var (
	ErrClosed          = zerr.ErrClosed          // the socket or context is closed (ETERM/ENOTSOCK)
	ErrState           = zerr.ErrState           // EFSM: not allowed in the socket's state (REQ/REP lock-step)
	ErrNotSupported    = zerr.ErrNotSupported    // ENOTSUP: the socket type cannot do this
	ErrHostUnreachable = zerr.ErrHostUnreachable // EHOSTUNREACH: ROUTER_MANDATORY and no such peer
	ErrEndpoint        = zerr.ErrEndpoint        // EINVAL/EPROTONOSUPPORT: bad endpoint
	ErrAddrInUse       = zerr.ErrAddrInUse       // EADDRINUSE
	ErrNotFound        = zerr.ErrNotFound        // ENOENT: Unbind/Disconnect of an unknown endpoint
	ErrOption          = zerr.ErrOption          // EINVAL: option value out of range
	ErrHandshake       = engine.ErrHandshake     // a peer failed the ZMTP handshake
	ErrProtocol        = engine.ErrProtocol      // a peer broke ZMTP, in the handshake or after it (a monitor event's Err)
)
