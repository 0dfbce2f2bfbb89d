package bridge_test

import (
	"fmt"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	amqp "github.com/rabbitmq/amqp091-go"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/bridge"
)

// TestStopFromBroker: stopping a from-broker route mid-stream loses nothing: what it sent
// reaches the peer, what it did not is delivered again by the broker to the route started
// again; counted end to end, the queue ends empty.
func TestStopFromBroker(t *testing.T) {
	const n = 300
	a := newAdmin(t)
	x, q := a.queue(nil)
	var msgs []amqp.Publishing
	for i := range n {
		msgs = append(msgs, amqp.Publishing{Type: "k", Body: []byte(fmt.Sprintf("m%04d", i))})
	}
	a.publish(x, msgs...)
	pull, ep := socket(t, zmq.PULL, zmq.WithRecvHWM(10))
	// The peer keeps reading while the route stops: what the route's socket still queues
	// goes out in the drain.
	bodies := make(chan string, n*2)
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			m, err := pull.Recv(testCtx(t))
			if err != nil {
				return
			}
			select {
			case bodies <- string(m.Frames[1]):
			case <-quit:
				return
			}
		}
	}()
	t.Cleanup(func() { close(quit); pull.Close(); <-done })
	route := bridge.Route{Name: "from", Direction: bridge.FromBroker, Broker: dial(t), Address: "queue/" + q,
		Window: 20, Socket: bridge.SocketConfig{Type: zmq.PUSH, Connect: []string{ep},
			Options: []zmq.Option{zmq.WithSendHWM(10)}}}
	reg := prometheus.NewRegistry()
	r := start(t, []bridge.Route{route}, bridge.NewMetrics(reg))
	got := tally{}
	for range 100 {
		got[<-bodies]++
	}
	r.Stop()
	sent := metric(t, reg, "zmq_bridge_messages_out_total", "from")
	acked := metric(t, reg, "zmq_bridge_acked_total", "from")
	if acked != sent {
		t.Errorf("stopped with %v sent and %v acknowledged", sent, acked)
	}
	start(t, []bridge.Route{route}, nil)
	for len(got) < n {
		got[<-bodies]++
	}
	t.Logf("stopped after %v sent; %d messages, %d lost, %d duplicates", sent, n, n-len(got), got.dups())
}

// TestStopToBroker: stopping a to-broker route mid-stream settles what it took: every message
// received from ZeroMQ is confirmed by the broker before Run returns.
func TestStopToBroker(t *testing.T) {
	const n = 300
	a := newAdmin(t)
	x, q := a.queue(nil)
	push, ep := socket(t, zmq.PUSH)
	reg := prometheus.NewRegistry()
	r := start(t, []bridge.Route{{Name: "to", Direction: bridge.ToBroker, Broker: dial(t), Address: "exchange/" + x,
		Window: 50, Socket: bridge.SocketConfig{Type: zmq.PULL, Connect: []string{ep}}}}, bridge.NewMetrics(reg))
	for i := range n {
		send(t, push, "k", fmt.Sprintf("m%04d", i))
	}
	ds := a.consume(q)
	for range 20 {
		next(t, ds)
	}
	r.Stop()
	in := metric(t, reg, "zmq_bridge_messages_in_total", "to")
	confirmed := metric(t, reg, "zmq_bridge_confirmed_total", "to")
	if in != confirmed || metric(t, reg, "zmq_bridge_pending", "to") != 0 {
		t.Errorf("stopped with %v received, %v confirmed", in, confirmed)
	}
	t.Logf("stopped after receiving %v, all confirmed", in)
}
