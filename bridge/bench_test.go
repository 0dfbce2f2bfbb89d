package bridge_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/bridge"
	"github.com/purezmq/zmq/bridge/amqp091"
)

// The bridge's cost, measured against the broker's own client in the same run (make
// bench-bridge): 64-byte messages from a sender to a receiver through one durable queue of
// the package's RabbitMQ, b.N of them, timed from the first send to the last receipt.
//
//   - direct: amqp091-go straight to the broker, publisher confirms with 100 pending at most,
//     a consumer with prefetch 100 acknowledging each delivery.
//   - bridged: a ZeroMQ PUSH → a to-broker route (PULL) → the queue → a from-broker route
//     (PUSH) → a ZeroMQ PULL; the routes' windows 100, so the same confirms and acks happen.

const benchWindow = 100

var benchBody = []byte(strings.Repeat("x", 64))

var benchQueues atomic.Int64

func benchQueue(b *testing.B) (*amqp.Connection, string) {
	b.Helper()
	if rabbit == nil {
		b.Skip("rabbitmq-server not installed")
	}
	conn, err := amqp.Dial(rabbit.AMQPURL())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close() })
	ch, err := conn.Channel()
	if err != nil {
		b.Fatal(err)
	}
	name := fmt.Sprintf("bench%d", benchQueues.Add(1))
	if _, err := ch.QueueDeclare(name, true, false, false, false, nil); err != nil {
		b.Fatal(err)
	}
	return conn, name
}

func BenchmarkBridge(b *testing.B) {
	b.Run("direct", benchDirect)
	b.Run("bridged", benchBridged)
}

func benchDirect(b *testing.B) {
	conn, q := benchQueue(b)
	pub, err := conn.Channel()
	if err == nil {
		err = pub.Confirm(false)
	}
	sub, err2 := conn.Channel()
	if err == nil {
		err = err2
	}
	if err == nil {
		err = sub.Qos(benchWindow, 0, false)
	}
	if err != nil {
		b.Fatal(err)
	}
	deliveries, err := sub.Consume(q, "", false, false, false, false, nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	done := make(chan error, 1)
	b.ResetTimer()
	go func() {
		for i := 0; i < b.N; i++ {
			d, ok := <-deliveries
			if !ok {
				done <- fmt.Errorf("deliveries ended after %d", i)
				return
			}
			if err := d.Ack(false); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	var pending []*amqp.DeferredConfirmation
	for i := 0; i < b.N; i++ {
		if len(pending) == benchWindow {
			if ok, err := pending[0].WaitContext(ctx); err != nil || !ok {
				b.Fatalf("confirm: %v %v", ok, err)
			}
			pending = pending[1:]
		}
		dc, err := pub.PublishWithDeferredConfirmWithContext(ctx, "", q, false, false,
			amqp.Publishing{DeliveryMode: amqp.Persistent, Body: benchBody})
		if err != nil {
			b.Fatal(err)
		}
		pending = append(pending, dc)
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

func benchBridged(b *testing.B) {
	_, q := benchQueue(b)
	dir := b.TempDir()
	in, out := "ipc://"+filepath.Join(dir, "in"), "ipc://"+filepath.Join(dir, "out")
	dial := amqp091.Dial(rabbit.AMQPURL())
	routes := []bridge.Route{
		{Name: "in", Direction: bridge.ToBroker, Broker: dial, Address: "queue/" + q, Window: benchWindow,
			Socket: bridge.SocketConfig{Type: zmq.PULL, Bind: []string{in}}},
		{Name: "out", Direction: bridge.FromBroker, Broker: dial, Address: "queue/" + q, Window: benchWindow,
			Socket: bridge.SocketConfig{Type: zmq.PUSH, Bind: []string{out}}},
	}
	runCtx, stop := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- bridge.Run(runCtx, routes, nil) }()
	defer func() {
		stop()
		if err := <-ran; err != nil {
			b.Error(err)
		}
	}()
	zc := zmq.NewContext()
	defer zc.Close()
	push, err := zc.NewSocket(zmq.PUSH, zmq.WithLinger(0))
	if err == nil {
		err = push.Connect(in)
	}
	if err != nil {
		b.Fatal(err)
	}
	pull, err := zc.NewSocket(zmq.PULL, zmq.WithLinger(0))
	if err == nil {
		err = pull.Connect(out)
	}
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// One message through first: both routes connected and consuming.
	if err := push.Send(ctx, zmq.NewMsg([]byte("k"), benchBody)); err != nil {
		b.Fatal(err)
	}
	if _, err := pull.Recv(ctx); err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	b.ResetTimer()
	go func() {
		for i := 0; i < b.N; i++ {
			if _, err := pull.Recv(ctx); err != nil {
				done <- fmt.Errorf("after %d: %w", i, err)
				return
			}
		}
		done <- nil
	}()
	for i := 0; i < b.N; i++ {
		if err := push.Send(ctx, zmq.NewMsg([]byte("k"), benchBody)); err != nil {
			b.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
