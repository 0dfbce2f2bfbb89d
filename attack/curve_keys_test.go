package attack_test

import (
	"errors"
	"fmt"
	"net"
	"testing"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/internal/rawzmtp"
	"github.com/purezmq/zmq/zmtp"
)

// TestLowOrderClientTransient: a HELLO whose C' is a low-order point has a box key everybody
// knows (HSalsa20 of zero), so it opens without knowing anything. The server must refuse it
// before answering with a WELCOME.
func TestLowOrderClientTransient(t *testing.T) {
	for i, low := range rawzmtp.LowOrder {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			ct := newCurveTarget(t, zmq.PULL)
			p := ct.dial(t, "CURVE")
			c := rawzmtp.NewCurveClient(ct.serverPub, ct.victimPub, rawzmtp.Key{})
			c.TPublic = low
			_, any := rawzmtp.KeyPair()
			blind(p, c.HelloBoxedWith(rawzmtp.BoxKey(low, any)))
			if err := p.Closed(); err != nil {
				t.Fatal("after a low-order HELLO:", err)
			}
			ct.refusedWith(t, p, zmq.EventHandshakeFailedProtocol, zmq.ProtocolErrorZMTPCryptographic)
		})
	}
}

// TestLowOrderClientKey: an INITIATE claiming a low-order long-term key C with a vouch sealed
// under the public box key. Nobody holds such a key; the server must refuse it itself, before
// any ZAP handler is asked.
func TestLowOrderClientKey(t *testing.T) {
	for i, low := range rawzmtp.LowOrder[:2] {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			ct := newCurveTarget(t, zmq.PULL)
			p := ct.dial(t, "CURVE")
			c := rawzmtp.NewCurveClient(ct.serverPub, low, rawzmtp.Key{})
			welcome(t, p, c)
			_, any := rawzmtp.KeyPair()
			vouch := rawzmtp.Vouch(any, low, c.TPublic, c.Server) // box key HSalsa20(0)
			blind(p, c.Initiate(c.CookieEcho, low, vouch, pushMeta))
			ct.refusedWith(t, p, zmq.EventHandshakeFailedProtocol, zmq.ProtocolErrorZMTPCryptographic)
			nothingQueued(t, ct.sock)
		})
	}
}

// TestForgedVouch: vouches that do not bind this connection to the key claimed.
func TestForgedVouch(t *testing.T) {
	otherPub, _ := rawzmtp.KeyPair()
	attackerPub, attackerSec := rawzmtp.KeyPair()
	cases := []struct {
		name  string
		code  int
		build func(ct *curveTarget, c *rawzmtp.CurveClient) (claimed rawzmtp.Key, vouch []byte)
	}{
		{"victim's key, vouch sealed by the attacker's", zmq.ProtocolErrorZMTPCryptographic,
			func(ct *curveTarget, c *rawzmtp.CurveClient) (rawzmtp.Key, []byte) {
				return ct.victimPub, rawzmtp.Vouch(attackerSec, c.ServerT, c.TPublic, ct.serverPub)
			}},
		{"vouch naming another transient key", zmq.ProtocolErrorZMTPKeyExchange,
			func(ct *curveTarget, c *rawzmtp.CurveClient) (rawzmtp.Key, []byte) {
				return ct.victimPub, rawzmtp.Vouch(ct.victimSec, c.ServerT, otherPub, ct.serverPub)
			}},
		{"vouch naming another server", zmq.ProtocolErrorZMTPKeyExchange,
			func(ct *curveTarget, c *rawzmtp.CurveClient) (rawzmtp.Key, []byte) {
				return ct.victimPub, rawzmtp.Vouch(ct.victimSec, c.ServerT, c.TPublic, otherPub)
			}},
		{"attacker's own vouch for the victim's key", zmq.ProtocolErrorZMTPCryptographic,
			func(ct *curveTarget, c *rawzmtp.CurveClient) (rawzmtp.Key, []byte) {
				return ct.victimPub, rawzmtp.Vouch(attackerSec, c.ServerT, c.TPublic, attackerPub)
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ct := newCurveTarget(t, zmq.PULL)
			p := ct.dial(t, "CURVE")
			c := rawzmtp.NewCurveClient(ct.serverPub, attackerPub, attackerSec)
			welcome(t, p, c)
			claimed, vouch := tc.build(ct, c)
			blind(p, c.Initiate(c.CookieEcho, claimed, vouch, pushMeta))
			blind(p, c.Message(false, []byte("as the victim")))
			ct.refusedWith(t, p, zmq.EventHandshakeFailedProtocol, tc.code)
			nothingQueued(t, ct.sock)
		})
	}
}

// TestBadHelloVersion: libzmq takes CurveZMQ 1.0 only.
func TestBadHelloVersion(t *testing.T) {
	for _, v := range [][2]byte{{1, 1}, {2, 0}, {0, 9}} {
		t.Run(fmt.Sprintf("%d.%d", v[0], v[1]), func(t *testing.T) {
			ct := newCurveTarget(t, zmq.PULL)
			p := ct.dial(t, "CURVE")
			hello := rawzmtp.NewCurveClient(ct.serverPub, ct.victimPub, ct.victimSec).Hello()
			at := len(hello) - 194 // the version bytes open HELLO's data
			hello[at], hello[at+1] = v[0], v[1]
			blind(p, hello)
			if err := p.Closed(); err != nil {
				t.Fatal(err)
			}
			ct.refusedWith(t, p, zmq.EventHandshakeFailedProtocol, zmq.ProtocolErrorZMTPMalformedHello)
		})
	}
}

// rogueServer accepts one purezmq client and plays the server with the real server keys as far
// as welcome says, reporting what the client did next.
func rogueServer(t *testing.T, serverPub, serverSec rawzmtp.Key, welcome func(*rawzmtp.CurveServer) []byte) (ep string, result <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	t.Cleanup(func() { ln.Close() })
	done := make(chan error, 1)
	go func() {
		nc, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		p := rawzmtp.New(nc)
		defer p.Close()
		if _, err := p.Greet("CURVE", true); err != nil {
			done <- err
			return
		}
		s := &rawzmtp.CurveServer{Public: serverPub, Secret: serverSec}
		hello, err := p.Expect(zmtp.CmdHello)
		if err == nil {
			_ = s.OpenHello(hello) // an impostor cannot open it, and goes on all the same
		}
		if err == nil {
			err = p.Write(welcome(s))
		}
		if err == nil {
			err = p.Closed() // the client must hang up, not INITIATE
		}
		done <- err
	}()
	return "tcp://" + ln.Addr().String(), done
}

// TestRogueServerLowOrderTransient: a WELCOME announcing a low-order S' would make the
// client's INITIATE and every MESSAGE readable by anyone. The client must hang up instead of
// sending its vouch.
func TestRogueServerLowOrderTransient(t *testing.T) {
	for i, low := range rawzmtp.LowOrder[1:] { // zero means "draw one" to Welcome
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			spub, ssec := keys(t)
			ep, result := rogueServer(t, spub, ssec, func(s *rawzmtp.CurveServer) []byte { return s.Welcome(low) })
			clientRefuses(t, spub, ep, result)
		})
	}
}

// TestImpostorServer: a server without the secret key behind the client's server key cannot
// seal a WELCOME the client opens.
func TestImpostorServer(t *testing.T) {
	spub, _ := keys(t)
	ipub, isec := keys(t)
	ep, result := rogueServer(t, ipub, isec, func(s *rawzmtp.CurveServer) []byte { return s.Welcome(rawzmtp.Key{}) })
	clientRefuses(t, spub, ep, result)
}

// clientRefuses connects a purezmq CURVE client expecting server key spub to ep and checks that
// it ends the handshake after WELCOME with a cryptographic protocol error.
func clientRefuses(t *testing.T, spub rawzmtp.Key, ep string, result <-chan error) {
	t.Helper()
	cpub, csec := keys(t)
	c, err := zmq.NewSocket(zmq.PUSH, zmq.WithLinger(0), zmq.WithReconnectIvl(-1),
		zmq.WithCurveServerKey(spub), zmq.WithCurvePublicKey(cpub), zmq.WithCurveSecretKey(csec))
	must(t, err)
	defer c.Close()
	events, stop := c.Monitor(zmq.EventAll)
	defer stop()
	must(t, c.Connect(ep))
	if err := <-result; err != nil {
		t.Fatal("the client went on after a bad WELCOME:", err)
	}
	e := awaitOutcome(t, events, "")
	if e.Type != zmq.EventHandshakeFailedProtocol || e.Value != zmq.ProtocolErrorZMTPCryptographic {
		t.Fatalf("client handshake ended with %v (value %#x)", e, e.Value)
	}
}

// TestCurveConfigRefused: configurations that would make a handshake unsafe or doomed are
// refused when the socket is made, before any connection: no HELLO can leave with them.
func TestCurveConfigRefused(t *testing.T) {
	spub, ssec := keys(t)
	cpub, csec := keys(t)
	cases := map[string][]zmq.Option{
		"client without server key":     {zmq.WithCurvePublicKey(cpub), zmq.WithCurveSecretKey(csec)},
		"client without secret key":     {zmq.WithCurveServerKey(spub), zmq.WithCurvePublicKey(cpub)},
		"client public key not its own": {zmq.WithCurveServerKey(spub), zmq.WithCurvePublicKey(spub), zmq.WithCurveSecretKey(csec)},
		"server without secret key":     {zmq.WithCurveServer(true), zmq.WithCurvePublicKey(spub)},
		"server public key not its own": {zmq.WithCurveServer(true), zmq.WithCurvePublicKey(cpub), zmq.WithCurveSecretKey(ssec)},
	}
	for i, low := range rawzmtp.LowOrder {
		cases[fmt.Sprintf("client with low-order server key %d", i)] =
			[]zmq.Option{zmq.WithCurveServerKey(low), zmq.WithCurvePublicKey(cpub), zmq.WithCurveSecretKey(csec)}
	}
	for name, opts := range cases {
		t.Run(name, func(t *testing.T) {
			s, err := zmq.NewSocket(zmq.DEALER, opts...)
			if err == nil {
				s.Close()
				t.Fatal("NewSocket accepted the configuration")
			}
			if !errors.Is(err, zmq.ErrOption) {
				t.Fatalf("NewSocket: %v, want ErrOption", err)
			}
		})
	}
}

// TestSecretKeyOnlyServer: libzmq needs only a server's secret key; so does this.
func TestSecretKeyOnlyServer(t *testing.T) {
	ct := &curveTarget{zc: newContext(t)}
	ct.serverPub, ct.serverSec = keys(t)
	ct.victimPub, ct.victimSec = keys(t)
	ct.server = newServer(t, ct.zc, zmq.PULL, zmq.WithCurveServer(true), zmq.WithCurveSecretKey(ct.serverSec))
	v := ct.victim(t, zmq.PUSH)
	must(t, v.Connect(ct.ep))
	ctx, cancel := contextIO()
	defer cancel()
	must(t, v.Send(ctx, zmq.NewMsgString("hello")))
	expectMsg(t, ct.sock, "hello")
}
