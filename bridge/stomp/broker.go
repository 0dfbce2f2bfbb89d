package stomp

import (
	"context"
	"fmt"
	"sync"

	"github.com/purezmq/zmq/bridge"
)

// broker is a bridge.Broker: one connection for every publisher, and one more for each
// consumer, as RabbitMQ's STOMP gives back a subscription's unacknowledged messages only when
// its connection ends (see consumer.Close).
type broker struct {
	t    target
	o    options
	main *conn

	mu     sync.Mutex
	subs   map[*consumer]struct{}
	closed bool
}

// Publisher opens a link on the broker's connection that sends to dest (see the package doc
// for the forms). No frame goes to the broker until the first Publish.
func (b *broker) Publisher(ctx context.Context, dest string) (bridge.Publisher, error) {
	return b.main.publisher(dest)
}

// Consumer connects again and subscribes to source with at most window deliveries
// unacknowledged.
func (b *broker) Consumer(ctx context.Context, source string, window int) (bridge.Consumer, error) {
	if _, err := parseAddress(source); err != nil {
		return nil, err
	}
	if window < 1 {
		return nil, fmt.Errorf("stomp: window %d, want at least 1", window)
	}
	if b.isClosed() {
		return nil, bridge.ErrClosed
	}
	c, err := dial(ctx, b.t, b.o)
	if err != nil {
		return nil, err
	}
	cs, err := c.subscribe(ctx, source, window)
	if err != nil {
		c.Close()
		return nil, err
	}
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		cs.Close()
		return nil, bridge.ErrClosed
	}
	b.subs[cs] = struct{}{}
	cs.onClose = func() {
		b.mu.Lock()
		delete(b.subs, cs)
		b.mu.Unlock()
	}
	b.mu.Unlock()
	return cs, nil
}

func (b *broker) isClosed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.closed
}

// Close closes every consumer and then the publishers' connection; their links fail with
// bridge.ErrClosed.
func (b *broker) Close() error {
	b.mu.Lock()
	b.closed = true
	subs := make([]*consumer, 0, len(b.subs))
	for cs := range b.subs {
		subs = append(subs, cs)
	}
	b.mu.Unlock()
	for _, cs := range subs {
		cs.Close()
	}
	return b.main.Close()
}
