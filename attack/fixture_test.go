package attack_test

import (
	"context"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/auth"
	"github.com/purezmq/zmq/curve"
	"github.com/purezmq/zmq/internal/rawzmtp"
	"github.com/purezmq/zmq/zmtp"
)

const (
	ioTimeout = 10 * time.Second // bounds every wait; only a broken build waits that long
	// quiet is how long a Recv must stay empty to show that nothing arrived. It is used only
	// where no event can prove it (a handshake that must not complete).
	quiet = 300 * time.Millisecond
)

func keys(t *testing.T) (rawzmtp.Key, rawzmtp.Key) {
	t.Helper()
	pub, sec, err := curve.GenerateKeyPair(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return pub, sec
}

// server is the target: a socket bound on loopback tcp in a context of its own, watched by a
// monitor from before its first connection.
type server struct {
	sock   *zmq.Socket
	ep     string
	events <-chan zmq.Event
}

func newServer(t *testing.T, zc *zmq.Context, typ zmq.Type, opts ...zmq.Option) *server {
	t.Helper()
	s, err := zc.NewSocket(typ, append([]zmq.Option{zmq.WithLinger(0)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	events, stop := s.Monitor(zmq.EventAll)
	t.Cleanup(stop)
	if err := s.Bind("tcp://127.0.0.1:*"); err != nil {
		t.Fatal(err)
	}
	return &server{sock: s, ep: s.LastEndpoint(), events: events}
}

func newContext(t *testing.T) *zmq.Context {
	t.Helper()
	zc := zmq.NewContext()
	t.Cleanup(func() { zc.Close() })
	return zc
}

// curveTarget is a CURVE server whose authenticator lets in exactly one client key, the
// victim's; the attacker knows the public keys only.
type curveTarget struct {
	*server
	zc                   *zmq.Context
	serverPub, serverSec rawzmtp.Key
	victimPub, victimSec rawzmtp.Key
}

func newCurveTarget(t *testing.T, typ zmq.Type, opts ...zmq.Option) *curveTarget {
	t.Helper()
	ct := &curveTarget{zc: newContext(t)}
	ct.serverPub, ct.serverSec = keys(t)
	ct.victimPub, ct.victimSec = keys(t)
	a := auth.New()
	a.AllowCurveKeys(ct.victimPub)
	if err := a.Start(ct.zc); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	opts = append([]zmq.Option{zmq.WithCurveServer(true), zmq.WithCurvePublicKey(ct.serverPub), zmq.WithCurveSecretKey(ct.serverSec)}, opts...)
	ct.server = newServer(t, ct.zc, typ, opts...)
	return ct
}

// victim is an honest purezmq client of the target holding the allowed key.
func (ct *curveTarget) victim(t *testing.T, typ zmq.Type) *zmq.Socket {
	t.Helper()
	c, err := ct.zc.NewSocket(typ, zmq.WithLinger(0), zmq.WithCurveServerKey(ct.serverPub),
		zmq.WithCurvePublicKey(ct.victimPub), zmq.WithCurveSecretKey(ct.victimSec))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// dial opens a raw connection to the server and greets it with mechanism.
func (s *server) dial(t *testing.T, mechanism string) *rawzmtp.Peer {
	t.Helper()
	p, err := rawzmtp.Dial(s.ep)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	if _, err := p.Greet(mechanism, false); err != nil {
		t.Fatal("greeting:", err)
	}
	return p
}

// outcome waits for the handshake event of the connection from peer (HANDSHAKE_SUCCEEDED or
// one of the HANDSHAKE_FAILED_*), skipping the events of other connections.
func (s *server) outcome(t *testing.T, peer *rawzmtp.Peer) zmq.Event {
	t.Helper()
	return awaitOutcome(t, s.events, "tcp://"+peer.C.LocalAddr().String())
}

const handshakeEvents = zmq.EventHandshakeSucceeded | zmq.EventHandshakeFailedNoDetail |
	zmq.EventHandshakeFailedProtocol | zmq.EventHandshakeFailedAuth

func awaitOutcome(t *testing.T, events <-chan zmq.Event, peerAddr string) zmq.Event {
	t.Helper()
	timer := time.NewTimer(ioTimeout)
	defer timer.Stop()
	for {
		select {
		case e, ok := <-events:
			if !ok {
				t.Fatal("the monitor stopped before the handshake ended")
			}
			if e.Type&handshakeEvents != 0 && (peerAddr == "" || e.PeerAddr == peerAddr) {
				return e
			}
		case <-timer.C:
			t.Fatalf("no handshake event for %s within %v", peerAddr, ioTimeout)
		}
	}
}

// refusedWith checks that the connection from peer failed its handshake with event type typ
// and value, and that the server then closed it without a word more.
func (s *server) refusedWith(t *testing.T, peer *rawzmtp.Peer, typ zmq.EventType, value int) {
	t.Helper()
	e := s.outcome(t, peer)
	if e.Type != typ || e.Value != value {
		t.Fatalf("handshake ended with %v (value %#x), want %v (value %#x)", e, e.Value, typ, value)
	}
}

// nothingQueued checks that no message waits to be received: used once an event has proved that
// the attacker's connection is gone, so anything it could have delivered would be queued.
func nothingQueued(t *testing.T, s *zmq.Socket) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if m, err := s.Recv(ctx); err == nil {
		t.Fatalf("a message was delivered: %q", m.Frames)
	}
}

// recv receives one message within ioTimeout.
func recv(t *testing.T, s *zmq.Socket) zmq.Msg {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
	defer cancel()
	m, err := s.Recv(ctx)
	if err != nil {
		t.Fatal("Recv:", err)
	}
	return m
}

// nothingWithin checks that no message arrives for quiet: for a handshake that must not even
// end, where no event can prove that nothing is coming.
func nothingWithin(t *testing.T, s *zmq.Socket) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), quiet)
	defer cancel()
	if m, err := s.Recv(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Recv = %q, %v; want nothing", m.Frames, err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func contextIO() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), ioTimeout)
}

// blind writes what the attacker sends after the step the server must refuse: the server may
// hang up before it arrives, so a failed write is no failure of the test.
func blind(p *rawzmtp.Peer, frame []byte) { _ = p.Write(frame) }

// pushMeta is the metadata a PUSH client announces.
var pushMeta = zmtp.Metadata{{Name: zmtp.PropSocketType, Value: []byte("PUSH")}}

// welcome sends c's HELLO on p and opens the server's WELCOME.
func welcome(t *testing.T, p *rawzmtp.Peer, c *rawzmtp.CurveClient) {
	t.Helper()
	must(t, p.Write(c.Hello()))
	w, err := p.Expect(zmtp.CmdWelcome)
	must(t, err)
	must(t, c.OpenWelcome(w))
}
