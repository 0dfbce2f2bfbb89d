package amqp091

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/purezmq/zmq/bridge"
)

// publisher is a channel in confirm mode.
type publisher struct {
	b        *broker
	ch       *amqp.Channel
	exchange string
	queue    string // set for "queue/NAME": the routing key
	closed   atomic.Bool
}

// SubjectHeader carries a Message's Subject published to a queue, whose name takes the routing
// key's place.
const SubjectHeader = "x-zmq-subject"

// parseDest splits "exchange/NAME" or "queue/NAME".
func parseDest(dest string) (exchange, queue string, err error) {
	kind, name, ok := strings.Cut(dest, "/")
	if ok && name != "" {
		switch kind {
		case "exchange":
			return name, "", nil
		case "queue":
			return "", name, nil
		}
	}
	return "", "", fmt.Errorf("amqp091: destination %q: want exchange/NAME or queue/NAME", dest)
}

func (b *broker) Publisher(ctx context.Context, dest string) (bridge.Publisher, error) {
	exchange, queue, err := parseDest(dest)
	if err != nil {
		return nil, err
	}
	ch, err := b.channel()
	if err != nil {
		return nil, err
	}
	p := &publisher{b: b, ch: ch, exchange: exchange, queue: queue}
	if err := ch.Confirm(false); err != nil {
		ch.Close()
		return nil, b.lost(&p.closed, err)
	}
	return p, nil
}

func (p *publisher) Publish(ctx context.Context, m bridge.Message) (bridge.Confirm, error) {
	key := m.Subject
	if p.queue != "" {
		key = p.queue
	}
	pub := amqp.Publishing{
		ContentType:  m.ContentType,
		MessageId:    m.ID,
		DeliveryMode: amqp.Persistent,
		Body:         m.Body,
	}
	if len(m.Headers) > 0 || p.queue != "" && m.Subject != "" {
		pub.Headers = make(amqp.Table, len(m.Headers)+1)
		for k, v := range m.Headers {
			pub.Headers[k] = v
		}
		if p.queue != "" && m.Subject != "" {
			pub.Headers[SubjectHeader] = m.Subject // the routing key is the queue's name
		}
	}
	dc, err := p.ch.PublishWithDeferredConfirmWithContext(ctx, p.exchange, key, false, false, pub)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, p.b.lost(&p.closed, err)
	}
	return confirm{p, dc}, nil
}

func (p *publisher) Close() error {
	p.closed.Store(true)
	if err := p.ch.Close(); err != nil && !p.ch.IsClosed() {
		return err
	}
	return nil
}

type confirm struct {
	p  *publisher
	dc *amqp.DeferredConfirmation
}

func (c confirm) Wait(ctx context.Context) error {
	ack, err := c.dc.WaitContext(ctx)
	switch {
	case err != nil:
		return err
	case ack:
		return nil
	case c.p.ch.IsClosed():
		// amqp091-go fails the pending confirmations of a closed channel as nacks; the
		// channel is marked closed before that.
		return c.p.b.lost(&c.p.closed, nil)
	}
	return bridge.ErrRejected
}
