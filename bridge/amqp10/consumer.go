package amqp10

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/Azure/go-amqp"
	"github.com/purezmq/zmq/bridge"
)

// consumer is a receiver link on its own session, its credit managed here.
//
// Credit: the 3.10 plugin turns each flow frame into an absolute credit for the queue without
// counting messages already on their way to the client, so flow frames sent while deliveries
// are in flight let it deliver more than the window (seen: 7 unsettled for a window of 4), and
// go-amqp's automatic credit then wraps its count below zero and never grants again. So credit
// is granted only when the previous grant is used up (nothing can be in flight then), and
// never past window minus what is unsettled.
type consumer struct {
	b      *broker
	s      *amqp.Session
	rcv    *amqp.Receiver
	closed atomic.Bool

	mu        sync.Mutex
	window    int
	granted   int // credit granted and not yet used by a Receive
	unsettled int // received, not yet acked or rejected
}

// grant tops the credit up when the last grant is used up; mu held.
func (c *consumer) grant() error {
	if c.granted > 0 || c.unsettled >= c.window {
		return nil
	}
	n := c.window - c.unsettled
	if err := c.rcv.IssueCredit(uint32(n)); err != nil {
		return err
	}
	c.granted = n
	return nil
}

func (c *consumer) Receive(ctx context.Context) (bridge.Delivery, error) {
	if c.closed.Load() {
		return nil, bridge.ErrClosed
	}
	msg, err := c.rcv.Receive(ctx, nil)
	if err != nil {
		return nil, c.b.err(&c.closed, err)
	}
	c.mu.Lock()
	c.granted--
	c.unsettled++
	err = c.grant()
	c.mu.Unlock()
	if err != nil {
		return nil, c.b.err(&c.closed, err)
	}
	m, err := fromAMQP(msg)
	if err != nil {
		// Settled here so the engine need not know: a body that cannot be mapped never will.
		cond := &amqp.Error{Condition: amqp.ErrCondDecodeError, Description: err.Error()}
		if rerr := c.settled(c.rcv.RejectMessage(ctx, msg, cond)); rerr != nil {
			return nil, rerr
		}
		return nil, err
	}
	return &delivery{c: c, msg: msg, m: m}, nil
}

// settled accounts for a settlement that err says was sent, and grants credit.
func (c *consumer) settled(err error) error {
	if err != nil {
		return c.b.err(&c.closed, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.unsettled--
	return c.b.err(&c.closed, c.grant())
}

// Close ends the link's session; the plugin requeues what was unsettled.
func (c *consumer) Close() error {
	c.closed.Store(true)
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	_ = c.s.Close(ctx)
	return nil
}

type delivery struct {
	c   *consumer
	msg *amqp.Message
	m   bridge.Message
}

func (d *delivery) Message() bridge.Message { return d.m }

func (d *delivery) Ack(ctx context.Context) error {
	return d.c.settled(d.c.rcv.AcceptMessage(ctx, d.msg))
}

func (d *delivery) Reject(ctx context.Context, requeue bool) error {
	if requeue {
		return d.c.settled(d.c.rcv.ReleaseMessage(ctx, d.msg))
	}
	return d.c.settled(d.c.rcv.RejectMessage(ctx, d.msg, nil))
}
