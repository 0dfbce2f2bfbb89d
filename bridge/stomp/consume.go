package stomp

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/purezmq/zmq/bridge"
)

// ErrSettled: Ack or Reject of a delivery already acknowledged or rejected (a second ACK
// would make RabbitMQ end the connection).
var ErrSettled = errors.New("stomp: delivery already settled")

// subscribe subscribes to source with ack:client-individual and RabbitMQ's prefetch-count =
// window, and returns once the broker confirmed the subscription.
func (c *conn) subscribe(ctx context.Context, source string, window int) (*consumer, error) {
	got := make(chan error, 1)
	c.mu.Lock()
	cs := &consumer{
		c: c, id: c.nextID("s"), done: make(chan struct{}),
		ch: make(chan *delivery, window), unacked: map[*delivery]struct{}{},
	}
	f := &Frame{Command: "SUBSCRIBE"}
	f.Add("id", cs.id)
	f.Add("destination", source)
	f.Add("ack", "client-individual")
	f.Add("prefetch-count", strconv.Itoa(window))
	err := c.sendLocked(f, func(err error) { got <- err })
	if err == nil {
		c.subs[cs.id] = cs
	}
	c.mu.Unlock()
	if err != nil {
		return nil, err
	}
	select {
	case err = <-got:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("stomp: SUBSCRIBE %s: %w", source, err)
	}
	return cs, nil
}

type consumer struct {
	c       *conn
	id      string
	ch      chan *delivery // at most window: the broker's prefetch bounds it
	done    chan struct{}  // closed by Close
	onClose func()         // tells the broker
	// Under c.mu:
	unacked map[*delivery]struct{}
	closed  bool
}

// deliver hands a MESSAGE to the consumer; called by the reader under c.mu. A broker that
// exceeds the prefetch window is broken: the connection ends rather than buffer without
// bound or stall every other link.
func (cs *consumer) deliver(f *Frame) error {
	ack, ok := f.Get("ack")
	if !ok {
		return fmt.Errorf("%w: MESSAGE without an ack header", bridge.ErrConnection)
	}
	if cs.closed {
		return nil // the connection is closing: the broker requeues it
	}
	// Unsettled here is never more than the broker counts (an ACK leaves this count when it
	// is queued), and the broker keeps to the window: ch, which holds a part of them, has room.
	if len(cs.unacked) >= cap(cs.ch) {
		return fmt.Errorf("%w: broker sent more than the window of %d", bridge.ErrConnection, cap(cs.ch))
	}
	d := &delivery{cs: cs, ack: ack, msg: message(f)}
	cs.unacked[d] = struct{}{}
	cs.ch <- d
	return nil
}

// Receive waits for the next delivery.
func (cs *consumer) Receive(ctx context.Context) (bridge.Delivery, error) {
	select { // an ended link says so even with deliveries queued: they cannot be acked
	case <-cs.done:
		return nil, bridge.ErrClosed
	default:
	}
	select {
	case <-cs.c.done:
		return nil, cs.c.err
	default:
	}
	select {
	case d := <-cs.ch:
		return d, nil
	case <-cs.c.done:
		return nil, cs.c.err
	case <-cs.done:
		return nil, bridge.ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Close ends the consumer's connection (DISCONNECT, waiting closeTimeout at most for its
// receipt, so that ACKs sent before are processed): RabbitMQ requeues what the subscription
// held unacknowledged. (Over a shared connection it cannot: a NACK after UNSUBSCRIBE is an
// ERROR, and a NACK before it may be redelivered to the cancelled subscription, also an
// ERROR.)
func (cs *consumer) Close() error {
	c := cs.c
	c.mu.Lock()
	if cs.closed {
		c.mu.Unlock()
		return nil
	}
	cs.closed = true
	close(cs.done)
	c.mu.Unlock()
	if cs.onClose != nil {
		cs.onClose()
	}
	return c.Close()
}

type delivery struct {
	cs  *consumer
	ack string
	msg bridge.Message
}

func (d *delivery) Message() bridge.Message { return d.msg }

// Ack sends ACK; it does not wait for the broker (were the ACK lost with the connection, the
// broker delivers the message again: at least once).
func (d *delivery) Ack(ctx context.Context) error { return d.settle(ctx, "ACK", true) }

// Reject sends NACK, with requeue:false when requeue is false: RabbitMQ then drops the
// message, or dead-letters it if the queue has a dead-letter exchange.
func (d *delivery) Reject(ctx context.Context, requeue bool) error {
	return d.settle(ctx, "NACK", requeue)
}

func (d *delivery) settle(ctx context.Context, cmd string, requeue bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c := d.cs.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	if d.cs.closed {
		return bridge.ErrClosed
	}
	if _, ok := d.cs.unacked[d]; !ok {
		return ErrSettled
	}
	delete(d.cs.unacked, d)
	return c.sendLocked(d.frame(cmd, requeue), nil)
}

func (d *delivery) frame(cmd string, requeue bool) *Frame {
	f := &Frame{Command: cmd}
	f.Add("id", d.ack)
	if !requeue {
		f.Add("requeue", "false")
	}
	return f
}
