package bridge

import (
	"context"
	"errors"
)

// A broker protocol (AMQP 0.9.1, AMQP 1.0, STOMP 1.2) is an implementation of Broker, opened by
// a Dialer. The route engine (route.go) drives it; it never sees a protocol.

// Dialer opens a connection to a broker. The engine calls it again, with backoff, after the
// connection fails.
type Dialer func(ctx context.Context) (Broker, error)

// Broker is one connection to a broker.
type Broker interface {
	// Publisher opens a link that publishes to dest (an exchange, queue or address, in the
	// protocol's syntax: see each protocol's package doc).
	Publisher(ctx context.Context, dest string) (Publisher, error)
	// Consumer opens a link that consumes from source with at most window deliveries
	// unacknowledged at a time (AMQP 0.9.1 prefetch, AMQP 1.0 link credit, STOMP prefetch).
	Consumer(ctx context.Context, source string, window int) (Consumer, error)
	// Close closes the connection; its links fail with ErrClosed.
	Close() error
}

// Publisher publishes messages to one destination.
type Publisher interface {
	// Publish hands m to the broker and returns without waiting for the broker's
	// confirmation; Confirm.Wait waits for it. Several publications may be pending at once
	// (the route's window), confirmed in any order.
	Publish(ctx context.Context, m Message) (Confirm, error)
	// Close closes the link; pending confirmations fail with ErrClosed.
	Close() error
}

// Confirm is the broker's answer to one publication: nil once the broker has taken
// responsibility for the message (a publisher confirm, a settled disposition, a RECEIPT);
// ErrRejected if it refused it; ErrConnection if the connection failed before it answered
// (the message may or may not have arrived: the engine publishes it again).
type Confirm interface {
	// Wait waits for the answer, or for ctx.
	Wait(ctx context.Context) error
}

// Consumer receives deliveries from one source.
type Consumer interface {
	// Receive waits for the next delivery; ErrConnection when the connection fails (the
	// broker then delivers again what was not acknowledged). ErrMalformed reports a delivery
	// the protocol could not map and has rejected itself; the consumer goes on.
	Receive(ctx context.Context) (Delivery, error)
	// Close closes the link; what it delivered unacknowledged the broker delivers again.
	Close() error
}

// Delivery is one message from the broker, to acknowledge once the ZeroMQ side has it.
type Delivery interface {
	// Message is what was delivered.
	Message() Message
	// Ack tells the broker the message is taken: it will not deliver it again.
	Ack(ctx context.Context) error
	// Reject gives it back: requeued for another delivery, or dropped (or dead-lettered).
	Reject(ctx context.Context, requeue bool) error
}

var (
	// ErrConnection: the broker connection failed; the engine reconnects.
	ErrConnection = errors.New("bridge: broker connection lost")
	// ErrRejected: the broker refused a publication (a nack, a rejected disposition, an ERROR
	// frame for it).
	ErrRejected = errors.New("bridge: broker rejected the message")
	// ErrClosed: the link or connection was closed by the bridge.
	ErrClosed = errors.New("bridge: closed")
)
