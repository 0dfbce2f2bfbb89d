package bridge_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	amqp "github.com/rabbitmq/amqp091-go"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/bridge"
	"github.com/purezmq/zmq/bridge/amqp091"
	"github.com/purezmq/zmq/bridge/internal/conformance"
)

// testCtx bounds a test's waits, so a bug fails it instead of hanging it.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// start runs routes until Stop (or the end of the test); socket makes a test-side socket
// bound to 127.0.0.1. Both are the protocols' shared test helpers.
var (
	start  = conformance.Start
	socket = conformance.Socket
)

// admin is a plain amqp091-go connection for the test's own declarations and reads.
type admin struct {
	t    *testing.T
	conn *amqp.Connection
	ch   *amqp.Channel
}

func newAdmin(t *testing.T) *admin {
	t.Helper()
	conn, err := amqp.Dial(need(t).AMQPURL())
	if err != nil {
		t.Fatal(err)
	}
	ch, err := conn.Channel()
	if err != nil {
		conn.Close()
		t.Fatal(err)
	}
	if err := ch.Confirm(false); err != nil {
		t.Fatal(err)
	}
	a := &admin{t: t, conn: conn, ch: ch}
	t.Cleanup(func() { a.conn.Close() })
	return a
}

var names atomic.Int64

// queue declares a fresh durable queue (with args) behind a topic exchange bound with "#";
// it returns the exchange's and the queue's names.
func (a *admin) queue(args amqp.Table) (exchange, queue string) {
	a.t.Helper()
	n := names.Add(1)
	exchange, queue = fmt.Sprintf("x%d", n), fmt.Sprintf("q%d", n)
	if err := a.ch.ExchangeDeclare(exchange, "topic", true, false, false, false, nil); err != nil {
		a.t.Fatal(err)
	}
	if _, err := a.ch.QueueDeclare(queue, true, false, false, false, args); err != nil {
		a.t.Fatal(err)
	}
	if err := a.ch.QueueBind(queue, "#", exchange, false, nil); err != nil {
		a.t.Fatal(err)
	}
	return exchange, queue
}

// publish publishes persistent messages to exchange and waits for their confirmations.
func (a *admin) publish(exchange string, msgs ...amqp.Publishing) {
	a.t.Helper()
	ctx := testCtx(a.t)
	var dcs []*amqp.DeferredConfirmation
	for _, m := range msgs {
		m.DeliveryMode = amqp.Persistent
		key := m.Type // the test's routing key rides in Type, unused otherwise
		m.Type = ""
		dc, err := a.ch.PublishWithDeferredConfirmWithContext(ctx, exchange, key, false, false, m)
		if err != nil {
			a.t.Fatal(err)
		}
		dcs = append(dcs, dc)
	}
	for _, dc := range dcs {
		if ok, err := dc.WaitContext(ctx); !ok || err != nil {
			a.t.Fatalf("confirm: %v %v", ok, err)
		}
	}
}

// ready is how many messages queue holds ready for delivery (unacknowledged ones excluded).
func (a *admin) ready(queue string) int {
	a.t.Helper()
	q, err := a.ch.QueueDeclarePassive(queue, true, false, false, false, nil)
	if err != nil {
		a.t.Fatal(err)
	}
	return q.Messages
}

// consume returns the deliveries of queue, acknowledged by the caller; they end with the
// admin's connection.
func (a *admin) consume(queue string) <-chan amqp.Delivery {
	a.t.Helper()
	ch, err := a.conn.Channel()
	if err != nil {
		a.t.Fatal(err)
	}
	if err := ch.Qos(100, 0, false); err != nil {
		a.t.Fatal(err)
	}
	d, err := ch.Consume(queue, "", false, false, false, false, nil)
	if err != nil {
		a.t.Fatal(err)
	}
	return d
}

// next is the next delivery of ds, acknowledged.
func next(t *testing.T, ds <-chan amqp.Delivery) amqp.Delivery {
	t.Helper()
	d, ok := tryNext(t, ds)
	if !ok {
		t.Fatal("no delivery")
	}
	return d
}

// tryNext is next, false when none comes in time.
func tryNext(t *testing.T, ds <-chan amqp.Delivery) (amqp.Delivery, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	select {
	case d, ok := <-ds:
		if !ok {
			t.Fatal("the delivery channel closed")
		}
		if err := d.Ack(false); err != nil {
			t.Fatal(err)
		}
		return d, true
	case <-ctx.Done():
		return amqp.Delivery{}, false
	}
}

// dial is the amqp091 Dialer of the package's broker.
func dial(t *testing.T) bridge.Dialer { return amqp091.Dial(need(t).AMQPURL()) }

// metric reads one route's series from reg.
func metric(t *testing.T, reg *prometheus.Registry, name, route string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "route" && l.GetValue() == route {
					if c := m.GetCounter(); c != nil {
						return c.GetValue()
					}
					return m.GetGauge().GetValue()
				}
			}
		}
	}
	return 0
}

// recv receives one message from s.
func recv(t *testing.T, s *zmq.Socket) [][]byte {
	t.Helper()
	m, err := s.Recv(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	return m.Frames
}

func send(t *testing.T, s *zmq.Socket, frames ...string) {
	t.Helper()
	if err := s.Send(testCtx(t), zmq.NewMsgString(frames...)); err != nil {
		t.Fatal(err)
	}
}
