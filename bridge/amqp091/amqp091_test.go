package amqp091

import (
	"context"
	"errors"
	"testing"

	"github.com/purezmq/zmq/bridge"
	"github.com/purezmq/zmq/bridge/internal/conformance"
)

// TestConformance runs the protocols' shared checks through a proxy that can cut the
// connection.
func TestConformance(t *testing.T) {
	b := need(t)
	proxy := conformance.NewProxy(t, b.AMQPURL()[len("amqp://guest:guest@"):len(b.AMQPURL())-1])
	dial := Dial("amqp://guest:guest@" + proxy.Addr() + "/")
	conformance.Run(t, dial, conformance.Addresses{
		New: func(t *testing.T) (string, string) {
			x, q := topology(t, b.AMQPURL())
			return "exchange/" + x, "queue/" + q
		},
		Proxy: proxy,
	})
}

// TestQueueDestination: "queue/NAME" publishes through the default exchange.
func TestQueueDestination(t *testing.T) {
	b := need(t)
	_, q := topology(t, b.AMQPURL())
	ctx := context.Background()
	br, err := Dial(b.AMQPURL())(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer br.Close()
	p, err := br.Publisher(ctx, "queue/"+q)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := p.Publish(ctx, bridge.Message{Subject: "frame0", Body: []byte("direct")})
	if err != nil {
		t.Fatal(err)
	}
	if err := cf.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := br.Consumer(ctx, "queue/"+q, 1)
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.Receive(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if m := d.Message(); string(m.Body) != "direct" || m.Subject != "frame0" || m.Headers != nil {
		t.Fatalf("got %+v, want body direct with its subject (ZeroMQ's frame 0) kept, no header left", m)
	}
	if err := d.Ack(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestBadAddress: malformed addresses are errors before anything is opened.
func TestBadAddress(t *testing.T) {
	b := need(t)
	ctx := context.Background()
	br, err := Dial(b.AMQPURL())(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer br.Close()
	for _, dest := range []string{"", "queue/", "exchange", "topic/x", "/x"} {
		if _, err := br.Publisher(ctx, dest); err == nil || errors.Is(err, bridge.ErrConnection) {
			t.Errorf("Publisher(%q): %v, want an address error", dest, err)
		}
	}
	for _, src := range []string{"", "queue/", "exchange/x", "q"} {
		if _, err := br.Consumer(ctx, src, 1); err == nil || errors.Is(err, bridge.ErrConnection) {
			t.Errorf("Consumer(%q): %v, want an address error", src, err)
		}
	}
	if _, err := br.Consumer(ctx, "queue/q", 0); err == nil {
		t.Error("Consumer with window 0: no error")
	}
}

// TestDialRefused: no broker is ErrConnection.
func TestDialRefused(t *testing.T) {
	proxy := conformance.NewProxy(t, "127.0.0.1:1")
	_, err := Dial("amqp://guest:guest@" + proxy.Addr() + "/")(context.Background())
	if !errors.Is(err, bridge.ErrConnection) {
		t.Fatalf("dial: %v, want ErrConnection", err)
	}
}
