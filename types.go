package zmq

import "github.com/purezmq/zmq/internal/socket"

// Type is a socket type. The numeric values are libzmq's (ZMQ_PAIR = 0, ...).
type Type int

// Socket types.
const (
	PAIR   Type = Type(socket.PAIR)   // exclusive pair (RFC 31)
	PUB    Type = Type(socket.PUB)    // publisher, drops for a slow subscriber (RFC 29)
	SUB    Type = Type(socket.SUB)    // subscriber, prefix-filtered (RFC 29)
	REQ    Type = Type(socket.REQ)    // lock-step request (RFC 28)
	REP    Type = Type(socket.REP)    // lock-step reply (RFC 28)
	DEALER Type = Type(socket.DEALER) // asynchronous request, round-robin (RFC 28)
	ROUTER Type = Type(socket.ROUTER) // asynchronous reply, addressed by routing id (RFC 28)
	PULL   Type = Type(socket.PULL)   // pipeline sink, fair-queued (RFC 30)
	PUSH   Type = Type(socket.PUSH)   // pipeline source, round-robin (RFC 30)
	XPUB   Type = Type(socket.XPUB)   // publisher passing subscriptions to the application (RFC 29)
	XSUB   Type = Type(socket.XSUB)   // subscriber sending subscriptions as messages (RFC 29)
	STREAM Type = Type(socket.STREAM) // raw tcp or ipc, each connection addressed by a routing id (libzmq's ZMQ_STREAM)
)

// String returns the type's name as ZMTP sends it ("REQ", "ROUTER", ...).
func (t Type) String() string { return socket.Type(t).String() }
