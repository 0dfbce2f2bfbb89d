package transport

import "github.com/purezmq/zmq/internal/pipe"

// Datagram is a multicast transport (epgm, pgm, norm). Its endpoint is
// "scheme://iface;group:port" (ParseMulticast). There is no connection, no handshake, no
// reconnection: Bind and Connect both open an Engine at once and fail if it cannot open (a
// bad interface, no permission for raw sockets), as libzmq; PUB and XPUB open senders, SUB
// and XSUB receivers, and other socket types are refused (ErrIncompatibleTransport). The
// monitor reports no event for an engine that works, as libzmq's; one whose Run fails
// reports DISCONNECTED with the error, and is not restarted.
type Datagram interface {
	Transport
	// Open starts using addr (CheckAddr has accepted it) with c: for sending when send is
	// true, else for receiving. It returns once the engine's sockets are open; Run then
	// moves the messages.
	Open(addr string, c *Config, send bool) (Engine, error)
}

// Engine is one open datagram endpoint: to its socket, one pipe.
//
// The socket calls Run once, in a goroutine of its own, and Close once, from another
// goroutine, when the endpoint goes (Unbind, Disconnect, or Close after LINGER); Busy at any
// time. Close must make Run return, wherever it waits, and may be called before Run starts.
type Engine interface {
	// Run moves messages until Close, then returns nil; or returns the error that stopped it.
	//
	// A sender drains l.Out (pipe.OutQueue.Drain; l.Out.Wake is signalled when a message is
	// queued into an empty queue) and sends each message whole, in order. The frames are
	// shared with the socket's other pipes: it reads them, never changes or keeps them
	// past sending. It calls l.Idle whenever Busy may have turned false, so a lingering Close
	// looks again.
	//
	// A receiver delivers each whole message it receives, frames it allocated (or took with
	// l.In.TakeBuffer), to l.In (TryDeliver or DeliverBatch). When l.In has no credit
	// (RCVHWM) it waits on l.Space, or drops, never buffering without bound; messages longer
	// than Config.MaxMsgSize are dropped. A partial message (data lost beyond repair) is
	// dropped whole, never delivered.
	Run(l Link) error
	// Busy reports that a sender still holds data it has taken from l.Out but not yet sent
	// (the rate limiter's backlog): LINGER waits for it, as for a queue. A receiver is never
	// busy.
	Busy() bool
	// Close ends Run, and stops the engine for good: a sender says goodbye to its receivers
	// as its protocol does (PGM's OPT_FIN). It releases every socket and timer before it
	// returns, and returns the first error closing met.
	Close() error
}

// Link is what the socket gives an Engine's Run.
type Link struct {
	Out   *pipe.OutQueue  // a sender's messages; nil for a receiver
	In    *pipe.Pipe      // where a receiver delivers; nil for a sender
	Space <-chan struct{} // signalled when In frees credit after a refused delivery
	Idle  func()          // a sender calls it after sending what it took (see Busy)
}
