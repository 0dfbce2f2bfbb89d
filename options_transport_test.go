package zmq_test

import (
	"errors"
	"net"
	"testing"

	zmq "github.com/purezmq/zmq"
)

// TestIPv6NeedsOption: as libzmq, a tcp endpoint in IPv6 form is refused without IPV6, and
// works with it where the machine has ::1.
func TestIPv6NeedsOption(t *testing.T) {
	for _, tt := range []struct {
		op string
		do func(s *zmq.Socket, ep string) error
	}{
		{"Bind", (*zmq.Socket).Bind},
		{"Connect", (*zmq.Socket).Connect},
	} {
		s := newSocket(t, zmq.PAIR)
		if err := tt.do(s, "tcp://[::1]:5555"); !errors.Is(err, zmq.ErrEndpoint) {
			t.Errorf("%s to [::1] without IPV6 = %v, want ErrEndpoint", tt.op, err)
		}
	}
	l, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback on this machine: %v", err)
	}
	l.Close()
	a, b := newSocket(t, zmq.PAIR, zmq.WithIPv6(true)), newSocket(t, zmq.PAIR)
	ep := bind(t, a, "tcp://[::1]:*")
	if err := b.SetOption(zmq.OptIPv6, 1); err != nil {
		t.Fatal(err)
	}
	connect(t, b, ep)
	sendString(t, b, "over IPv6")
	expectRecvString(t, a, "over IPv6")
}

// TestIPv6Wildcard: with IPV6, "*" binds both families, so an IPv4 peer connects too.
func TestIPv6Wildcard(t *testing.T) {
	if l, err := net.Listen("tcp6", "[::1]:0"); err != nil {
		t.Skipf("no IPv6 on this machine: %v", err)
	} else {
		l.Close()
	}
	a := newSocket(t, zmq.PAIR, zmq.WithIPv6(true))
	ep := bind(t, a, "tcp://*:*")
	_, port, _ := net.SplitHostPort(ep[len("tcp://"):])
	b := newSocket(t, zmq.PAIR)
	connect(t, b, "tcp://127.0.0.1:"+port)
	sendString(t, b, "v4 to a dual-stack bind")
	expectRecvString(t, a, "v4 to a dual-stack bind")
}

// TestRouterNotify: a ROUTER with ROUTER_NOTIFY receives [id, ""] when a peer's connection
// completes and when it ends, as libzmq's.
func TestRouterNotify(t *testing.T) {
	for _, tt := range []struct {
		flags               int
		connect, disconnect bool
	}{
		{zmq.NotifyConnect | zmq.NotifyDisconnect, true, true},
		{zmq.NotifyConnect, true, false},
		{zmq.NotifyDisconnect, false, true},
		{0, false, false},
	} {
		r := newSocket(t, zmq.ROUTER)
		if err := r.SetOption(zmq.OptRouterNotify, tt.flags); err != nil {
			t.Fatal(err)
		}
		ep := bind(t, r, "tcp://127.0.0.1:*")
		d := newSocket(t, zmq.DEALER, zmq.WithRoutingID([]byte("peer")))
		connect(t, d, ep)
		if tt.connect {
			expectRecvString(t, r, "peer", "")
		}
		sendString(t, d, "hello")
		expectRecvString(t, r, "peer", "hello")
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
		if tt.disconnect {
			expectRecvString(t, r, "peer", "")
		} else {
			expectNoMsg(t, r, waitShort)
		}
	}
}

// TestMetadata: METADATA properties reach the peer's Msg.Property, by either setter.
func TestMetadata(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		if tr.name == "inproc" {
			return // no handshake, no properties, as in libzmq
		}
		pull := newSocket(t, zmq.PULL)
		push := newSocket(t, zmq.PUSH, zmq.WithMetadata("X-Color", "blue"))
		if err := push.SetOption(zmq.OptMetadata, "X-Shape:round:ish"); err != nil {
			t.Fatal(err)
		}
		link(t, tr, pull, push)
		sendString(t, push, "x")
		m := expectRecvString(t, pull, "x")
		for name, want := range map[string]string{"X-Color": "blue", "x-shape": "round:ish", "Socket-Type": "PUSH"} {
			if got, ok := m.Property(name); !ok || got != want {
				t.Errorf("Property(%q) = %q, %v; want %q", name, got, ok, want)
			}
		}
	})
}
