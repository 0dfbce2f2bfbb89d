package amqp10

import (
	"fmt"
	"slices"
	"testing"

	"github.com/Azure/go-amqp"
	"github.com/prometheus/client_golang/prometheus"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/bridge"
	"github.com/purezmq/zmq/bridge/internal/conformance"
)

// TestRouteThroughQueue: ZeroMQ → a ToBroker route → an AMQP 1.0 queue → a FromBroker route →
// ZeroMQ, with the bridge's broker connection cut mid-stream: every message arrives, at
// least once, frames intact (subject, single and multipart bodies).
func TestRouteThroughQueue(t *testing.T) {
	px := newProxy(t, brokerAddr(t))
	dial := Dial(px.url())
	in, inEP := conformance.Socket(t, zmq.PUSH)
	out, outEP := conformance.Socket(t, zmq.PULL)
	q := queue(t, "")
	routes := []bridge.Route{
		{Name: "in", Direction: bridge.ToBroker, Broker: dial, Address: q, Window: 8,
			Socket: bridge.SocketConfig{Type: zmq.PULL, Connect: []string{inEP}}},
		{Name: "out", Direction: bridge.FromBroker, Broker: dial, Address: q, Window: 8,
			Socket: bridge.SocketConfig{Type: zmq.PUSH, Connect: []string{outEP}}},
	}
	conformance.Start(t, routes, nil)

	const n = 200
	sent := make([][][]byte, n)
	for i := range sent {
		sent[i] = [][]byte{[]byte(fmt.Sprintf("s.%d", i)), []byte(fmt.Sprintf("body\x00%d", i))}
		if i%3 == 0 {
			sent[i] = append(sent[i], []byte{}, []byte{0xff, byte(i)})
		}
	}
	tctx := testCtx(t)
	go func() {
		for _, m := range sent {
			if in.Send(tctx, zmq.NewMsg(m...)) != nil {
				return
			}
		}
	}()
	seen := make([]int, n)
	for missing := n; missing > 0; {
		m, err := out.Recv(tctx)
		if err != nil {
			t.Fatalf("Recv with %d missing: %v", missing, err)
		}
		var i int
		if _, err := fmt.Sscanf(string(m.Frames[0]), "s.%d", &i); err != nil || i < 0 || i >= n {
			t.Fatalf("unexpected message %q", m.Frames)
		}
		if !slices.EqualFunc(m.Frames, sent[i], func(a, b []byte) bool { return string(a) == string(b) }) {
			t.Fatalf("message %d: %q, want %q", i, m.Frames, sent[i])
		}
		if seen[i] == 0 {
			missing--
		}
		seen[i]++
		if missing == n/2 && seen[i] == 1 {
			px.kill() // both routes' connection: they dial again
		}
	}
	dups := 0
	for _, c := range seen {
		dups += c - 1
	}
	t.Logf("%d messages, %d delivered twice or more after the cut", n, dups)
}

// TestRouteSkipsMalformed: a message the bridge cannot map, sent by another AMQP 1.0 client,
// is counted and dropped by a FromBroker route, which keeps its link (no reconnect) and
// delivers the next message.
func TestRouteSkipsMalformed(t *testing.T) {
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
	for _, m := range []*amqp.Message{{Sequence: [][]any{{"a"}}}, {Data: [][]byte{[]byte("good")}}} {
		if err := snd.Send(ctx, m, nil); err != nil {
			t.Fatal(err)
		}
	}
	out, outEP := conformance.Socket(t, zmq.PULL)
	reg := prometheus.NewRegistry()
	routes := []bridge.Route{{Name: "out", Direction: bridge.FromBroker, Broker: Dial(brokerURL(t)), Address: q,
		NoSubject: true, Socket: bridge.SocketConfig{Type: zmq.PUSH, Connect: []string{outEP}}}}
	run := conformance.Start(t, routes, bridge.NewMetrics(reg))
	m, err := out.Recv(ctx)
	run.Stop()
	if err != nil || string(m.Frames[0]) != "good" {
		t.Fatalf("received %q, %v; want good", m.Frames, err)
	}
	if got := counter(t, reg, "zmq_bridge_malformed_total"); got != 1 {
		t.Errorf("malformed = %v, want 1", got)
	}
	if got := counter(t, reg, "zmq_bridge_reconnects_total"); got != 0 {
		t.Errorf("reconnects = %v, want 0: a malformed message is not a lost connection", got)
	}
}

// counter reads a route's counter from reg (0 when it was never counted).
func counter(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			for _, m := range mf.GetMetric() {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}
