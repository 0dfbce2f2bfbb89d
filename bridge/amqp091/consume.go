package amqp091

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/purezmq/zmq/bridge"
)

// consumer is a channel with prefetch = window and manual acknowledgements.
type consumer struct {
	b      *broker
	ch     *amqp.Channel
	in     <-chan amqp.Delivery
	closes chan *amqp.Error
	closed atomic.Bool
}

func (b *broker) Consumer(ctx context.Context, source string, window int) (bridge.Consumer, error) {
	kind, queue, ok := strings.Cut(source, "/")
	if !ok || kind != "queue" || queue == "" {
		return nil, fmt.Errorf("amqp091: source %q: want queue/NAME", source)
	}
	if window < 1 || window > 65535 {
		return nil, fmt.Errorf("amqp091: window %d: want 1 to 65535", window)
	}
	ch, err := b.channel()
	if err != nil {
		return nil, err
	}
	c := &consumer{b: b, ch: ch, closes: ch.NotifyClose(make(chan *amqp.Error, 1))}
	if err := ch.Qos(window, 0, false); err != nil {
		ch.Close()
		return nil, b.lost(&c.closed, err)
	}
	// Not ConsumeWithContext: its ctx would cancel the consumer, racing Close.
	if c.in, err = ch.Consume(queue, "", false, false, false, false, nil); err != nil {
		ch.Close()
		return nil, b.lost(&c.closed, err)
	}
	return c, nil
}

func (c *consumer) Receive(ctx context.Context) (bridge.Delivery, error) {
	select {
	case d, ok := <-c.in:
		if !ok {
			return nil, c.b.lost(&c.closed, c.cause())
		}
		return &delivery{c: c, d: d}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// cause is why the channel closed, when the broker said.
func (c *consumer) cause() error {
	select {
	case e, ok := <-c.closes:
		if ok && e != nil {
			return e
		}
	default:
	}
	return nil
}

func (c *consumer) Close() error {
	c.closed.Store(true)
	if err := c.ch.Close(); err != nil && !c.ch.IsClosed() {
		return err
	}
	return nil
}

type delivery struct {
	c *consumer
	d amqp.Delivery
}

func (d *delivery) Message() bridge.Message {
	m := bridge.Message{
		Subject:     d.d.RoutingKey,
		Body:        d.d.Body,
		ContentType: d.d.ContentType,
		ID:          d.d.MessageId,
	}
	if len(d.d.Headers) > 0 {
		m.Headers = make(map[string]string, len(d.d.Headers))
		for k, v := range d.d.Headers {
			if s, ok := v.(string); ok && k == SubjectHeader {
				m.Subject = s
				continue
			}
			if s, ok := v.(string); ok {
				m.Headers[k] = s
			} else {
				m.Headers[k] = fmt.Sprint(v)
			}
		}
	}
	if len(m.Headers) == 0 {
		m.Headers = nil
	}
	return m
}

func (d *delivery) Ack(ctx context.Context) error {
	return d.settle(d.d.Ack(false))
}

func (d *delivery) Reject(ctx context.Context, requeue bool) error {
	return d.settle(d.d.Reject(requeue))
}

// settle maps an acknowledgement's error: on a closed channel the broker delivers again.
func (d *delivery) settle(err error) error {
	if err == nil {
		return nil
	}
	return d.c.b.lost(&d.c.closed, err)
}
