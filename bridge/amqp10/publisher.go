package amqp10

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/Azure/go-amqp"
	"github.com/purezmq/zmq/bridge"
)

// publisher is an unsettled sender link on its own session.
type publisher struct {
	b      *broker
	s      *amqp.Session
	snd    *amqp.Sender
	closed atomic.Bool
}

func (p *publisher) Publish(ctx context.Context, m bridge.Message) (bridge.Confirm, error) {
	if p.closed.Load() {
		return nil, bridge.ErrClosed
	}
	r, err := p.snd.SendWithReceipt(ctx, toAMQP(m), nil)
	if err != nil {
		return nil, p.b.err(&p.closed, err)
	}
	return &confirm{p: p, r: r}, nil
}

// Close detaches the link and ends its session; pending confirms fail with ErrClosed.
func (p *publisher) Close() error {
	p.closed.Store(true)
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	_ = p.s.Close(ctx)
	return nil
}

type confirm struct {
	p *publisher
	r amqp.SendReceipt
}

func (c *confirm) Wait(ctx context.Context) error {
	state, err := c.r.Wait(ctx)
	if err != nil {
		return c.p.b.err(&c.p.closed, err)
	}
	switch s := state.(type) {
	case *amqp.StateAccepted:
		return nil
	case *amqp.StateRejected:
		if s.Error != nil {
			return fmt.Errorf("%w: %w", bridge.ErrRejected, s.Error)
		}
		return bridge.ErrRejected
	}
	return fmt.Errorf("%w: outcome %T", bridge.ErrRejected, state)
}
