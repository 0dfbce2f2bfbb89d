package bridge_test

import (
	"context"
	"errors"
	"testing"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/bridge"
)

// TestRunBadRoute: a route that cannot work is ErrRoute at once, before anything runs.
func TestRunBadRoute(t *testing.T) {
	noBroker := func(context.Context) (bridge.Broker, error) { return nil, bridge.ErrConnection }
	ok := bridge.Route{Name: "r", Direction: bridge.ToBroker, Broker: noBroker, Address: "queue/q",
		Socket: bridge.SocketConfig{Type: zmq.PULL, Bind: []string{"tcp://127.0.0.1:0"}}}
	busy, endpoint := socket(t, zmq.PUSH)
	_ = busy
	tests := []struct {
		name string
		edit func(*bridge.Route)
	}{
		{"no name", func(r *bridge.Route) { r.Name = "" }},
		{"PUSH to the broker", func(r *bridge.Route) { r.Socket.Type = zmq.PUSH }},
		{"PULL from the broker", func(r *bridge.Route) { r.Direction = bridge.FromBroker }},
		{"no direction", func(r *bridge.Route) { r.Direction = 0 }},
		{"PeerAck on PULL", func(r *bridge.Route) { r.PeerAck = true }},
		{"PeerAck on PUSH", func(r *bridge.Route) {
			r.Direction, r.Socket.Type, r.PeerAck = bridge.FromBroker, zmq.PUSH, true
		}},
		{"no broker", func(r *bridge.Route) { r.Broker = nil }},
		{"no address", func(r *bridge.Route) { r.Address = "" }},
		{"negative window", func(r *bridge.Route) { r.Window = -1 }},
		{"no endpoint", func(r *bridge.Route) { r.Socket.Bind = nil }},
		{"subscriptions on PULL", func(r *bridge.Route) { r.Socket.Subscribe = []string{"a"} }},
		{"bind failure", func(r *bridge.Route) { r.Socket.Bind = []string{endpoint} }},
		{"bad endpoint", func(r *bridge.Route) { r.Socket.Connect = []string{"nope://x"} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ok
			tt.edit(&r)
			if err := bridge.Run(context.Background(), []bridge.Route{r}, nil); !errors.Is(err, bridge.ErrRoute) {
				t.Fatalf("Run: %v, want ErrRoute", err)
			}
		})
	}
	t.Run("same name twice", func(t *testing.T) {
		if err := bridge.Run(context.Background(), []bridge.Route{ok, ok}, nil); !errors.Is(err, bridge.ErrRoute) {
			t.Fatalf("Run: %v, want ErrRoute", err)
		}
	})
}

// TestRunNoBroker: a broker that is not there is not fatal: Run dials until it is stopped,
// and stops cleanly, counting the dials again.
func TestRunNoBroker(t *testing.T) {
	dials := make(chan struct{}, 10)
	noBroker := func(context.Context) (bridge.Broker, error) {
		select {
		case dials <- struct{}{}:
		default:
		}
		return nil, bridge.ErrConnection
	}
	route := bridge.Route{Name: "r", Direction: bridge.FromBroker, Broker: noBroker, Address: "queue/q",
		Backoff: 1, Socket: bridge.SocketConfig{Type: zmq.PUSH, Bind: []string{"tcp://127.0.0.1:0"}}}
	r := start(t, []bridge.Route{route}, bridge.NewMetrics(nil))
	for range 3 {
		<-dials
	}
	r.Stop()
}
