package amqp10

import (
	"errors"
	"testing"

	"github.com/Azure/go-amqp"
	"github.com/purezmq/zmq/bridge"
)

// TestMalformedRejected: a message another AMQP 1.0 client sent in a form the bridge cannot
// map is ErrMalformed from Receive, settled there (not delivered again), and the consumer
// goes on with the next message.
func TestMalformedRejected(t *testing.T) {
	q := queue(t, "")
	ctx := testCtx(t)
	conn, err := amqp.Dial(ctx, brokerURL(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	s, err := conn.NewSession(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	snd, err := s.NewSender(ctx, q, &amqp.SenderOptions{TargetDurability: amqp.DurabilityConfiguration})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []*amqp.Message{
		{Value: int64(5)},
		{Sequence: [][]any{{"a"}}},
		{Data: [][]byte{[]byte("a"), []byte("b")}},
	} {
		if err := snd.Send(ctx, m, nil); err != nil {
			t.Fatal(err)
		}
	}
	b := connect(t, brokerURL(t))
	c := openConsumer(t, b, q, 2)
	for i := range 3 {
		if d, err := c.Receive(ctx); !errors.Is(err, bridge.ErrMalformed) {
			t.Fatalf("message %d: %v %v, want ErrMalformed", i, d, err)
		}
	}
	publish(t, openPublisher(t, b, q), msg(1))
	d := receive(t, c)
	if d.Message().ID != "m1" {
		t.Fatalf("after the malformed ones: %+v, want m1", d.Message())
	}
	ack(t, d)
	// Nothing was requeued: a new consumer finds the queue empty but for what comes next.
	c.Close()
	again := openConsumer(t, b, q, 2)
	publish(t, openPublisher(t, b, q), msg(2))
	d = receive(t, again)
	if d.Message().ID != "m2" {
		t.Fatalf("after closing: %+v, want m2", d.Message())
	}
	ack(t, d)
}

// TestTransientQueues: /queue/Q links declare Q durable by default; WithTransientQueues asks
// for a transient one, and the broker refuses the other durability for an existing queue.
func TestTransientQueues(t *testing.T) {
	durable, transient := queue(t, "-d"), queue(t, "-t")
	b := connect(t, brokerURL(t))
	tb := connect(t, brokerURL(t), WithTransientQueues())
	// Attaching declares the queues; these consumers then leave them.
	openConsumer(t, b, durable, 1).Close()
	openConsumer(t, tb, transient, 1).Close()
	if c, err := tb.Consumer(testCtx(t), durable, 1); err == nil {
		c.Close()
		t.Errorf("transient link to a durable queue: no error")
	}
	if p, err := b.Publisher(testCtx(t), transient); err == nil {
		p.Close()
		t.Errorf("durable link to a transient queue: no error")
	}
	// /amq/queue/ declares nothing: any link reaches the queue as it is.
	c := openConsumer(t, tb, "/amq"+durable, 1)
	publish(t, openPublisher(t, b, "/amq"+transient), msg(0))
	publish(t, openPublisher(t, tb, "/amq"+durable), msg(1))
	if d := receive(t, c); d.Message().ID != "m1" {
		t.Errorf("through /amq/queue/: %+v, want m1", d.Message())
	}
}
