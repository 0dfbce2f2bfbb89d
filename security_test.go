package zmq_test

import (
	"context"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/auth"
	"github.com/purezmq/zmq/curve"
)

// wireTransports are the transports that run a ZMTP handshake; inproc has none to secure.
var wireTransports = transports[:2]

func forEachWireTransport(t *testing.T, f func(t *testing.T, tr transport)) {
	t.Helper()
	for _, tr := range wireTransports {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			f(t, tr)
		})
	}
}

func keyPair(t *testing.T) (curve.PublicKey, curve.SecretKey) {
	t.Helper()
	pub, sec, err := curve.GenerateKeyPair(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return pub, sec
}

// mechanism is a security mechanism as a server's and a client's options.
type mechanism struct {
	name           string
	server, client []zmq.Option
}

// nullAndCurve returns NULL and CURVE (with fresh keys) as mechanisms.
func nullAndCurve(t *testing.T) []mechanism {
	spub, ssec := keyPair(t)
	cpub, csec := keyPair(t)
	return []mechanism{
		{"null", nil, nil},
		{"curve", []zmq.Option{zmq.WithCurveServer(true), zmq.WithCurvePublicKey(spub), zmq.WithCurveSecretKey(ssec)},
			[]zmq.Option{zmq.WithCurveServerKey(spub), zmq.WithCurvePublicKey(cpub), zmq.WithCurveSecretKey(csec)}},
	}
}

// roundTrip checks a REQ/REP exchange between a REP bound with serverOpts and a REQ connected
// with clientOpts, carrying metadata both ways.
func roundTrip(t *testing.T, tr transport, serverOpts, clientOpts []zmq.Option) {
	rep := newSocket(t, zmq.REP, serverOpts...)
	req := newSocket(t, zmq.REQ, clientOpts...)
	link(t, tr, rep, req)
	sendString(t, req, "hello", "secure")
	m := expectRecvString(t, rep, "hello", "secure")
	if st, _ := m.Property("Socket-Type"); st != "REQ" {
		t.Fatalf("Socket-Type property %q, want REQ", st)
	}
	sendString(t, rep, "world")
	expectRecvString(t, req, "world")
}

// refused checks that a PUSH with clientOpts never delivers to a PULL with serverOpts.
func refused(t *testing.T, tr transport, serverOpts, clientOpts []zmq.Option) {
	pull := newSocket(t, zmq.PULL, serverOpts...)
	push := newSocket(t, zmq.PUSH, append(clientOpts, zmq.WithLinger(0), zmq.WithReconnectIvl(50*time.Millisecond))...)
	link(t, tr, pull, push)
	// Whether the message is queued or the refused PUSH has no peer left to queue it for
	// depends on how far the handshake got; either way it must never arrive.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := push.Send(ctx, zmq.NewMsgString("must not arrive")); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send: %v", err)
	}
	expectNoMsg(t, pull, 500*time.Millisecond)
}

// plainPair returns a PLAIN server (PULL) and a client (PUSH) logging in as admin with password,
// in a context of their own whose ZAP handler knows admin/secret (PLAIN needs a handler to
// check passwords, and a private context keeps it from judging other tests' sockets).
func plainPair(t *testing.T, password string) (pull, push *zmq.Socket) {
	t.Helper()
	zc := zmq.NewContext()
	t.Cleanup(func() { zc.Close() })
	a := auth.New()
	a.SetPassword("admin", "secret")
	if err := a.Start(zc); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	pull, err := zc.NewSocket(zmq.PULL, zmq.WithLinger(0), zmq.WithPlainServer(true))
	if err != nil {
		t.Fatal(err)
	}
	push, err = zc.NewSocket(zmq.PUSH, zmq.WithLinger(0), zmq.WithPlainUsername("admin"), zmq.WithPlainPassword(password))
	if err != nil {
		t.Fatal(err)
	}
	return pull, push
}

func TestPlainRoundTrip(t *testing.T) {
	forEachWireTransport(t, func(t *testing.T, tr transport) {
		pull, push := plainPair(t, "secret")
		link(t, tr, pull, push)
		sendString(t, push, "over PLAIN")
		expectRecvString(t, pull, "over PLAIN")
	})
}

func TestPlainWithoutZAPRefuses(t *testing.T) {
	forEachWireTransport(t, func(t *testing.T, tr transport) {
		refused(t, tr, []zmq.Option{zmq.WithPlainServer(true)},
			[]zmq.Option{zmq.WithPlainUsername("admin"), zmq.WithPlainPassword("secret")})
	})
}

func TestCurveRoundTrip(t *testing.T) {
	spub, ssec := keyPair(t)
	cpub, csec := keyPair(t)
	forEachWireTransport(t, func(t *testing.T, tr transport) {
		roundTrip(t, tr,
			[]zmq.Option{zmq.WithCurveServer(true), zmq.WithCurvePublicKey(spub), zmq.WithCurveSecretKey(ssec)},
			[]zmq.Option{zmq.WithCurveServerKey(spub), zmq.WithCurvePublicKey(cpub), zmq.WithCurveSecretKey(csec)})
	})
}

func TestCurveLargeMultipart(t *testing.T) {
	spub, ssec := keyPair(t)
	cpub, csec := keyPair(t)
	forEachWireTransport(t, func(t *testing.T, tr transport) {
		pull := newSocket(t, zmq.PULL, zmq.WithCurveServer(true), zmq.WithCurvePublicKey(spub), zmq.WithCurveSecretKey(ssec))
		push := newSocket(t, zmq.PUSH, zmq.WithCurveServerKey(spub), zmq.WithCurvePublicKey(cpub), zmq.WithCurveSecretKey(csec))
		link(t, tr, pull, push)
		big := make([]byte, 3<<20)
		rand.Read(big)
		for range 20 {
			send(t, push, []byte{}, big, []byte("end"))
		}
		for range 20 {
			expectRecv(t, pull, []byte{}, big, []byte("end"))
		}
	})
}

func TestSecurityRefusals(t *testing.T) {
	spub, ssec := keyPair(t)
	cpub, csec := keyPair(t)
	opub, _ := keyPair(t)
	curveServer := []zmq.Option{zmq.WithCurveServer(true), zmq.WithCurvePublicKey(spub), zmq.WithCurveSecretKey(ssec)}
	plainServer := []zmq.Option{zmq.WithPlainServer(true)}
	plainClient := []zmq.Option{zmq.WithPlainUsername("u"), zmq.WithPlainPassword("p")}
	cases := []struct {
		name           string
		server, client []zmq.Option
	}{
		{"CURVE wrong server key", curveServer,
			[]zmq.Option{zmq.WithCurveServerKey(opub), zmq.WithCurvePublicKey(cpub), zmq.WithCurveSecretKey(csec)}},
		{"NULL client, PLAIN server", plainServer, nil},
		{"PLAIN client, NULL server", nil, plainClient},
		{"PLAIN client, CURVE server", curveServer, plainClient},
		{"CURVE client, NULL server", nil,
			[]zmq.Option{zmq.WithCurveServerKey(spub), zmq.WithCurvePublicKey(cpub), zmq.WithCurveSecretKey(csec)}},
		{"two PLAIN clients", []zmq.Option{zmq.WithPlainUsername("a")}, plainClient},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			forEachWireTransport(t, func(t *testing.T, tr transport) { refused(t, tr, tc.server, tc.client) })
		})
	}
}

func TestSecurityOptionsByNumber(t *testing.T) {
	spub, ssec := keyPair(t)
	cpub, csec := keyPair(t)
	tr := wireTransports[0]
	roundTrip(t, tr,
		[]zmq.Option{zmq.WithOption(zmq.OptCurveServer, 1), zmq.WithOption(zmq.OptCurvePublicKey, spub.Z85()),
			zmq.WithOption(zmq.OptCurveSecretKey, ssec[:])},
		[]zmq.Option{zmq.WithOption(zmq.OptCurveServerKey, spub[:]), zmq.WithOption(zmq.OptCurvePublicKey, cpub[:]),
			zmq.WithOption(zmq.OptCurveSecretKey, csec.Z85())})
	for _, o := range []zmq.Option{
		zmq.WithOption(zmq.OptCurveServerKey, []byte("short")),
		zmq.WithOption(zmq.OptPlainUsername, 7),
		zmq.WithPlainPassword(string(make([]byte, 256))),
	} {
		if _, err := zmq.NewSocket(zmq.PAIR, o); err == nil {
			t.Error("a bad security option was accepted")
		}
	}
	if id, ok := zmq.LookupOption("ZMQ_CURVE_SERVERKEY"); !ok || id != 50 {
		t.Errorf("LookupOption(ZMQ_CURVE_SERVERKEY) = %v, %v", id, ok)
	}
}

// TestZAPEnforceDomain: with ZAP_ENFORCE_DOMAIN a server that would consult ZAP refuses clients
// while no handler runs (CURVE and NULL otherwise go on without one), and accepts them once a
// handler says yes.
func TestZAPEnforceDomain(t *testing.T) {
	spub, ssec := keyPair(t)
	cpub, csec := keyPair(t)
	curveServer := []zmq.Option{zmq.WithZAPEnforceDomain(true), zmq.WithCurveServer(true), zmq.WithCurvePublicKey(spub), zmq.WithCurveSecretKey(ssec)}
	curveClient := []zmq.Option{zmq.WithCurveServerKey(spub), zmq.WithCurvePublicKey(cpub), zmq.WithCurveSecretKey(csec)}
	forEachWireTransport(t, func(t *testing.T, tr transport) {
		t.Run("curve-no-handler", func(t *testing.T) { refused(t, tr, curveServer, curveClient) })
		t.Run("null-no-handler", func(t *testing.T) {
			refused(t, tr, []zmq.Option{zmq.WithZAPEnforceDomain(true), zmq.WithZAPDomain("global")}, nil)
		})
		t.Run("curve-with-handler", func(t *testing.T) {
			zc := zmq.NewContext()
			defer zc.Close()
			a := auth.New()
			a.AllowAnyCurve(true)
			if err := a.Start(zc); err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			pull, err := zc.NewSocket(zmq.PULL, append(curveServer, zmq.WithLinger(0))...)
			if err != nil {
				t.Fatal(err)
			}
			push, err := zc.NewSocket(zmq.PUSH, append(curveClient, zmq.WithLinger(0))...)
			if err != nil {
				t.Fatal(err)
			}
			link(t, tr, pull, push)
			sendString(t, push, "judged")
			expectRecvString(t, pull, "judged")
		})
	})
}
