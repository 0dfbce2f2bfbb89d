package amqp10

import (
	"bytes"
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/purezmq/zmq/bridge"
)

// allBytes is a body with every byte value, NULs and invalid UTF-8 included.
func allBytes() []byte {
	b := make([]byte, 0, 512)
	for i := range 512 {
		b = append(b, byte(i))
	}
	return b
}

func sameMessage(t *testing.T, got, want bridge.Message) {
	t.Helper()
	if got.Subject != want.Subject || got.ContentType != want.ContentType || got.ID != want.ID ||
		!bytes.Equal(got.Body, want.Body) || !maps.Equal(got.Headers, want.Headers) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

// TestRoundTrip: what a Publisher sends to each address form arrives whole at a Consumer of
// the source it routes to: subject, content type, id, application properties, binary body.
func TestRoundTrip(t *testing.T) {
	full := bridge.Message{
		Subject:     "orders.new",
		Body:        allBytes(),
		ContentType: "application/octet-stream",
		Headers:     map[string]string{"tenant": "a", "empty": "", "utf8": "ü"},
		ID:          "id-1",
	}
	multipart := bridge.Message{Subject: "k", ContentType: bridge.MultipartType,
		Body: bridge.EncodeMultipart([][]byte{{0}, nil, []byte("three")})}
	tests := []struct {
		name         string
		source, dest string // source attached first: exchange sources bind a private queue
		m            bridge.Message
	}{
		{"queue", "/queue/rt-q", "/queue/rt-q", full},
		{"queue empty body", "/queue/rt-q0", "/queue/rt-q0", bridge.Message{}},
		{"queue multipart", "/queue/rt-qm", "/queue/rt-qm", multipart},
		{"exchange key", "/exchange/amq.direct/rt-key", "/exchange/amq.direct/rt-key", full},
		{"exchange subject as key", "/exchange/amq.topic/orders.new", "/exchange/amq.topic", full},
		{"topic", "/topic/rt.t", "/topic/rt.t", bridge.Message{Body: []byte{0xff, 0}}},
		{"amq queue", "/queue/rt-amq", "/amq/queue/rt-amq", full},
	}
	b := connect(t, brokerURL(t))
	run := queue(t, "")[len("/queue/"):] // fresh names on every run
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := openConsumer(t, b, strings.ReplaceAll(tt.source, "rt-", run+"-"), 10)
			publish(t, openPublisher(t, b, strings.ReplaceAll(tt.dest, "rt-", run+"-")), tt.m)
			d := receive(t, c)
			sameMessage(t, d.Message(), tt.m)
			ack(t, d)
		})
	}
}

// TestManyThroughWindow: more messages than the window pass in order, each acked.
func TestManyThroughWindow(t *testing.T) {
	b := connect(t, brokerURL(t))
	q := queue(t, "")
	c := openConsumer(t, b, q, 4)
	p := openPublisher(t, b, q)
	const n = 50
	ms := make([]bridge.Message, n)
	for i := range ms {
		ms[i] = msg(i)
	}
	publish(t, p, ms...)
	for i := range n {
		d := receive(t, c)
		sameMessage(t, d.Message(), ms[i])
		ack(t, d)
	}
}

// TestAddressRefused: an address the broker refuses is an error, but not ErrConnection
// (dialling again would not help).
func TestAddressRefused(t *testing.T) {
	b := connect(t, brokerURL(t))
	ctx := testCtx(t)
	p, err := b.Publisher(ctx, "/exchange/no-such-exchange/k")
	if err == nil {
		p.Close()
		t.Fatal("Publisher to a missing exchange: no error")
	}
	if errors.Is(err, bridge.ErrConnection) {
		t.Errorf("Publisher to a missing exchange: %v, want not ErrConnection", err)
	}
	c, err := b.Consumer(ctx, "/amq/queue/no-such-queue", 1)
	if err == nil {
		c.Close()
		t.Fatal("Consumer of a missing /amq/queue: no error")
	}
	if errors.Is(err, bridge.ErrConnection) {
		t.Errorf("Consumer of a missing queue: %v, want not ErrConnection", err)
	}
	// The connection itself is still good.
	q := queue(t, "")
	cq := openConsumer(t, b, q, 1)
	publish(t, openPublisher(t, b, q), msg(1))
	ack(t, receive(t, cq))
}

// TestUnroutableAccepted documents a limit: like a 0.9.1 confirm without mandatory, the
// plugin accepts a message no queue is bound for, and it is gone.
func TestUnroutableAccepted(t *testing.T) {
	b := connect(t, brokerURL(t))
	p := openPublisher(t, b, "/exchange/amq.direct/"+t.Name()+"-nobody")
	cf, err := p.Publish(testCtx(t), msg(0))
	if err != nil {
		t.Fatal(err)
	}
	if err := cf.Wait(testCtx(t)); err != nil {
		t.Fatalf("unroutable message: %v, want accepted (nil)", err)
	}
}
