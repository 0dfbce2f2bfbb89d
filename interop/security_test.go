package interop

import (
	"context"
	"crypto/rand"
	"errors"
	"sync"
	"testing"
	"time"

	zmq4 "github.com/pebbe/zmq4"
	"github.com/purezmq/zmq"
	"github.com/purezmq/zmq/auth"
	"github.com/purezmq/zmq/curve"
)

// Security interop: purezmq's PLAIN and CURVE against libzmq 4.3.4 (built with libsodium), each
// library as client and as server, and the refusals: wrong server key, a client key libzmq's
// ZAP handler does not allow, a wrong password, a mechanism mismatch. A refused connection must
// deliver nothing.

func keys(t *testing.T) (curve.PublicKey, curve.SecretKey) {
	t.Helper()
	pub, sec, err := curve.GenerateKeyPair(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return pub, sec
}

// secPair is one PUSH → PULL connection between the libraries; the PULL binds.
type secPair struct {
	pure *zmq.Socket
	lib  *zmq4.Socket
	mon  monitor
}

// pureToLib connects a purezmq PUSH with opts to a libzmq PULL set up by setup, bound on tcp.
func pureToLib(t *testing.T, c *zmq4.Context, setup func(*zmq4.Socket) error, opts ...zmq.Option) secPair {
	t.Helper()
	pull := newLib(t, c, zmq.PULL)
	if err := setup(pull); err != nil {
		t.Fatalf("libzmq security options: %v", err)
	}
	mon := newMonitor(t, c, pull)
	push := newPure(t, zmq.PUSH, append(opts, zmq.WithReconnectIvl(20*time.Millisecond))...)
	if err := push.Connect(libBind(t, pull, "tcp://127.0.0.1:*")); err != nil {
		t.Fatal(err)
	}
	return secPair{pure: push, lib: pull, mon: mon}
}

// libToPure connects a libzmq PUSH set up by setup to a purezmq PULL with opts, bound on tcp.
func libToPure(t *testing.T, c *zmq4.Context, setup func(*zmq4.Socket) error, opts ...zmq.Option) secPair {
	t.Helper()
	pull := newPure(t, zmq.PULL, opts...)
	push := newLib(t, c, zmq.PUSH)
	if err := setup(push); err != nil {
		t.Fatalf("libzmq security options: %v", err)
	}
	_ = push.SetReconnectIvl(20 * time.Millisecond)
	mon := newMonitor(t, c, push)
	if err := push.Connect(pureBind(t, pull, "tcp://127.0.0.1:*")); err != nil {
		t.Fatal(err)
	}
	return secPair{pure: pull, lib: push, mon: mon}
}

func (p secPair) pureToLibDelivers(t *testing.T) {
	t.Helper()
	mustSend(t, purePeer{p.pure}, [][]byte{[]byte("secret"), []byte("message")})
	expect(t, libPeer{p.lib}, [][]byte{[]byte("secret"), []byte("message")})
}

func (p secPair) libToPureDelivers(t *testing.T) {
	t.Helper()
	mustSend(t, libPeer{p.lib}, [][]byte{[]byte("secret"), []byte("message")})
	expect(t, purePeer{p.pure}, [][]byte{[]byte("secret"), []byte("message")})
}

// libGetsNothing checks that the libzmq PULL receives nothing once its handshake failed.
func (p secPair) libGetsNothing(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = p.pure.Send(ctx, zmq.NewMsgString("must not arrive"))
	ev := p.mon.await(t, handshakeFailed|zmq4.EVENT_DISCONNECTED|zmq4.EVENT_HANDSHAKE_SUCCEEDED)
	if ev&zmq4.EVENT_HANDSHAKE_SUCCEEDED != 0 {
		t.Fatal("libzmq accepted the handshake")
	}
	t.Logf("libzmq reported %v", ev)
	_ = p.lib.SetRcvtimeo(quiet)
	if m, err := p.lib.RecvMessageBytes(0); !isErrno(err, eagain) {
		t.Fatalf("libzmq received %q, %v; want nothing", m, err)
	}
}

// pureGetsNothing checks that the purezmq PULL receives nothing from the libzmq PUSH.
func (p secPair) pureGetsNothing(t *testing.T) {
	t.Helper()
	_ = p.lib.SetSndtimeo(100 * time.Millisecond)
	_, _ = p.lib.SendMessage("must not arrive") // queues, or times out: either way undelivered
	ev := p.mon.await(t, handshakeFailed|zmq4.EVENT_DISCONNECTED|zmq4.EVENT_HANDSHAKE_SUCCEEDED)
	if ev&zmq4.EVENT_HANDSHAKE_SUCCEEDED != 0 {
		t.Fatal("libzmq completed the handshake")
	}
	t.Logf("libzmq reported %v", ev)
	ctx, cancel := context.WithTimeout(context.Background(), quiet)
	defer cancel()
	if m, err := p.pure.Recv(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("purezmq received %q, %v; want nothing", m.Frames, err)
	}
}

const handshakeFailed = zmq4.EVENT_HANDSHAKE_FAILED_NO_DETAIL | zmq4.EVENT_HANDSHAKE_FAILED_PROTOCOL |
	zmq4.EVENT_HANDSHAKE_FAILED_AUTH

func curveLibServer(pub curve.PublicKey, sec curve.SecretKey) func(*zmq4.Socket) error {
	return func(s *zmq4.Socket) error {
		return errors.Join(s.SetCurveServer(1), s.SetCurvePublickey(pub.Z85()), s.SetCurveSecretkey(sec.Z85()))
	}
}

func curveLibClient(server, pub curve.PublicKey, sec curve.SecretKey) func(*zmq4.Socket) error {
	return func(s *zmq4.Socket) error {
		return errors.Join(s.SetCurveServerkey(server.Z85()), s.SetCurvePublickey(pub.Z85()), s.SetCurveSecretkey(sec.Z85()))
	}
}

func curvePureServer(pub curve.PublicKey, sec curve.SecretKey) []zmq.Option {
	return []zmq.Option{zmq.WithCurveServer(true), zmq.WithCurvePublicKey(pub), zmq.WithCurveSecretKey(sec)}
}

func curvePureClient(server, pub curve.PublicKey, sec curve.SecretKey) []zmq.Option {
	return []zmq.Option{zmq.WithCurveServerKey(server), zmq.WithCurvePublicKey(pub), zmq.WithCurveSecretKey(sec)}
}

func TestCurvePureClientLibServer(t *testing.T) {
	spub, ssec := keys(t)
	cpub, csec := keys(t)
	p := pureToLib(t, newLibCtx(t), curveLibServer(spub, ssec), curvePureClient(spub, cpub, csec)...)
	p.pureToLibDelivers(t)
	for range 100 { // many MESSAGE commands: the nonces keep increasing
		p.pureToLibDelivers(t)
	}
}

func TestCurveLibClientPureServer(t *testing.T) {
	spub, ssec := keys(t)
	cpub, csec := keys(t)
	p := libToPure(t, newLibCtx(t), curveLibClient(spub, cpub, csec), curvePureServer(spub, ssec)...)
	for range 100 {
		p.libToPureDelivers(t)
	}
}

// TestCurveBothWaysREQREP runs request and reply over CURVE, so both directions' MESSAGE
// nonces and prefixes are checked by libzmq and by purezmq.
func TestCurveBothWaysREQREP(t *testing.T) {
	spub, ssec := keys(t)
	cpub, csec := keys(t)
	c := newLibCtx(t)
	rep := newLib(t, c, zmq.REP)
	if err := curveLibServer(spub, ssec)(rep); err != nil {
		t.Fatal(err)
	}
	req := newPure(t, zmq.REQ, curvePureClient(spub, cpub, csec)...)
	if err := req.Connect(libBind(t, rep, "tcp://127.0.0.1:*")); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		mustSend(t, purePeer{req}, [][]byte{[]byte("ping"), make([]byte, i*1000)})
		expect(t, libPeer{rep}, [][]byte{[]byte("ping"), make([]byte, i*1000)})
		mustSend(t, libPeer{rep}, [][]byte{[]byte("pong")})
		expect(t, purePeer{req}, [][]byte{[]byte("pong")})
	}
}

func TestCurveWrongServerKeyPureClient(t *testing.T) {
	spub, ssec := keys(t)
	opub, _ := keys(t)
	cpub, csec := keys(t)
	p := pureToLib(t, newLibCtx(t), curveLibServer(spub, ssec), curvePureClient(opub, cpub, csec)...)
	p.libGetsNothing(t)
}

func TestCurveWrongServerKeyLibClient(t *testing.T) {
	spub, ssec := keys(t)
	opub, _ := keys(t)
	cpub, csec := keys(t)
	p := libToPure(t, newLibCtx(t), curveLibClient(opub, cpub, csec), curvePureServer(spub, ssec)...)
	p.pureGetsNothing(t)
}

// TestPlainLibServerNeedsZAP pins libzmq 4.3.4's behaviour: its PLAIN server refuses every
// client while no ZAP handler runs (HANDSHAKE_FAILED_NO_DETAIL, EFAULT). The purezmq client's
// success against it is in TestLibZAPJudgesPureClient.
func TestPlainLibServerNeedsZAP(t *testing.T) {
	p := pureToLib(t, newLibCtx(t), func(s *zmq4.Socket) error { return s.SetPlainServer(1) },
		zmq.WithPlainUsername("admin"), zmq.WithPlainPassword("secret"))
	p.libGetsNothing(t)
}

// TestPlainPureServerNeedsZAP: purezmq's PLAIN server, like libzmq's, refuses every client
// while no ZAP handler runs to check the password. With one, TestPureZAPJudgesLibClient.
func TestPlainPureServerNeedsZAP(t *testing.T) {
	p := libToPure(t, newLibCtx(t), func(s *zmq4.Socket) error {
		return errors.Join(s.SetPlainUsername("admin"), s.SetPlainPassword("secret"))
	}, zmq.WithPlainServer(true))
	p.pureGetsNothing(t)
}

func TestMechanismMismatchPlainClientCurveServer(t *testing.T) {
	spub, ssec := keys(t)
	p := pureToLib(t, newLibCtx(t), curveLibServer(spub, ssec),
		zmq.WithPlainUsername("admin"), zmq.WithPlainPassword("secret"))
	p.libGetsNothing(t)
}

func TestMechanismMismatchNullClientCurveServer(t *testing.T) {
	spub, ssec := keys(t)
	p := libToPure(t, newLibCtx(t), func(*zmq4.Socket) error { return nil }, curvePureServer(spub, ssec)...)
	p.pureGetsNothing(t)
}

// libAuth runs libzmq's own ZAP handler (pebbe/zmq4's authenticator) once per test process and
// stopLibAuth (from TestMain) stops it. Starting and stopping it per test raced: AuthStop
// returns before the handler's socket has closed, and libzmq releases the inproc endpoint later
// still, so the next AuthStart could fail with "address already in use".
var libAuth struct {
	sync.Mutex
	started bool
}

func stopLibAuth() {
	libAuth.Lock()
	defer libAuth.Unlock()
	if libAuth.started {
		zmq4.AuthStop()
		libAuth.started = false
	}
}

// withLibAuth makes sure libzmq's ZAP handler runs in libzmq's default context; sockets judged
// by it must live in that context. Its domains and allow-lists are shared by the tests that use it.
func withLibAuth(t *testing.T) *zmq4.Context {
	t.Helper()
	libAuth.Lock()
	defer libAuth.Unlock()
	if !libAuth.started {
		if err := zmq4.AuthStart(); err != nil {
			t.Fatal(err)
		}
		libAuth.started = true
	}
	c, err := zmq4.NewContext() // only for the monitor's sockets
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { termLib(t, c) })
	return c
}

// libDefaultPull is a libzmq PULL in the default context (where ZAP runs), bound on tcp.
func libDefaultPull(t *testing.T, setup func(*zmq4.Socket) error) (*zmq4.Socket, string) {
	t.Helper()
	s, err := zmq4.NewSocket(zmq4.PULL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeLib(t, s) })
	if err := errors.Join(setup(s), s.SetRcvtimeo(ioTimeout)); err != nil {
		t.Fatal(err)
	}
	return s, libBind(t, s, "tcp://127.0.0.1:*")
}

// TestLibZAPJudgesPureClient: libzmq's ZAP handler accepts the right PLAIN password and allowed
// CURVE key from purezmq, and refuses a wrong password and an unknown key with nothing delivered.
func TestLibZAPJudgesPureClient(t *testing.T) {
	_ = withLibAuth(t)
	spub, ssec := keys(t)
	good, goodSec := keys(t)
	bad, badSec := keys(t)
	zmq4.AuthPlainAdd("plain", "admin", "secret")
	zmq4.AuthCurveAdd("curve", good.Z85())
	plainServer := func(s *zmq4.Socket) error { return s.ServerAuthPlain("plain") }
	curveServer := func(s *zmq4.Socket) error { return s.ServerAuthCurve("curve", ssec.Z85()) }
	cases := []struct {
		name    string
		setup   func(*zmq4.Socket) error
		opts    []zmq.Option
		deliver bool
	}{
		{"PLAIN right password", plainServer, []zmq.Option{zmq.WithPlainUsername("admin"), zmq.WithPlainPassword("secret")}, true},
		{"PLAIN wrong password", plainServer, []zmq.Option{zmq.WithPlainUsername("admin"), zmq.WithPlainPassword("guess")}, false},
		{"CURVE allowed key", curveServer, curvePureClient(spub, good, goodSec), true},
		{"CURVE unknown key", curveServer, curvePureClient(spub, bad, badSec), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pull, ep := libDefaultPull(t, tc.setup)
			push := newPure(t, zmq.PUSH, append(tc.opts, zmq.WithReconnectIvl(20*time.Millisecond))...)
			if err := push.Connect(ep); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			_ = push.Send(ctx, zmq.NewMsgString("hello"))
			if tc.deliver {
				expect(t, libPeer{pull}, [][]byte{[]byte("hello")})
				return
			}
			_ = pull.SetRcvtimeo(500 * time.Millisecond)
			if m, err := pull.RecvMessageBytes(0); !isErrno(err, eagain) {
				t.Fatalf("libzmq received %q, %v; want nothing", m, err)
			}
		})
	}
}

// TestPureZAPJudgesLibClient: purezmq's authenticator (package auth) lets libzmq clients with
// the right password or an allowed key in, and refuses the others with nothing delivered.
func TestPureZAPJudgesLibClient(t *testing.T) {
	spub, ssec := keys(t)
	good, goodSec := keys(t)
	bad, badSec := keys(t)
	plainClient := func(user, pass string) func(*zmq4.Socket) error {
		return func(s *zmq4.Socket) error { return errors.Join(s.SetPlainUsername(user), s.SetPlainPassword(pass)) }
	}
	cases := []struct {
		name    string
		server  []zmq.Option
		client  func(*zmq4.Socket) error
		deliver bool
	}{
		{"PLAIN right password", []zmq.Option{zmq.WithPlainServer(true)}, plainClient("admin", "secret"), true},
		{"PLAIN wrong password", []zmq.Option{zmq.WithPlainServer(true)}, plainClient("admin", "guess"), false},
		{"CURVE allowed key", curvePureServer(spub, ssec), curveLibClient(spub, good, goodSec), true},
		{"CURVE unknown key", curvePureServer(spub, ssec), curveLibClient(spub, bad, badSec), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pctx := zmq.NewContext()
			a := auth.New()
			a.SetPassword("admin", "secret")
			a.AllowCurveKeys(good)
			if err := a.Start(pctx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				a.Close()
				pctx.Close()
			})
			pull, err := pctx.NewSocket(zmq.PULL, append(tc.server, zmq.WithLinger(0))...)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { closePure(t, pull) })
			push := newLib(t, newLibCtx(t), zmq.PUSH)
			if err := tc.client(push); err != nil {
				t.Fatal(err)
			}
			if err := push.Connect(pureBind(t, pull, "tcp://127.0.0.1:*")); err != nil {
				t.Fatal(err)
			}
			_ = push.SetSndtimeo(time.Second)
			_, _ = push.SendMessage("hello")
			wait := ioTimeout
			if !tc.deliver {
				wait = 500 * time.Millisecond
			}
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			defer cancel()
			m, err := pull.Recv(ctx)
			switch {
			case tc.deliver && err != nil:
				t.Fatalf("purezmq PULL: %v", err)
			case tc.deliver:
				if u, _ := m.Property("User-Id"); u == "" {
					t.Error("no User-Id on a message from an authenticated client")
				}
			case err == nil:
				t.Fatalf("purezmq received %q from a refused client", m.Frames)
			}
		})
	}
}
