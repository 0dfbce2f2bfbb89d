package bridge_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	amqp "github.com/rabbitmq/amqp091-go"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/bridge"
)

// TestToBroker: messages from PULL and SUB reach the broker with their subject as the
// routing key and their frames as the body (one as is, several in the multipart encoding).
func TestToBroker(t *testing.T) {
	tests := []struct {
		name      string
		sock      zmq.Type
		noSubject bool
		frames    []string
		key, body string // want: routing key, body (multipart when several frames)
		multipart []string
	}{
		{name: "PULL", sock: zmq.PULL, frames: []string{"orders.eu", "payload"}, key: "orders.eu", body: "payload"},
		{name: "PULL multipart", sock: zmq.PULL, frames: []string{"k", "a", "", "b\x00"}, key: "k", multipart: []string{"a", "", "b\x00"}},
		{name: "PULL subject only", sock: zmq.PULL, frames: []string{"k"}, key: "k", body: ""},
		{name: "PULL no subject", sock: zmq.PULL, noSubject: true, frames: []string{"whole"}, key: "", body: "whole"},
		{name: "PULL no subject multipart", sock: zmq.PULL, noSubject: true, frames: []string{"x", "y"}, key: "", multipart: []string{"x", "y"}},
		{name: "SUB", sock: zmq.SUB, frames: []string{"t.1", "news"}, key: "t.1", body: "news"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAdmin(t)
			x, q := a.queue(nil)
			peerType := zmq.PUSH
			if tt.sock == zmq.SUB {
				peerType = zmq.XPUB // tells when the bridge's subscription arrived
			}
			peer, ep := socket(t, peerType)
			start(t, []bridge.Route{{Name: "to", Direction: bridge.ToBroker, Broker: dial(t),
				Address: "exchange/" + x, NoSubject: tt.noSubject,
				Socket: bridge.SocketConfig{Type: tt.sock, Connect: []string{ep}}}}, nil)
			if tt.sock == zmq.SUB {
				recv(t, peer) // the subscription
			}
			send(t, peer, tt.frames...)
			d := next(t, a.consume(q))
			if d.RoutingKey != tt.key {
				t.Errorf("routing key %q, want %q", d.RoutingKey, tt.key)
			}
			if tt.multipart != nil {
				frames, err := bridge.DecodeMultipart(d.Body)
				if err != nil || d.ContentType != bridge.MultipartType || !slices.Equal(strsOf(frames), tt.multipart) {
					t.Errorf("body %q (%s, %v), want the multipart %q", d.Body, d.ContentType, err, tt.multipart)
				}
			} else if string(d.Body) != tt.body || d.ContentType != "" {
				t.Errorf("body %q (%s), want %q", d.Body, d.ContentType, tt.body)
			}
			if d.DeliveryMode != amqp.Persistent {
				t.Errorf("delivery mode %d, want persistent", d.DeliveryMode)
			}
		})
	}
}

func strsOf(b [][]byte) []string {
	var s []string
	for _, x := range b {
		s = append(s, string(x))
	}
	return s
}

// TestRouterAnswers: a ROUTER's sender gets its envelope back with "OK" once the broker
// confirmed, "ERR ..." when the broker rejected (a full queue that rejects publications) or
// the message does not map; the broker holds exactly what was answered OK.
func TestRouterAnswers(t *testing.T) {
	a := newAdmin(t)
	_, q := a.queue(amqp.Table{"x-max-length": int32(1), "x-overflow": "reject-publish"})
	dealer, ep := socket(t, zmq.DEALER)
	reg := prometheus.NewRegistry()
	start(t, []bridge.Route{{Name: "router", Direction: bridge.ToBroker, Broker: dial(t),
		Address: "queue/" + q, Socket: bridge.SocketConfig{Type: zmq.ROUTER, Connect: []string{ep}}}},
		bridge.NewMetrics(reg))

	tests := []struct {
		send   []string
		answer []string // without the last frame's text after "ERR"
	}{
		{[]string{"", "s", "first"}, []string{"", "OK"}},                 // a REQ-style delimiter
		{[]string{"hop", "", "s", "second"}, []string{"hop", "", "ERR"}}, // the queue is full
		{[]string{"s", "third"}, []string{"ERR"}},                        // no delimiter: no envelope
		{[]string{"lonely", ""}, []string{"lonely", "", "ERR"}},          // nothing after the envelope
	}
	for _, tt := range tests {
		send(t, dealer, tt.send...)
		got := strsOf(recv(t, dealer))
		last := len(got) - 1
		if last >= 0 && strings.HasPrefix(got[last], "ERR ") {
			got[last] = "ERR"
		}
		if !slices.Equal(got, tt.answer) {
			t.Errorf("sent %q: answer %q, want %q", tt.send, got, tt.answer)
		}
	}
	if d := next(t, a.consume(q)); string(d.Body) != "first" {
		t.Errorf("the queue holds %q, want first", d.Body)
	}
	for name, want := range map[string]float64{"zmq_bridge_confirmed_total": 1, "zmq_bridge_rejected_total": 2,
		"zmq_bridge_malformed_total": 1, "zmq_bridge_messages_in_total": 4, "zmq_bridge_pending": 0} {
		if got := metric(t, reg, name, "router"); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
}
