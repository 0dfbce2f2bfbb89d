package engine

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/purezmq/zmq/internal/mechanism"
	"github.com/purezmq/zmq/internal/pipe"
	"golang.org/x/crypto/nacl/box"
)

// handshakeSecured is handshakeBoth, closing each side's connection when its handshake fails,
// as the socket does, so the other side learns of it at once.
func handshakeSecured(t *testing.T, a, b Config) (result, result) {
	t.Helper()
	ca, cb := connPair(t)
	done := make(chan result, 1)
	go func() {
		c, p, err := Handshake(cb, b)
		if err != nil {
			cb.Close()
		}
		done <- result{c, p, err}
	}()
	c, p, err := Handshake(ca, a)
	if err != nil {
		ca.Close()
	}
	return result{c, p, err}, <-done
}

func secured(socketType string, sec mechanism.Config) Config {
	c := cfg(socketType)
	c.Security = sec
	return c
}

type keyPair struct{ pub, sec [32]byte }

func newKeyPair(t *testing.T) keyPair {
	t.Helper()
	p, s, err := box.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return keyPair{*p, *s}
}

func curveServerCfg(k keyPair) mechanism.Config {
	return mechanism.Config{Mechanism: mechanism.Curve, Server: true, PublicKey: k.pub, SecretKey: k.sec}
}

func curveClientCfg(k keyPair, server [32]byte) mechanism.Config {
	return mechanism.Config{Mechanism: mechanism.Curve, PublicKey: k.pub, SecretKey: k.sec, ServerKey: server}
}

// exchange runs both connections and checks that messages of every shape, and a PING's PONG,
// pass both ways.
func exchange(t *testing.T, a, b result) {
	t.Helper()
	if a.err != nil || b.err != nil {
		t.Fatal(a.err, b.err)
	}
	ra, rb := run(a.c, 2), run(b.c, 2)
	passShapes(t, ra, rb, []pipe.Msg{
		{[]byte("one")},
		{{}, []byte("after empty"), {}},
		{bytes.Repeat([]byte("z"), 1<<20)},
		{bytes.Repeat([]byte("w"), 70000), []byte("tail")},
	})
	close(ra.quit)
	<-ra.done
	<-rb.done
}

func TestPlainHandshakeAndTraffic(t *testing.T) {
	client := secured("DEALER", mechanism.Config{Mechanism: mechanism.Plain, Username: []byte("admin"), Password: []byte("secret")})
	client.Identity, client.AnnounceIdentity = []byte("id-1"), true
	a, b := handshakeSecured(t, client, secured("ROUTER", mechanism.Config{Mechanism: mechanism.Plain, Server: true}))
	if b.err == nil && (b.peer.SocketType != "DEALER" || string(b.peer.Identity) != "id-1") {
		t.Fatalf("server learned %q %q from INITIATE", b.peer.SocketType, b.peer.Identity)
	}
	if a.err == nil && a.peer.SocketType != "ROUTER" {
		t.Fatalf("client learned %q from READY", a.peer.SocketType)
	}
	exchange(t, a, b)
}

func TestCurveHandshakeAndTraffic(t *testing.T) {
	sk, ck := newKeyPair(t), newKeyPair(t)
	client := secured("DEALER", curveClientCfg(ck, sk.pub))
	client.Identity, client.AnnounceIdentity = []byte("id-2"), true
	a, b := handshakeSecured(t, client, secured("ROUTER", curveServerCfg(sk)))
	if b.err == nil && (b.peer.SocketType != "DEALER" || string(b.peer.Identity) != "id-2") {
		t.Fatalf("server learned %q %q from INITIATE", b.peer.SocketType, b.peer.Identity)
	}
	if a.err == nil && (a.peer.SocketType != "ROUTER" || a.c.codec == nil) {
		t.Fatalf("client learned %q from READY, codec %v", a.peer.SocketType, a.c.codec)
	}
	exchange(t, a, b)
}

// TestCurveFramesKeepTheirBytes sends many frames of sizes on both sides of the slab limit
// under CURVE, all queued before the first is received: the codec opens each into a buffer it
// reuses, so a frame delivered without its own copy would show another's bytes.
func TestCurveFramesKeepTheirBytes(t *testing.T) {
	sk, ck := newKeyPair(t), newKeyPair(t)
	a, b := handshakeSecured(t, secured("DEALER", curveClientCfg(ck, sk.pub)), secured("ROUTER", curveServerCfg(sk)))
	if a.err != nil || b.err != nil {
		t.Fatal(a.err, b.err)
	}
	ra, rb := run(a.c, 1000), run(b.c, 1000)
	var shapes []pipe.Msg
	for i := range 300 {
		size := (i * 997) % (3 * smallBody)
		shapes = append(shapes, pipe.Msg{bytes.Repeat([]byte{byte(i)}, size), []byte{byte(i), byte(i >> 8)}})
	}
	passShapes(t, ra, rb, shapes)
	close(ra.quit)
	<-ra.done
	<-rb.done
}

func TestCurveWrongServerKeyRefused(t *testing.T) {
	sk, ck, other := newKeyPair(t), newKeyPair(t), newKeyPair(t)
	a, b := handshakeSecured(t, secured("DEALER", curveClientCfg(ck, other.pub)), secured("ROUTER", curveServerCfg(sk)))
	if a.err == nil || b.err == nil {
		t.Fatalf("handshake with the wrong server key: client %v, server %v", a.err, b.err)
	}
	if !errors.Is(b.err, ErrAuth) {
		t.Fatalf("server: %v, want ErrAuth", b.err)
	}
}

func TestCurveWrongClientSecretRefused(t *testing.T) {
	// The client claims a public key whose secret it does not hold: the vouch does not open.
	sk, ck, other := newKeyPair(t), newKeyPair(t), newKeyPair(t)
	bad := curveClientCfg(ck, sk.pub)
	bad.SecretKey = other.sec
	a, b := handshakeSecured(t, secured("DEALER", bad), secured("ROUTER", curveServerCfg(sk)))
	if a.err == nil || !errors.Is(b.err, ErrAuth) {
		t.Fatalf("client %v, server %v; want both to fail, the server with ErrAuth", a.err, b.err)
	}
}

func TestMechanismMismatchRefused(t *testing.T) {
	sk := newKeyPair(t)
	cases := []struct {
		name string
		a, b mechanism.Config
	}{
		{"NULL-PLAIN", mechanism.Config{}, mechanism.Config{Mechanism: mechanism.Plain, Server: true}},
		{"PLAIN-CURVE", mechanism.Config{Mechanism: mechanism.Plain}, curveServerCfg(sk)},
		{"NULL-CURVE", mechanism.Config{}, curveServerCfg(sk)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, b := handshakeSecured(t, secured("PAIR", tc.a), secured("PAIR", tc.b))
			if !errors.Is(a.err, ErrMechanism) || !errors.Is(b.err, ErrMechanism) {
				t.Fatalf("got %v and %v, want ErrMechanism on both sides", a.err, b.err)
			}
		})
	}
}
