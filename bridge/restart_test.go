package bridge_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	amqp "github.com/rabbitmq/amqp091-go"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/bridge"
)

// tally counts, per message id, how often it arrived.
type tally map[string]int

func (c tally) dups() (n int) {
	for _, k := range c {
		n += k - 1
	}
	return n
}

// TestBrokerKilledToBroker: the broker is killed (SIGKILL) while a PULL route publishes, then
// restarted; every message arrives at least once, counted end to end through a durable queue.
func TestBrokerKilledToBroker(t *testing.T) {
	const n, half = 300, 150
	a := newAdmin(t)
	x, q := a.queue(nil)
	if err := rabbit.SyncMetadata(); err != nil { // see rabbittest: the queue must survive the kill
		t.Fatal(err)
	}
	push, ep := socket(t, zmq.PUSH)
	reg := prometheus.NewRegistry()
	start(t, []bridge.Route{{Name: "to", Direction: bridge.ToBroker, Broker: dial(t), Address: "exchange/" + x,
		Window: 20, Backoff: 50e6, Socket: bridge.SocketConfig{Type: zmq.PULL, Connect: []string{ep}}}},
		bridge.NewMetrics(reg))
	for i := range half {
		send(t, push, "k", fmt.Sprintf("m%04d", i))
	}
	got := tally{}
	ds := a.consume(q)
	for range 50 {
		got[string(next(t, ds).Body)]++
	}
	rabbit.Kill()
	for i := half; i < n; i++ { // taken by the bridge while the broker is down, or queued
		send(t, push, "k", fmt.Sprintf("m%04d", i))
	}
	if err := rabbit.Restart(); err != nil {
		t.Fatal(err)
	}
	a = newAdmin(t)
	ds = a.consume(q)
	for len(got) < n {
		d, ok := tryNext(t, ds)
		if !ok {
			break
		}
		got[string(d.Body)]++
	}
	for i := range n {
		if got[fmt.Sprintf("m%04d", i)] == 0 {
			t.Errorf("m%04d lost", i)
		}
	}
	t.Logf("%d messages, %d lost, %d duplicates, %v reconnects, %v published", n, n-len(got), got.dups(),
		metric(t, reg, "zmq_bridge_reconnects_total", "to"), metric(t, reg, "zmq_bridge_published_total", "to"))
	if metric(t, reg, "zmq_bridge_reconnects_total", "to") < 1 {
		t.Error("no reconnect counted")
	}
}

// TestBrokerKilledFromBroker: the broker is killed while a PUSH route delivers from a durable
// queue, then restarted; every message arrives at least once and the queue ends empty.
func TestBrokerKilledFromBroker(t *testing.T) {
	const n = 300
	a := newAdmin(t)
	x, q := a.queue(nil)
	if err := rabbit.SyncMetadata(); err != nil { // see rabbittest: the queue must survive the kill
		t.Fatal(err)
	}
	var msgs []amqp.Publishing
	for i := range n {
		msgs = append(msgs, amqp.Publishing{Type: "k", Body: []byte(fmt.Sprintf("m%04d", i))})
	}
	a.publish(x, msgs...)
	pull, ep := socket(t, zmq.PULL, zmq.WithRecvHWM(10))
	r := start(t, []bridge.Route{{Name: "from", Direction: bridge.FromBroker, Broker: dial(t), Address: "queue/" + q,
		Window: 20, Backoff: 50e6, Socket: bridge.SocketConfig{Type: zmq.PUSH, Connect: []string{ep},
			Options: []zmq.Option{zmq.WithSendHWM(10)}}}}, nil)
	got := tally{}
	for range 50 {
		got[string(recv(t, pull)[1])]++
	}
	rabbit.Kill()
	if err := rabbit.Restart(); err != nil {
		t.Fatal(err)
	}
	for len(got) < n {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		m, err := pull.Recv(ctx)
		cancel()
		if err != nil {
			break
		}
		got[string(m.Frames[1])]++
	}
	r.Stop()
	for i := range n {
		if got[fmt.Sprintf("m%04d", i)] == 0 {
			t.Errorf("m%04d lost", i)
		}
	}
	t.Logf("%d messages, %d lost, %d duplicates", n, n-len(got), got.dups())
	a = newAdmin(t)
	if left := a.ready(q); left != 0 {
		t.Errorf("%d messages left in the queue, want 0", left)
	}
}
