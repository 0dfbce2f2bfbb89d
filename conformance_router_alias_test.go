package zmq_test

import (
	"context"
	"errors"
	"testing"

	zmq "github.com/purezmq/zmq"
)

// TestConformanceConnectRoutingIDQueues: a ROUTER's CONNECT_ROUTING_ID alias is routable from
// Connect on, as in libzmq, which attaches the aliased pipe at once: under ROUTER_MANDATORY a
// message to the alias sent before the peer exists is queued, within SNDHWM, and delivered once
// connected.
func TestConformanceConnectRoutingIDQueues(t *testing.T) {
	for _, peerType := range []zmq.Type{zmq.DEALER, zmq.ROUTER} {
		t.Run(peerType.String(), func(t *testing.T) {
			forEachTransport(t, func(t *testing.T, tr transport) {
				const hwm = 3
				router := newSocket(t, zmq.ROUTER, zmq.WithRouterMandatory(true),
					zmq.WithRoutingID([]byte("client")), zmq.WithSendHWM(hwm))
				if err := router.SetConnectRoutingID([]byte("alias")); err != nil {
					t.Fatal(err)
				}
				ep := tr.fixed(t)
				connect(t, router, ep) // nothing is bound yet
				for i := range hwm {
					sendString(t, router, "alias", "queued", string(rune('0'+i)))
				}
				// The alias's queue is at SNDHWM: a send that may not wait says so.
				done, cancel := context.WithCancel(context.Background())
				cancel()
				if err := router.Send(done, zmq.NewMsgString("alias", "over")); !errors.Is(err, context.Canceled) {
					t.Fatalf("send past SNDHWM to the alias: %v, want the ctx's error", err)
				}
				if err := router.Send(done, zmq.NewMsgString("nobody", "x")); !errors.Is(err, zmq.ErrHostUnreachable) {
					t.Fatalf("send to an unknown id: %v, want ErrHostUnreachable", err)
				}
				peer := newSocket(t, peerType)
				bind(t, peer, ep)
				for i := range hwm {
					want := []string{"queued", string(rune('0' + i))}
					if peerType == zmq.ROUTER {
						want = append([]string{"client"}, want...)
					}
					expectRecvString(t, peer, want...)
				}
				sendString(t, router, "alias", "after")
				if peerType == zmq.ROUTER {
					expectRecvString(t, peer, "client", "after")
				} else {
					expectRecvString(t, peer, "after")
				}
			})
		})
	}
}

// TestConformanceConnectRoutingIDBound: the alias works the same when the peer is already
// bound: the send right after Connect races nothing.
func TestConformanceConnectRoutingIDBound(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		peer := newSocket(t, zmq.DEALER)
		ep := bind(t, peer, tr.wildcard())
		router := newSocket(t, zmq.ROUTER, zmq.WithRouterMandatory(true))
		if err := router.SetConnectRoutingID([]byte("alias")); err != nil {
			t.Fatal(err)
		}
		connect(t, router, ep)
		done, cancel := context.WithCancel(context.Background())
		cancel()
		// Not even a wait: the alias takes the message at once.
		if err := router.Send(done, zmq.NewMsgString("alias", "now")); err != nil {
			t.Fatalf("send to the alias right after Connect: %v", err)
		}
		expectRecvString(t, peer, "now")
	})
}

// TestConformanceConnectRoutingIDTaken: an alias that already names a peer is refused at
// Connect (libzmq asserts), unless ROUTER_HANDOVER lets the newcomer take it.
func TestConformanceConnectRoutingIDTaken(t *testing.T) {
	for _, handover := range []bool{false, true} {
		router := newSocket(t, zmq.ROUTER, zmq.WithRouterHandover(handover))
		for i, ep := range []string{inprocName(), freeTCPEndpoint(t)} {
			if err := router.SetConnectRoutingID([]byte("alias")); err != nil {
				t.Fatal(err)
			}
			err := router.Connect(ep)
			switch {
			case i == 0 || handover:
				if err != nil {
					t.Fatalf("handover %v: Connect %d: %v", handover, i, err)
				}
			case !errors.Is(err, zmq.ErrOption):
				t.Fatalf("second Connect with a taken alias: %v, want ErrOption", err)
			}
		}
	}
}
