package bridge_test

import (
	"context"
	"encoding/binary"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	amqp "github.com/rabbitmq/amqp091-go"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/bridge"
)

// TestFromBroker: deliveries reach PUSH and PUB as [routing key, body frames...], or just the
// body frames without subject.
func TestFromBroker(t *testing.T) {
	tests := []struct {
		name      string
		sock      zmq.Type
		noSubject bool
		pub       amqp.Publishing
		want      []string
	}{
		{name: "PUSH", sock: zmq.PUSH, pub: amqp.Publishing{Type: "k.1", Body: []byte("b")}, want: []string{"k.1", "b"}},
		{name: "PUSH multipart", sock: zmq.PUSH, pub: amqp.Publishing{Type: "k", ContentType: bridge.MultipartType,
			Body: bridge.EncodeMultipart([][]byte{[]byte("a"), nil, []byte("c")})}, want: []string{"k", "a", "", "c"}},
		{name: "PUSH no subject", sock: zmq.PUSH, noSubject: true, pub: amqp.Publishing{Type: "k", Body: []byte("b")}, want: []string{"b"}},
		{name: "PUSH no subject multipart", sock: zmq.PUSH, noSubject: true, pub: amqp.Publishing{Type: "k",
			ContentType: bridge.MultipartType, Body: bridge.EncodeMultipart([][]byte{[]byte("x"), []byte("y")})}, want: []string{"x", "y"}},
		{name: "PUB", sock: zmq.PUB, pub: amqp.Publishing{Type: "news", Body: []byte("b")}, want: []string{"news", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAdmin(t)
			x, q := a.queue(nil)
			peerType := zmq.PULL
			if tt.sock == zmq.PUB {
				peerType = zmq.SUB
			}
			peer, ep := socket(t, peerType)
			if tt.sock == zmq.PUB {
				if err := peer.Subscribe(nil); err != nil {
					t.Fatal(err)
				}
			}
			reg := prometheus.NewRegistry()
			start(t, []bridge.Route{{Name: "from", Direction: bridge.FromBroker, Broker: dial(t),
				Address: "queue/" + q, NoSubject: tt.noSubject,
				Socket: bridge.SocketConfig{Type: tt.sock, Connect: []string{ep}}}}, bridge.NewMetrics(reg))
			got := publishUntil(t, a, x, tt.pub, peer, tt.sock == zmq.PUB)
			if !slices.Equal(strsOf(got), tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// publishUntil publishes m and returns what peer receives. A PUB drops what it sends before
// the subscription reached it, and nothing tells the test when it did: with again, m is
// published again until one arrives.
func publishUntil(t *testing.T, a *admin, exchange string, m amqp.Publishing, peer *zmq.Socket, again bool) [][]byte {
	t.Helper()
	ctx := testCtx(t)
	for {
		a.publish(exchange, m)
		wait := ctx
		if again {
			var cancel context.CancelFunc
			wait, cancel = context.WithTimeout(ctx, 200*time.Millisecond)
			defer cancel()
		}
		got, err := peer.Recv(wait)
		if err == nil {
			return got.Frames
		}
		if !again || ctx.Err() != nil {
			t.Fatal(err)
		}
	}
}

// TestPeerAck: a DEALER's deliveries carry a bridge id; the peer's answers acknowledge them
// in any order, and one not answered in AckTimeout is delivered again. After the stop the
// queue is empty: every answered delivery was acknowledged. AckTimeout is a second: the
// answers must beat it on a loaded machine (at 200 ms one did not, in CI).
func TestPeerAck(t *testing.T) {
	a := newAdmin(t)
	x, q := a.queue(nil)
	peer, ep := socket(t, zmq.DEALER)
	reg := prometheus.NewRegistry()
	r := start(t, []bridge.Route{{Name: "peer", Direction: bridge.FromBroker, Broker: dial(t),
		Address: "queue/" + q, PeerAck: true, AckTimeout: time.Second, Window: 3,
		Socket: bridge.SocketConfig{Type: zmq.DEALER, Connect: []string{ep}}}}, bridge.NewMetrics(reg))
	a.publish(x, amqp.Publishing{Type: "s", Body: []byte("1")}, amqp.Publishing{Type: "s", Body: []byte("2")},
		amqp.Publishing{Type: "s", Body: []byte("3")})
	ids := map[string][]byte{}
	for range 3 {
		m := recv(t, peer)
		if len(m) != 3 || len(m[0]) != 8 {
			t.Fatalf("got %q, want [8-byte id, subject, body]", m)
		}
		ids[string(m[2])] = m[0]
	}
	send(t, peer, string(ids["3"]))
	send(t, peer, string(ids["2"]))
	// "1" is not answered: it comes again, with a new id.
	m := recv(t, peer)
	if string(m[2]) != "1" || slices.Equal(m[0], ids["1"]) {
		t.Fatalf("got %q, want 1 again with a new id", m)
	}
	if binary.BigEndian.Uint64(m[0]) <= binary.BigEndian.Uint64(ids["3"]) {
		t.Errorf("id %x not after %x", m[0], ids["3"])
	}
	send(t, peer, string(ids["1"])) // stale: ignored
	send(t, peer, "not an id")      // ignored
	send(t, peer, string(m[0]))
	r.Stop() // waits for the answers sent
	if n := a.ready(q); n != 0 {
		t.Errorf("%d messages back in the queue after the stop, want 0", n)
	}
	for name, want := range map[string]float64{"zmq_bridge_acked_total": 3, "zmq_bridge_requeued_total": 1,
		"zmq_bridge_messages_in_total": 4, "zmq_bridge_pending": 0} {
		if got := metric(t, reg, name, "peer"); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
}

// TestMalformedDelivery: a delivery that does not map is rejected without requeue, and the
// next one goes through.
func TestMalformedDelivery(t *testing.T) {
	a := newAdmin(t)
	x, q := a.queue(nil)
	peer, ep := socket(t, zmq.PULL)
	reg := prometheus.NewRegistry()
	r := start(t, []bridge.Route{{Name: "m", Direction: bridge.FromBroker, Broker: dial(t), Address: "queue/" + q,
		Socket: bridge.SocketConfig{Type: zmq.PUSH, Connect: []string{ep}}}}, bridge.NewMetrics(reg))
	a.publish(x, amqp.Publishing{Type: "s", ContentType: bridge.MultipartType, Body: []byte{0, 0, 0, 9, 'x'}},
		amqp.Publishing{Type: "s", Body: []byte("good")})
	if got := strsOf(recv(t, peer)); !slices.Equal(got, []string{"s", "good"}) {
		t.Fatalf("got %q, want [s good]", got)
	}
	r.Stop()
	if n := a.ready(q); n != 0 {
		t.Errorf("%d messages back in the queue, want 0 (the malformed one dropped)", n)
	}
	if got := metric(t, reg, "zmq_bridge_malformed_total", "m"); got != 1 {
		t.Errorf("malformed = %v, want 1", got)
	}
}
