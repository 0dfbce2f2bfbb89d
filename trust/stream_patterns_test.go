package trust_test

import (
	"fmt"
	"sync/atomic"

	zmq "github.com/purezmq/zmq"
)

// pattern is a pair of socket types that carries a stream: A sends to B, and B back to A where
// the types allow.
type pattern struct {
	name   string
	a, b   zmq.Type
	back   bool // B sends a stream to A too
	reqrep bool // lock-step: each of A's messages is answered by one of B's
	lossy  bool // A may drop at HWM (PUB): gaps allowed, never corruption, duplication or reordering
	// probes says which of A and B set PROBE_ROUTER, so the ROUTER across learns their routing
	// id (and that the connection is up) before it sends to them.
	probes [2]bool
	// join is the type of a second peer of B that may connect mid-stream, carrying its own
	// streams (as A does with B), where B serves several peers: a ROUTER, a PULL.
	join    zmq.Type
	canJoin bool
}

var patterns = []pattern{
	{name: "PAIR-PAIR", a: zmq.PAIR, b: zmq.PAIR, back: true},
	{name: "DEALER-ROUTER", a: zmq.DEALER, b: zmq.ROUTER, back: true, probes: [2]bool{true, false}, join: zmq.DEALER, canJoin: true},
	{name: "DEALER-DEALER", a: zmq.DEALER, b: zmq.DEALER, back: true},
	{name: "ROUTER-ROUTER", a: zmq.ROUTER, b: zmq.ROUTER, back: true, probes: [2]bool{true, true}},
	{name: "PUSH-PULL", a: zmq.PUSH, b: zmq.PULL, join: zmq.PUSH, canJoin: true},
	{name: "REQ-REP", a: zmq.REQ, b: zmq.REP, back: true, reqrep: true},
	{name: "PUB-SUB", a: zmq.PUB, b: zmq.SUB, lossy: true},
	{name: "XPUB-XSUB", a: zmq.XPUB, b: zmq.XSUB, lossy: true},
}

// transport is a wire the checker runs over; bind returns a fresh address to bind.
type transport struct {
	name string
	bind func() string
}

var inprocSeq atomic.Uint64

var transports = []transport{
	{"tcp", func() string { return "tcp://127.0.0.1:*" }},
	{"ipc", func() string { return "ipc://*" }},
	{"inproc", func() string { return fmt.Sprintf("inproc://trust-%d", inprocSeq.Add(1)) }},
}
