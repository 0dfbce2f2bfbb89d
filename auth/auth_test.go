package auth_test

import (
	"context"
	"crypto/rand"
	"errors"
	"path/filepath"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/auth"
	"github.com/purezmq/zmq/curve"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// setup returns a context with a running authenticator, closed at the end of the test.
func setup(t *testing.T) (*zmq.Context, *auth.Authenticator) {
	t.Helper()
	ctx := zmq.NewContext()
	a := auth.New()
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a.Close()
		ctx.Close()
	})
	return ctx, a
}

func sock(t *testing.T, ctx *zmq.Context, typ zmq.Type, opts ...zmq.Option) *zmq.Socket {
	t.Helper()
	s, err := ctx.NewSocket(typ, append([]zmq.Option{zmq.WithLinger(0), zmq.WithReconnectIvl(20 * time.Millisecond)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// deliver sends one message from a PUSH with clientOpts to a PULL with serverOpts over tcp and
// returns what arrived (ok false when nothing did within wait).
func deliver(t *testing.T, ctx *zmq.Context, serverOpts, clientOpts []zmq.Option, wait time.Duration) (zmq.Msg, bool) {
	t.Helper()
	pull := sock(t, ctx, zmq.PULL, serverOpts...)
	if err := pull.Bind("tcp://127.0.0.1:*"); err != nil {
		t.Fatal(err)
	}
	push := sock(t, ctx, zmq.PUSH, clientOpts...)
	if err := push.Connect(pull.LastEndpoint()); err != nil {
		t.Fatal(err)
	}
	c, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	// A refused PUSH may drop the endpoint before the message is queued: Send then times out.
	if err := push.Send(c, zmq.NewMsgString("hello")); errors.Is(err, context.DeadlineExceeded) {
		return zmq.Msg{}, false
	} else if err != nil {
		t.Fatal(err)
	}
	m, err := pull.Recv(c)
	if errors.Is(err, context.DeadlineExceeded) {
		return zmq.Msg{}, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return m, true
}

func keyPair(t *testing.T) (curve.PublicKey, curve.SecretKey) {
	t.Helper()
	p, s, err := curve.GenerateKeyPair(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return p, s
}

func TestPlainPasswords(t *testing.T) {
	ctx, a := setup(t)
	a.SetPassword("admin", "secret")
	server := []zmq.Option{zmq.WithPlainServer(true), zmq.WithZAPDomain("test")}
	m, ok := deliver(t, ctx, server, []zmq.Option{zmq.WithPlainUsername("admin"), zmq.WithPlainPassword("secret")}, 5*time.Second)
	if !ok {
		t.Fatal("the right password was refused")
	}
	if u, _ := m.Property("User-Id"); u != "admin" {
		t.Fatalf("User-Id %q, want admin", u)
	}
	for _, creds := range [][2]string{{"admin", "guess"}, {"nobody", "secret"}} {
		if _, ok := deliver(t, ctx, server, []zmq.Option{zmq.WithPlainUsername(creds[0]), zmq.WithPlainPassword(creds[1])}, 500*time.Millisecond); ok {
			t.Fatalf("%s/%s was let in", creds[0], creds[1])
		}
	}
}

func TestCurveKeys(t *testing.T) {
	ctx, a := setup(t)
	spub, ssec := keyPair(t)
	good, goodSec := keyPair(t)
	bad, badSec := keyPair(t)
	a.AllowCurveKeys(good)
	server := []zmq.Option{zmq.WithCurveServer(true), zmq.WithCurvePublicKey(spub), zmq.WithCurveSecretKey(ssec)}
	client := func(p curve.PublicKey, s curve.SecretKey) []zmq.Option {
		return []zmq.Option{zmq.WithCurveServerKey(spub), zmq.WithCurvePublicKey(p), zmq.WithCurveSecretKey(s)}
	}
	m, ok := deliver(t, ctx, server, client(good, goodSec), 5*time.Second)
	if !ok {
		t.Fatal("an allowed key was refused")
	}
	if u, _ := m.Property("User-Id"); u != good.Z85() {
		t.Fatalf("User-Id %q, want the client key %s", u, good.Z85())
	}
	if _, ok := deliver(t, ctx, server, client(bad, badSec), 500*time.Millisecond); ok {
		t.Fatal("an unknown key was let in")
	}
	a.AllowAnyCurve(true)
	if _, ok := deliver(t, ctx, server, client(bad, badSec), 5*time.Second); !ok {
		t.Fatal("AllowAnyCurve refused a key")
	}
}

func TestCurveDirectory(t *testing.T) {
	ctx, a := setup(t)
	spub, ssec := keyPair(t)
	cert, err := curve.NewCertificate(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := cert.SavePublic(filepath.Join(dir, "client.key")); err != nil {
		t.Fatal(err)
	}
	if err := a.AllowCurveDirectory(dir); err != nil {
		t.Fatal(err)
	}
	_, ok := deliver(t, ctx,
		[]zmq.Option{zmq.WithCurveServer(true), zmq.WithCurvePublicKey(spub), zmq.WithCurveSecretKey(ssec)},
		[]zmq.Option{zmq.WithCurveServerKey(spub), zmq.WithCurvePublicKey(cert.Public), zmq.WithCurveSecretKey(*cert.Secret)},
		5*time.Second)
	if !ok {
		t.Fatal("a key from the certificate directory was refused")
	}
}

func TestAddressPolicy(t *testing.T) {
	ctx, a := setup(t)
	a.SetPassword("u", "p")
	server := []zmq.Option{zmq.WithPlainServer(true)}
	client := []zmq.Option{zmq.WithPlainUsername("u"), zmq.WithPlainPassword("p")}
	a.Deny("127.0.0.1")
	if _, ok := deliver(t, ctx, server, client, 500*time.Millisecond); ok {
		t.Fatal("a denied address was let in")
	}
	ctx2, b := setup(t)
	b.SetPassword("u", "p")
	b.Allow("10.1.2.3")
	if _, ok := deliver(t, ctx2, server, client, 500*time.Millisecond); ok {
		t.Fatal("an address off the allow list was let in")
	}
	b.Allow("127.0.0.1")
	if _, ok := deliver(t, ctx2, server, client, 5*time.Second); !ok {
		t.Fatal("an allowed address was refused")
	}
}

// TestRawZAPHandler serves the ZAP protocol by hand, as any libzmq-style handler does, and
// checks the request's fields and that the reply's user id and metadata reach the message.
func TestRawZAPHandler(t *testing.T) {
	ctx := zmq.NewContext()
	defer ctx.Close()
	h := sock(t, ctx, zmq.REP)
	if err := h.Bind(auth.Endpoint); err != nil {
		t.Fatal(err)
	}
	got := make(chan [][]byte, 1)
	go func() {
		c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, err := h.Recv(c)
		if err != nil {
			got <- nil
			return
		}
		got <- req.Frames
		meta := []byte{6, 'T', 'e', 'n', 'a', 'n', 't', 0, 0, 0, 4, 'a', 'c', 'm', 'e'}
		_ = h.Send(c, zmq.NewMsg([]byte("1.0"), req.Frames[1], []byte("200"), []byte("OK"), []byte("alice"), meta))
	}()
	m, ok := deliver(t, ctx,
		[]zmq.Option{zmq.WithPlainServer(true), zmq.WithZAPDomain("global"), zmq.WithRoutingID([]byte("srv"))},
		[]zmq.Option{zmq.WithPlainUsername("alice"), zmq.WithPlainPassword("pw")}, 5*time.Second)
	req := <-got
	if !ok {
		t.Fatal("nothing delivered after a 200 reply")
	}
	want := []string{"1.0", "", "global", "127.0.0.1", "srv", "PLAIN", "alice", "pw"}
	if len(req) != len(want) {
		t.Fatalf("ZAP request has %d frames: %q", len(req), req)
	}
	for i, w := range want {
		if i != 1 && string(req[i]) != w {
			t.Errorf("ZAP request frame %d = %q, want %q", i, req[i], w)
		}
	}
	if u, _ := m.Property("User-Id"); u != "alice" {
		t.Errorf("User-Id %q, want alice", u)
	}
	if v, _ := m.Property("tenant"); v != "acme" {
		t.Errorf("ZAP metadata Tenant %q, want acme", v)
	}
}

// TestNullWithDomain: a NULL socket with a ZAP domain asks the handler about addresses, as
// libzmq does; without a domain it does not.
func TestNullWithDomain(t *testing.T) {
	ctx, a := setup(t)
	a.Deny("127.0.0.1")
	if _, ok := deliver(t, ctx, []zmq.Option{zmq.WithZAPDomain("d")}, nil, 500*time.Millisecond); ok {
		t.Fatal("a denied address was let in over NULL with a ZAP domain")
	}
	if _, ok := deliver(t, ctx, nil, nil, 5*time.Second); !ok {
		t.Fatal("NULL without a ZAP domain consulted the handler")
	}
}
