// Package socket implements ZeroMQ sockets: the generic machinery (pipes, bind, connect,
// reconnect, linger) in socket.go and its neighbours, and one file per socket type holding only
// that type's routing rules.
package socket

import (
	"errors"
	"fmt"

	"github.com/purezmq/zmq/internal/pipe"
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

func newPattern(t Type, o *Options) (pattern, error) {
	switch t {
	case PAIR:
		return &pair{}, nil
	case PUSH:
		return &push{}, nil
	case PULL:
		return &pull{}, nil
	case DEALER:
		return &dealer{}, nil
	case ROUTER:
		return newRouter(o), nil
	case REQ:
		return &req{correlate: o.ReqCorrelate, relaxed: o.ReqRelaxed}, nil
	case REP:
		return &rep{}, nil
	case PUB, XPUB:
		return newXPub(o, t == PUB), nil
	case SUB, XSUB:
		return &xsub{sub: t == SUB, invert: o.InvertMatching, onlyFirst: o.OnlyFirstSubscribe}, nil
	}
	return nil, fmt.Errorf("zmq: socket type %v is not supported yet", t)
}
