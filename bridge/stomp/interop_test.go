package stomp

import (
	"testing"

	"github.com/purezmq/zmq/bridge"
	"github.com/purezmq/zmq/bridge/amqp091"
)

// TestFromAMQP: a message published over AMQP 0.9.1 with a routing key and no subject
// header reaches a STOMP consumer with the key as its Subject (from the MESSAGE's
// destination), its content type, id and headers.
func TestFromAMQP(t *testing.T) {
	b := rabbitMQ(t)
	key := queueName(t) + ".k/x"
	cons := subscribe(t, connect(t, b.STOMPAddr()), "/topic/"+escapeKey(key), 1)
	amqp, err := amqp091.Dial(b.AMQPURL())(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	defer amqp.Close()
	want := bridge.Message{Subject: key, Body: []byte("\x00x"), ContentType: "text/x", ID: "a1",
		Headers: map[string]string{"h": "v"}}
	publish(t, amqp, "exchange/amq.topic", want)
	d := receive(t, cons)
	got := d.Message()
	if got.Subject != want.Subject || string(got.Body) != string(want.Body) || got.ContentType != want.ContentType ||
		got.ID != want.ID || got.Headers["h"] != "v" {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	if err := d.Ack(testCtx(t)); err != nil {
		t.Fatal(err)
	}
}
