package bridge

import (
	"fmt"
	"log/slog"
	"time"

	zmq "github.com/purezmq/zmq"
)

// Direction is which way a route moves messages.
type Direction int

const (
	// ToBroker: a ZeroMQ socket receives (PULL, SUB, ROUTER) and the broker gets each message.
	ToBroker Direction = iota + 1
	// FromBroker: the broker delivers and a ZeroMQ socket sends (PUSH, PUB, DEALER).
	FromBroker
)

// String names the direction as the configuration file does.
func (d Direction) String() string {
	switch d {
	case ToBroker:
		return "to-broker"
	case FromBroker:
		return "from-broker"
	}
	return fmt.Sprintf("Direction(%d)", int(d))
}

// SocketConfig is a route's ZeroMQ side: one socket of Type, bound and/or connected.
type SocketConfig struct {
	Type      zmq.Type     // PULL, SUB or ROUTER to the broker; PUSH, PUB or DEALER from it
	Bind      []string     // endpoints to bind
	Connect   []string     // endpoints to connect to
	Options   []zmq.Option // socket options (HWMs, security, ...)
	Subscribe []string     // SUB: the prefixes; none means everything
}

// Route is one direction between one ZeroMQ socket and one broker destination.
//
// Delivery: a ToBroker route receives a message only when fewer than Window publications
// await the broker's confirmation, and a ROUTER's sender gets its answer ([routing id,
// envelope…, "OK"]) only once the broker confirmed: a sender that sends again what was not
// answered gets at-least-once delivery. A FromBroker route acknowledges a delivery once the
// socket's Send took it (PUSH, PUB), or with PeerAck once the DEALER's peer answered with the
// message's id, so at most Window deliveries are unacknowledged and the socket's HWM pushes
// back on the broker. A failed broker connection is dialled again with backoff; what was not
// confirmed is published again, what was not acknowledged the broker delivers again.
type Route struct {
	Name      string        // in logs and metrics
	Direction Direction     // ToBroker or FromBroker
	Socket    SocketConfig  // the ZeroMQ side
	Broker    Dialer        // the broker side
	Address   string        // ToBroker: the destination; FromBroker: the source (protocol syntax)
	NoSubject bool          // every frame is body; by default frame 0 is the subject
	Window    int           // confirmations or acknowledgements pending at most; 0: DefaultWindow
	PeerAck   bool          // FromBroker with DEALER: acknowledge when the peer answers
	Backoff   time.Duration // first wait before dialling again, doubled up to a minute; 0: DefaultBackoff

	// AckTimeout: with PeerAck, how long a delivery waits for the peer's answer before it is
	// given back to the broker (requeued); 0: DefaultAckTimeout.
	AckTimeout time.Duration
	// Logger gets the route's reconnects, rejections and drops; nil logs nothing.
	Logger *slog.Logger
}

// Defaults of a Route.
const (
	DefaultWindow     = 100                    // Route.Window
	DefaultBackoff    = 100 * time.Millisecond // Route.Backoff
	DefaultAckTimeout = 30 * time.Second       // Route.AckTimeout
)
