package zmq_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/internal/transport/memcast"
)

// The datagram transports' wiring in the socket layer, over memcast (the in-memory multicast
// transport tests register): what epgm, pgm and norm rely on.

var memcastPort atomic.Int32

// memcastGroup returns a group of its own for a test, as "group:port", and its endpoint.
func memcastGroup() (string, string) {
	gp := fmt.Sprintf("239.192.1.1:%d", 20000+memcastPort.Add(1))
	return gp, "memcast://lo;" + gp
}

// marker is the message every subscriber of the tests subscribes to, sent last: a source's
// messages arrive in order, so once it is in, everything before it that matches is too.
const marker = "zz-end"

func TestMulticastPubToSubs(t *testing.T) {
	_, ep := memcastGroup()
	pub := newSocket(t, zmq.PUB, zmq.WithMulticastMaxTPDU(200))
	subs := []struct {
		prefixes []string
		bind     bool // Bind opens a multicast endpoint as Connect does
	}{
		{[]string{"a"}, false},
		{[]string{"b", "big"}, true},
		{[]string{""}, false},
	}
	var socks []*zmq.Socket
	for _, s := range subs {
		sub := newSocket(t, zmq.SUB)
		subscribe(t, sub, append(s.prefixes, marker)...)
		if s.bind {
			bind(t, sub, ep)
		} else {
			connect(t, sub, ep)
		}
		socks = append(socks, sub)
	}
	connect(t, pub, ep)
	if got := pub.LastEndpoint(); got != ep {
		t.Fatalf("LastEndpoint = %q, want %q", got, ep)
	}
	big := bytes.Repeat([]byte("0123456789"), 500) // spans many 200-byte datagrams
	sent := [][][]byte{
		strFrames("a", "one"),
		strFrames("b"),
		{[]byte("big"), big, nil, big[:7]},
		strFrames("c", "", "three"),
		{nil},
		strFrames("ab", "two"),
		strFrames(marker),
	}
	for _, m := range sent {
		send(t, pub, m...)
	}
	for i, s := range subs {
		for _, m := range sent {
			if !matchesAny(m[0], s.prefixes) && string(m[0]) != marker {
				continue
			}
			expectRecv(t, socks[i], m...)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if m, err := socks[i].Recv(ctx); !errors.Is(err, zmq.ErrAgain) {
			t.Fatalf("SUB %v: after the marker got %s, %v; want nothing", s.prefixes, fmtFrames(m.Frames), err)
		}
	}
}

func matchesAny(topic []byte, prefixes []string) bool {
	for _, p := range prefixes {
		if bytes.HasPrefix(topic, []byte(p)) {
			return true
		}
	}
	return false
}

func TestMulticastXPubXSub(t *testing.T) {
	_, ep := memcastGroup()
	xsub := newSocket(t, zmq.XSUB)
	connect(t, xsub, ep)
	xpub := newSocket(t, zmq.XPUB)
	bind(t, xpub, ep)
	// Nothing travels upstream: the subscription and the message go nowhere, without blocking.
	send(t, xsub, []byte("\x01a"))
	send(t, xsub, []byte("upstream"))
	// XSUB filters nothing; XPUB sends everything to the group (subscribed to all, as libzmq).
	sendString(t, xpub, "b", "x")
	sendString(t, xpub, "a")
	expectRecvString(t, xsub, "b", "x")
	expectRecvString(t, xsub, "a")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if m, err := xpub.Recv(ctx); !errors.Is(err, zmq.ErrAgain) {
		t.Fatalf("XPUB received %s, %v; want nothing", fmtFrames(m.Frames), err)
	}
}

func TestMulticastRefusesOtherTypes(t *testing.T) {
	_, ep := memcastGroup()
	for _, typ := range []zmq.Type{zmq.PAIR, zmq.REQ, zmq.REP, zmq.DEALER, zmq.ROUTER, zmq.PUSH, zmq.PULL, zmq.STREAM} {
		s := newSocket(t, typ)
		for op, f := range map[string]func(string) error{"Bind": s.Bind, "Connect": s.Connect} {
			err := f(ep)
			if !errors.Is(err, zmq.ErrIncompatibleTransport) || !errors.Is(err, zmq.ErrTransportNotSupported) {
				t.Errorf("%v %s(%q) = %v, want ErrIncompatibleTransport", typ, op, ep, err)
			}
		}
	}
}

func TestMulticastEndpointErrors(t *testing.T) {
	gp, ep := memcastGroup()
	s := newSocket(t, zmq.SUB)
	for _, bad := range []string{
		"memcast://lo;10.0.0.1:5555",        // not a multicast group
		"memcast://lo;239.1.1.1:0",          // no port
		"memcast://lo;239.1.1.1",            // no port at all
		"memcast://lo;group.example.com:80", // names are not resolved
		"memcast://lo;[ff02::1%lo]:80",      // no zone
	} {
		if err := s.Connect(bad); !errors.Is(err, zmq.ErrEndpoint) {
			t.Errorf("Connect(%q) = %v, want ErrEndpoint", bad, err)
		}
	}
	if err := s.Connect("memcast://down;" + gp); !errors.Is(err, memcast.ErrDown) {
		t.Errorf("Connect to an interface that cannot open = %v, want its error", err)
	}
	// As libzmq, the interface may be left to the system.
	for _, ok := range []string{"memcast://" + gp, "memcast://;" + gp} {
		connect(t, s, ok)
		if err := s.Disconnect(ok); err != nil {
			t.Errorf("Disconnect(%q) = %v", ok, err)
		}
	}
	connect(t, s, ep)
	if err := s.Connect(ep); !errors.Is(err, zmq.ErrAddrInUse) {
		t.Errorf("a second Connect(%q) = %v, want ErrAddrInUse", ep, err)
	}
	if err := s.Disconnect(ep); err != nil {
		t.Errorf("Disconnect(%q) = %v", ep, err)
	}
	if err := s.Unbind(ep); !errors.Is(err, zmq.ErrNotFound) {
		t.Errorf("Unbind(%q) after Disconnect = %v, want ErrNotFound", ep, err)
	}
	bind(t, s, ep)
	if err := s.Unbind(ep); err != nil {
		t.Errorf("Unbind(%q) = %v", ep, err)
	}
}

// TestMulticastDisconnect: a SUB that leaves the group hears nothing more, and a PUB that
// leaves it sends nothing more; the others go on.
func TestMulticastDisconnect(t *testing.T) {
	_, ep := memcastGroup()
	pub := newSocket(t, zmq.PUB)
	connect(t, pub, ep)
	gone, stays := newSocket(t, zmq.SUB), newSocket(t, zmq.SUB)
	for _, s := range []*zmq.Socket{gone, stays} {
		subscribe(t, s, "")
		connect(t, s, ep)
	}
	sendString(t, pub, "1")
	expectRecvString(t, gone, "1")
	expectRecvString(t, stays, "1")
	if err := gone.Disconnect(ep); err != nil {
		t.Fatal(err)
	}
	sendString(t, pub, "2")
	expectRecvString(t, stays, "2")
	expectNoMsg(t, gone, waitShort)

	pub2 := newSocket(t, zmq.PUB)
	connect(t, pub2, ep)
	if err := pub.Disconnect(ep); err != nil {
		t.Fatal(err)
	}
	sendString(t, pub, "from the one gone") // no pipe: dropped, as a PUB with no peer does
	sendString(t, pub2, "3")
	expectRecvString(t, stays, "3")
}

// TestMulticastLinger: what a PUB queued before Close still goes out while it lingers.
func TestMulticastLinger(t *testing.T) {
	_, ep := memcastGroup()
	sub := newSocket(t, zmq.SUB, zmq.WithRecvHWM(0))
	subscribe(t, sub, "")
	connect(t, sub, ep)
	pub, err := zmq.NewSocket(zmq.PUB, zmq.WithLinger(waitLong), zmq.WithSendHWM(0))
	if err != nil {
		t.Fatal(err)
	}
	connect(t, pub, ep)
	const n = 2000
	for i := range n {
		sendString(t, pub, fmt.Sprint(i))
	}
	if err := pub.Close(); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		expectRecvString(t, sub, fmt.Sprint(i))
	}
}

// TestMulticastLoss: a SUB that misses datagrams loses the messages they carried, whole, and
// goes on with the next message that starts in a datagram it has: never a torn or invented one.
func TestMulticastLoss(t *testing.T) {
	gp, ep := memcastGroup()
	// The messages below take at least 295 datagrams (26,550 bytes of frames, 90 bytes of
	// each): the loss ends well before the last of them and the marker.
	const lossy = 100
	memcast.Drop(gp, 5, lossy)
	pub := newSocket(t, zmq.PUB, zmq.WithMulticastMaxTPDU(100))
	sub := newSocket(t, zmq.SUB, zmq.WithRecvHWM(0))
	subscribe(t, sub, "")
	connect(t, sub, ep)
	connect(t, pub, ep)
	const n = 300
	for i := range n {
		sendString(t, pub, fmt.Sprintf("%04d", i), string(bytes.Repeat([]byte{byte('a' + i%26)}, i%150)))
	}
	sendString(t, pub, marker)
	last, got := -1, 0
	for {
		m := recvWithin(t, sub, waitLong)
		if string(m.Frames[0]) == marker {
			break
		}
		var i int
		if _, err := fmt.Sscanf(string(m.Frames[0]), "%04d", &i); err != nil || i <= last || i >= n || len(m.Frames) != 2 ||
			!bytes.Equal(m.Frames[1], bytes.Repeat([]byte{byte('a' + i%26)}, i%150)) {
			t.Fatalf("after message %d received %s", last, fmtFrames(m.Frames))
		}
		last = i
		got++
	}
	if got == 0 || got == n {
		t.Fatalf("received %d of %d messages with a fifth of the first %d datagrams lost", got, n, lossy)
	}
	t.Logf("received %d of %d messages", got, n)
}
