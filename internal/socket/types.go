// Package socket implements ZeroMQ sockets: the generic machinery (pipes, bind, connect,
// reconnect, linger) in socket.go and its neighbours, and one file per socket type holding only
// that type's routing rules.
package socket

import (
	"errors"
	"fmt"

	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/internal/zerr"
)

// Type is a socket type; the values are libzmq's.
type Type int

// Socket types with libzmq's numeric values.
const (
	PAIR   Type = 0
	PUB    Type = 1
	SUB    Type = 2
	REQ    Type = 3
	REP    Type = 4
	DEALER Type = 5
	ROUTER Type = 6
	PULL   Type = 7
	PUSH   Type = 8
	XPUB   Type = 9
	XSUB   Type = 10
	STREAM Type = 11
)

var typeNames = map[Type]string{
	PAIR: "PAIR", PUB: "PUB", SUB: "SUB", REQ: "REQ", REP: "REP", DEALER: "DEALER",
	ROUTER: "ROUTER", PULL: "PULL", PUSH: "PUSH", XPUB: "XPUB", XSUB: "XSUB", STREAM: "STREAM",
}

// String returns the name used on the wire (READY's Socket-Type).
func (t Type) String() string {
	if n, ok := typeNames[t]; ok {
		return n
	}
	return fmt.Sprintf("Type(%d)", int(t))
}

// errAgain tells the generic send loop that the message cannot be queued yet.
var errAgain = errors.New("zmq: would block")

// pattern is one socket type's routing rules. Every method is called with the socket's lock
// held and must not block.
type pattern interface {
	// attach adds a peer; false refuses it (a PAIR that has its peer, a duplicate routing id).
	attach(p *pipe.Pipe) bool
	detach(p *pipe.Pipe)
	// send routes m or returns errAgain to wait for room, or a state error.
	send(m pipe.Msg) error
	// canRecv returns a state error when Recv is not allowed now.
	canRecv() error
	// recv filters and rewrites an inbound message; false drops it.
	recv(p *pipe.Pipe, m pipe.Msg) (pipe.Msg, bool)
}

// Caps is what a socket type can do. The generic machinery reads it, once per socket, instead
// of asking which type a socket is.
type Caps struct {
	Send, Recv bool
	Conflate   bool // CONFLATE applies, both ways (conflate.go): libzmq's PUSH, PULL, PUB, SUB, DEALER
	PubSub     bool // RFC 29: a fresh pipe per connection, which subscriptions are sent to
	Routed     bool // peers are addressed by routing ids learnt per connection: nothing queues before
	Probe      bool // PROBE_ROUTER applies
	Raw        bool // no ZMTP: raw bytes over tcp or ipc, each connection one peer (STREAM)
	Identity   bool // READY carries our routing id as Identity, as libzmq's REQ, DEALER, ROUTER
}

// kind is one socket type: its pattern and what it can do. Each type's file registers its
// kind, so a type is one file.
type kind struct {
	newPattern func(o *Options) pattern
	caps       Caps
}

var kinds = map[Type]kind{}

// register is called from the init of each type's file.
func register(t Type, newPattern func(o *Options) pattern, caps Caps) {
	kinds[t] = kind{newPattern: newPattern, caps: caps}
}

func lookupKind(t Type) (kind, error) {
	k, ok := kinds[t]
	if !ok {
		return kind{}, unsupportedType(t)
	}
	return k, nil
}

// lastLibzmqType is ZMQ_CHANNEL, the highest socket type libzmq 4.3 knows (as a draft).
const lastLibzmqType = 20

// unsupportedType is ENOTSUP for a type libzmq has and this library has not, and EINVAL, as
// libzmq's zmq_socket gives, for a number that is no socket type.
func unsupportedType(t Type) error {
	if t >= 0 && t <= lastLibzmqType {
		return fmt.Errorf("%w: socket type %v", zerr.ErrNotSupported, t)
	}
	return fmt.Errorf("%w: %d is not a socket type", zerr.ErrInvalid, int(t))
}
