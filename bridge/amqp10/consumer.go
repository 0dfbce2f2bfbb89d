package amqp10

import (
	"context"
	"sync/atomic"

	"github.com/Azure/go-amqp"
	"github.com/purezmq/zmq/bridge"
)

// consumer is a receiver link on its own session, its credit the window.
type consumer struct {
	b      *broker
	s      *amqp.Session
	rcv    *amqp.Receiver
	closed atomic.Bool
}

func (c *consumer) Receive(ctx context.Context) (bridge.Delivery, error) {
	if c.closed.Load() {
		return nil, bridge.ErrClosed
	}
	msg, err := c.rcv.Receive(ctx, nil)
	if err != nil {
		return nil, c.b.err(&c.closed, err)
	}
	m, err := fromAMQP(msg)
	if err != nil {
		// Settled here so the engine need not know: a body that cannot be mapped never will.
		cond := &amqp.Error{Condition: amqp.ErrCondDecodeError, Description: err.Error()}
		if rerr := c.rcv.RejectMessage(ctx, msg, cond); rerr != nil {
			return nil, c.b.err(&c.closed, rerr)
		}
		return nil, err
	}
	return &delivery{c: c, msg: msg, m: m}, nil
}

// Close detaches the link and ends its session; the plugin requeues what was unsettled.
func (c *consumer) Close() error {
	c.closed.Store(true)
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	_ = c.rcv.Close(ctx)
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
	return d.c.b.err(&d.c.closed, d.c.rcv.AcceptMessage(ctx, d.msg))
}

func (d *delivery) Reject(ctx context.Context, requeue bool) error {
	if requeue {
		return d.c.b.err(&d.c.closed, d.c.rcv.ReleaseMessage(ctx, d.msg))
	}
	return d.c.b.err(&d.c.closed, d.c.rcv.RejectMessage(ctx, d.msg, nil))
}
