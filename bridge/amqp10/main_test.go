package amqp10

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/purezmq/zmq/bridge"
	"github.com/purezmq/zmq/bridge/internal/rabbittest"
)

// rabbit is the package's private broker; nil with skipReason when it is not installed.
var (
	rabbit     *rabbittest.Broker
	skipReason error
)

func TestMain(m *testing.M) {
	rabbittest.Main(m, func(b *rabbittest.Broker) {
		rabbit = b
		if b == nil {
			skipReason = rabbittest.ErrNotInstalled
		}
	})
}

// waitTimeout bounds every wait on the broker.
const waitTimeout = 20 * time.Second

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	t.Cleanup(cancel)
	return ctx
}

// brokerURL is the private broker's URL, skipping t when there is none.
func brokerURL(t *testing.T) string {
	t.Helper()
	if rabbit == nil {
		t.Skip(skipReason)
	}
	return rabbit.AMQPURL()
}

// brokerAddr is the broker's host:port.
func brokerAddr(t *testing.T) string {
	u, err := url.Parse(brokerURL(t))
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// connect dials url and closes the connection when t ends.
func connect(t *testing.T, url string, opts ...Option) bridge.Broker {
	t.Helper()
	b, err := Dial(url, opts...)(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

var queues atomic.Int64

// queue is an address of a queue of t's own (fresh on every run: -count reuses the broker).
func queue(t *testing.T, suffix string) string {
	name := strings.NewReplacer("/", "-", " ", "-").Replace(t.Name())
	return fmt.Sprintf("/queue/%s-%d%s", name, queues.Add(1), suffix)
}

func openPublisher(t *testing.T, b bridge.Broker, dest string) bridge.Publisher {
	t.Helper()
	p, err := b.Publisher(testCtx(t), dest)
	if err != nil {
		t.Fatalf("Publisher(%q): %v", dest, err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func openConsumer(t *testing.T, b bridge.Broker, source string, window int) bridge.Consumer {
	t.Helper()
	c, err := b.Consumer(testCtx(t), source, window)
	if err != nil {
		t.Fatalf("Consumer(%q): %v", source, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// publish publishes every message and waits for each confirm.
func publish(t *testing.T, p bridge.Publisher, ms ...bridge.Message) {
	t.Helper()
	ctx := testCtx(t)
	var cs []bridge.Confirm
	for _, m := range ms {
		c, err := p.Publish(ctx, m)
		if err != nil {
			t.Fatalf("Publish: %v", err)
		}
		cs = append(cs, c)
	}
	for i, c := range cs {
		if err := c.Wait(ctx); err != nil {
			t.Fatalf("confirm %d: %v", i, err)
		}
	}
}

func receive(t *testing.T, c bridge.Consumer) bridge.Delivery {
	t.Helper()
	d, err := c.Receive(testCtx(t))
	if err != nil {
		t.Fatalf("Receive: %v", err)
	}
	return d
}

func ack(t *testing.T, d bridge.Delivery) {
	t.Helper()
	if err := d.Ack(testCtx(t)); err != nil {
		t.Fatalf("Ack: %v", err)
	}
}

// msg is a numbered test message.
func msg(i int) bridge.Message {
	return bridge.Message{ID: fmt.Sprintf("m%d", i), Body: []byte(fmt.Sprintf("body %d", i))}
}
