package amqp10

import (
	"errors"
	"testing"

	"github.com/purezmq/zmq/bridge"
)

// TestConnectionKilledRedelivers: deliveries unsettled when the connection dies come again on
// a new connection, and every use of the dead connection is ErrConnection. Acked ones may come
// again too: an Accepted disposition is not answered (settle mode first; the plugin refuses
// mode second), so the cut can lose it.
func TestConnectionKilledRedelivers(t *testing.T) {
	px := newProxy(t, brokerAddr(t))
	q := queue(t, "")
	b := connect(t, px.url())
	publish(t, openPublisher(t, b, q), msg(0), msg(1), msg(2), msg(3), msg(4))
	c := openConsumer(t, b, q, 5)
	var held []bridge.Delivery
	for i := range 5 {
		d := receive(t, c)
		if i < 2 {
			ack(t, d) // m0, m1 acked before the cut
		} else {
			held = append(held, d)
		}
	}
	px.kill()
	if _, err := c.Receive(testCtx(t)); !errors.Is(err, bridge.ErrConnection) {
		t.Fatalf("Receive after the cut: %v, want ErrConnection", err)
	}
	if err := held[0].Ack(testCtx(t)); !errors.Is(err, bridge.ErrConnection) {
		t.Errorf("Ack after the cut: %v, want ErrConnection", err)
	}
	if err := held[1].Reject(testCtx(t), true); !errors.Is(err, bridge.ErrConnection) {
		t.Errorf("Reject after the cut: %v, want ErrConnection", err)
	}
	again := openConsumer(t, connect(t, brokerURL(t)), q, 5)
	got := map[string]int{}
	for got["m2"] == 0 || got["m3"] == 0 || got["m4"] == 0 {
		d := receive(t, again)
		id := d.Message().ID
		if id != "m0" && id != "m1" && id != "m2" && id != "m3" && id != "m4" {
			t.Fatalf("redelivered %q, not one of m0…m4", id)
		}
		got[id]++
		ack(t, d)
	}
	t.Logf("redelivered after the cut: %v", got)
}

// TestPendingConfirmLost: a publication whose confirm has not arrived when the connection dies
// is ErrConnection (the engine publishes it again), never nil.
func TestPendingConfirmLost(t *testing.T) {
	px := newProxy(t, brokerAddr(t))
	b := connect(t, px.url())
	p := openPublisher(t, b, queue(t, ""))
	px.hold.Lock() // the broker's answers wait in the proxy
	cf, err := p.Publish(testCtx(t), msg(0))
	if err != nil {
		px.hold.Unlock()
		t.Fatal(err)
	}
	px.kill()
	px.hold.Unlock()
	if err := cf.Wait(testCtx(t)); !errors.Is(err, bridge.ErrConnection) {
		t.Fatalf("pending confirm after the cut: %v, want ErrConnection", err)
	}
	if _, err := p.Publish(testCtx(t), msg(1)); !errors.Is(err, bridge.ErrConnection) {
		t.Fatalf("Publish after the cut: %v, want ErrConnection", err)
	}
}

// TestBrokerCrashKeepsConfirmed: what the broker confirmed survives its crash (durable queue,
// durable messages); the connection's users see ErrConnection. Runs last in its file as it
// restarts the package's broker. The queue's declaration is synced to disk before the
// publications: RabbitMQ writes declarations lazily, and a queue lost in the crash takes its
// confirmed messages with it, which is the broker's doing, not the client's.
func TestBrokerCrashKeepsConfirmed(t *testing.T) {
	q := queue(t, "")
	b := connect(t, brokerURL(t))
	ms := []bridge.Message{msg(0), msg(1), msg(2)}
	p := openPublisher(t, b, q) // declares q
	if err := rabbit.SyncMetadata(); err != nil {
		t.Fatal(err)
	}
	publish(t, p, ms...)
	c := openConsumer(t, b, q, 1)
	first := receive(t, c) // unsettled: delivered again after the restart
	if first.Message().ID != "m0" {
		t.Fatalf("first delivery %q, want m0", first.Message().ID)
	}
	rabbit.Kill()
	if _, err := c.Receive(testCtx(t)); !errors.Is(err, bridge.ErrConnection) {
		t.Fatalf("Receive after the crash: %v, want ErrConnection", err)
	}
	if _, err := Dial(brokerURL(t))(testCtx(t)); !errors.Is(err, bridge.ErrConnection) {
		t.Fatalf("Dial while the broker is down: %v, want ErrConnection", err)
	}
	if err := rabbit.Restart(); err != nil {
		t.Fatal(err)
	}
	again := openConsumer(t, connect(t, brokerURL(t)), q, 3)
	for i, want := range ms {
		d, err := again.Receive(testCtx(t))
		if err != nil {
			t.Fatalf("message %d after the restart: %v\nqueues:\n%s\nbroker log:\n%s", i, err,
				rabbit.Ctl("list_queues", "name", "durable", "messages_ready", "messages_unacknowledged", "consumers"), rabbit.Log())
		}
		sameMessage(t, d.Message(), want)
		ack(t, d)
	}
}
