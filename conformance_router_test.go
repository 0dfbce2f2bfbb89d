package zmq_test

import (
	"bytes"
	"testing"

	zmq "github.com/purezmq/zmq"
)

// TestConformanceRoutingID: a ROUTER addresses each peer by the ROUTING_ID it announced, whichever
// side binds, and makes up distinct ids for anonymous peers.
func TestConformanceRoutingID(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		t.Run("router-binds", func(t *testing.T) {
			router := newSocket(t, zmq.ROUTER)
			ep := bind(t, router, tr.wildcard())
			dealer := newSocket(t, zmq.DEALER, zmq.WithRoutingID([]byte("alice")))
			req := newSocket(t, zmq.REQ, zmq.WithRoutingID([]byte("bob")))
			connect(t, dealer, ep)
			connect(t, req, ep)
			sendString(t, dealer, "from alice")
			m := expectRecvString(t, router, "alice", "from alice")
			if tr.name != "inproc" { // inproc peers carry no properties
				for name, want := range map[string]string{"Socket-Type": "DEALER", "identity": "alice"} {
					if got, ok := m.Property(name); !ok || got != want {
						t.Errorf("Property(%q) = %q, %v; want %q", name, got, ok, want)
					}
				}
			}
			sendString(t, req, "from bob")
			expectRecvString(t, router, "bob", "", "from bob")
			sendString(t, router, "bob", "", "to bob")
			sendString(t, router, "alice", "to alice")
			expectRecvString(t, req, "to bob")
			expectRecvString(t, dealer, "to alice")
		})
		t.Run("peer-binds", func(t *testing.T) {
			dealer := newSocket(t, zmq.DEALER, zmq.WithRoutingID([]byte("carol")))
			router := newSocket(t, zmq.ROUTER)
			link(t, tr, dealer, router)
			sendString(t, dealer, "from carol")
			expectRecvString(t, router, "carol", "from carol")
			sendString(t, router, "carol", "to carol")
			expectRecvString(t, dealer, "to carol")
		})
		t.Run("generated", func(t *testing.T) {
			router := newSocket(t, zmq.ROUTER)
			ep := bind(t, router, tr.wildcard())
			ids := map[string]*zmq.Socket{}
			for range 2 {
				d := newSocket(t, zmq.DEALER)
				connect(t, d, ep)
				sendString(t, d, "anonymous")
				m := recvWithin(t, router, waitLong)
				id := m.Frames[0]
				if len(id) == 0 || id[0] != 0 {
					t.Fatalf("generated routing id %x: want non-empty, starting with a zero byte", id)
				}
				if ids[string(id)] != nil {
					t.Fatalf("two anonymous peers got the same routing id %x", id)
				}
				ids[string(id)] = d
			}
			for id, d := range ids {
				send(t, router, []byte(id), []byte(id))
				expectRecv(t, d, []byte(id))
			}
		})
	})
}

// TestConformanceConnectRoutingID: CONNECT_ROUTING_ID names the peer of the next Connect for a
// ROUTER, overriding what the peer announces; later Connects use the announced ids again.
func TestConformanceConnectRoutingID(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		t.Run("ROUTER-to-ROUTER", func(t *testing.T) {
			// The bound ROUTER probes, so the connecting one learns the link is up and under
			// which id it filed it.
			server := newSocket(t, zmq.ROUTER, zmq.WithRoutingID([]byte("server")), zmq.WithProbeRouter(true))
			client := newSocket(t, zmq.ROUTER, zmq.WithRoutingID([]byte("client")))
			ep := bind(t, server, tr.wildcard())
			if err := client.SetConnectRoutingID([]byte("srv")); err != nil {
				t.Fatal(err)
			}
			connect(t, client, ep)
			expectRecvString(t, client, "srv", "")
			sendString(t, client, "srv", "hello")
			expectRecvString(t, server, "client", "hello")
			sendString(t, server, "client", "back")
			expectRecvString(t, client, "srv", "back")
		})
		t.Run("ROUTER-to-DEALERs", func(t *testing.T) {
			router := newSocket(t, zmq.ROUTER)
			d1 := newSocket(t, zmq.DEALER, zmq.WithRoutingID([]byte("announced-1")), zmq.WithProbeRouter(true))
			d2 := newSocket(t, zmq.DEALER, zmq.WithRoutingID([]byte("announced-2")), zmq.WithProbeRouter(true))
			ep1, ep2 := bind(t, d1, tr.wildcard()), bind(t, d2, tr.wildcard())
			if err := router.SetConnectRoutingID([]byte("first")); err != nil {
				t.Fatal(err)
			}
			connect(t, router, ep1)
			connect(t, router, ep2) // no CONNECT_ROUTING_ID: the announced one
			probes := map[string]bool{}
			for range 2 {
				m := recvWithin(t, router, waitLong)
				if len(m.Frames) != 2 || len(m.Frames[1]) != 0 {
					t.Fatalf("ROUTER received %s, want a probe", fmtFrames(m.Frames))
				}
				probes[string(m.Frames[0])] = true
			}
			if !probes["first"] || !probes["announced-2"] {
				t.Fatalf("probes came from %v, want first and announced-2", probes)
			}
			sendString(t, router, "first", "to d1")
			sendString(t, router, "announced-2", "to d2")
			expectRecvString(t, d1, "to d1")
			expectRecvString(t, d2, "to d2")
		})
	})
}

// TestConformanceProbeRouter: a DEALER or ROUTER with PROBE_ROUTER sends an empty message to each
// new peer, so a ROUTER learns the peer's id before the peer says anything.
func TestConformanceProbeRouter(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		for _, routerBinds := range []bool{true, false} {
			name := "dealer-binds"
			if routerBinds {
				name = "router-binds"
			}
			t.Run(name, func(t *testing.T) {
				router := newSocket(t, zmq.ROUTER)
				named := newSocket(t, zmq.DEALER, zmq.WithProbeRouter(true), zmq.WithRoutingID([]byte("prober")))
				if routerBinds {
					link(t, tr, router, named)
				} else {
					link(t, tr, named, router)
				}
				m := recvWithin(t, router, waitLong)
				if !framesEqual(m.Frames, [][]byte{[]byte("prober"), {}}) {
					t.Fatalf("first message %s, want the probe [prober \"\"]", fmtFrames(m.Frames))
				}
				sendString(t, named, "next")
				expectRecvString(t, router, "prober", "next")
				sendString(t, router, "prober", "reply")
				expectRecvString(t, named, "reply")
			})
		}
		t.Run("anonymous", func(t *testing.T) {
			router := newSocket(t, zmq.ROUTER)
			anon := newSocket(t, zmq.DEALER, zmq.WithProbeRouter(true))
			link(t, tr, router, anon)
			m := recvWithin(t, router, waitLong)
			if len(m.Frames) != 2 || len(m.Frames[0]) == 0 || len(m.Frames[1]) != 0 {
				t.Fatalf("first message %s, want a probe [<id> \"\"]", fmtFrames(m.Frames))
			}
			send(t, router, m.Frames[0], []byte("found you"))
			expectRecvString(t, anon, "found you")
		})
	})
}

// TestConformanceRouterHandover: a second peer announcing a routing id already in use is refused
// by default, and takes the id over under ROUTER_HANDOVER.
func TestConformanceRouterHandover(t *testing.T) {
	id := []byte("dup")
	forEachTransport(t, func(t *testing.T, tr transport) {
		t.Run("handover", func(t *testing.T) {
			router := newSocket(t, zmq.ROUTER, zmq.WithRouterHandover(true))
			ep := bind(t, router, tr.wildcard())
			old := newSocket(t, zmq.DEALER, zmq.WithRoutingID(id))
			connect(t, old, ep)
			sendString(t, old, "old")
			expectRecvString(t, router, "dup", "old")

			newer := newSocket(t, zmq.DEALER, zmq.WithRoutingID(id))
			connect(t, newer, ep)
			sendString(t, newer, "new")
			expectRecvString(t, router, "dup", "new")
			sendString(t, router, "dup", "for the new one")
			expectRecvString(t, newer, "for the new one")
			expectNoMsg(t, old, waitShort)
		})
		t.Run("refused", func(t *testing.T) {
			router := newSocket(t, zmq.ROUTER)
			ep := bind(t, router, tr.wildcard())
			first := newSocket(t, zmq.DEALER, zmq.WithRoutingID(id))
			connect(t, first, ep)
			sendString(t, first, "first")
			expectRecvString(t, router, "dup", "first")

			second := newSocket(t, zmq.DEALER, zmq.WithRoutingID(id))
			connect(t, second, ep)
			sendString(t, second, "second")
			sendString(t, router, "dup", "for the first one")
			expectRecvString(t, first, "for the first one")
			// The second peer's message never arrives under the first one's id.
			ctx, cancel := within(waitShort)
			defer cancel()
			if m, err := router.Recv(ctx); err == nil && bytes.Equal(m.Frames[0], id) {
				t.Fatalf("ROUTER received %s from a peer it should have refused", fmtFrames(m.Frames))
			}
			expectNoMsg(t, second, waitShort)
		})
	})
}
