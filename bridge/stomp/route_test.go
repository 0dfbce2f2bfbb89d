package stomp

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/bridge"
	"github.com/purezmq/zmq/bridge/internal/conformance"
)

// TestRoute: ZeroMQ → STOMP → RabbitMQ → STOMP → ZeroMQ through bridge.Run: a PULL route
// publishes to a queue, a PUSH route consumes it; every message arrives, in order, with its
// subject and every frame (binary, empty, several), and Run stops cleanly.
func TestRoute(t *testing.T) {
	b := rabbitMQ(t)
	q := "/queue/" + queueName(t)
	dial := Dial(stompURL(b.STOMPAddr()))
	in, inEP := conformance.Socket(t, zmq.PUSH)
	out, outEP := conformance.Socket(t, zmq.PULL)
	routes := []bridge.Route{
		{Name: "in", Direction: bridge.ToBroker, Broker: dial, Address: q, Window: 8,
			Socket: bridge.SocketConfig{Type: zmq.PULL, Connect: []string{inEP}}},
		{Name: "out", Direction: bridge.FromBroker, Broker: dial, Address: q, Window: 8,
			Socket: bridge.SocketConfig{Type: zmq.PUSH, Connect: []string{outEP}}},
	}
	conformance.Start(t, routes, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const n = 100
	want := make([][][]byte, n)
	for i := range want {
		want[i] = [][]byte{[]byte(fmt.Sprint("subject.", i)), []byte(fmt.Sprintf("\x00body %d\x00", i))}
		if i%3 == 0 {
			want[i] = append(want[i], nil, []byte{0xff, '\n', ':'})
		}
	}
	go func() {
		for _, frames := range want {
			if in.Send(ctx, zmq.NewMsg(frames...)) != nil {
				return
			}
		}
	}()
	for i, w := range want {
		m, err := out.Recv(testCtx(t))
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		got := m.Frames
		for j := range got {
			if len(got[j]) == 0 {
				got[j] = nil
			}
		}
		if !reflect.DeepEqual(got, w) {
			t.Fatalf("message %d: %q, want %q", i, got, w)
		}
	}
}

// TestRouteBrokerRestart: RabbitMQ killed and restarted in the middle of a stream: both
// routes dial again and every message arrives at least once, counted end to end (durable
// queue, persistent messages).
func TestRouteBrokerRestart(t *testing.T) {
	b := rabbitMQ(t)
	q := "/queue/" + queueName(t)
	dial := Dial(stompURL(b.STOMPAddr()), WithHeartbeat(time.Second))
	in, inEP := conformance.Socket(t, zmq.PUSH)
	out, outEP := conformance.Socket(t, zmq.PULL)
	routes := []bridge.Route{
		{Name: "in", Direction: bridge.ToBroker, Broker: dial, Address: q, Window: 8, Backoff: 20 * time.Millisecond,
			Socket: bridge.SocketConfig{Type: zmq.PULL, Connect: []string{inEP}}},
		{Name: "out", Direction: bridge.FromBroker, Broker: dial, Address: q, Window: 8, Backoff: 20 * time.Millisecond,
			Socket: bridge.SocketConfig{Type: zmq.PUSH, Connect: []string{outEP}}},
	}
	conformance.Start(t, routes, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const n, killAt = 300, 100
	go func() {
		for i := range n {
			if in.Send(ctx, zmq.NewMsgString("s", fmt.Sprint(i))) != nil {
				return
			}
		}
	}()
	seen := map[string]int{}
	rctx, rcancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer rcancel()
	for received := 0; len(seen) < n; received++ {
		if received == killAt {
			// The queue the routes declared must survive the kill (see rabbittest).
			if err := b.SyncMetadata(); err != nil {
				t.Fatal(err)
			}
			b.Kill()
			if err := b.Restart(); err != nil {
				t.Fatal(err)
			}
		}
		m, err := out.Recv(rctx)
		if err != nil {
			t.Fatalf("%d of %d distinct messages, then %v", len(seen), n, err)
		}
		seen[string(m.Frames[1])]++
	}
	dups := 0
	for _, c := range seen {
		dups += c - 1
	}
	t.Logf("%d messages, %d delivered twice or more after the restart", len(seen), dups)
}
