package interop

import (
	"context"
	"testing"
	"time"

	"github.com/purezmq/zmq"
	"github.com/purezmq/zmq/auth"
	"github.com/purezmq/zmq/curve"
)

// pyCurvePeer is a python3-zmq CURVE REP (server: given its secret key only, which is all
// libzmq needs) or REQ (client: server key and own key pair). It prints the endpoint it bound,
// then what it got, or "timeout" when nothing came within the timeout (ms).
const pyCurvePeer = `
import sys, zmq
role, endpoint, server_key, public, secret, timeout = sys.argv[1:7]
ctx = zmq.Context()
s = ctx.socket(zmq.REP if role == "rep" else zmq.REQ)
s.linger = 0
s.rcvtimeo = s.sndtimeo = int(timeout)
try:
    if role == "rep":
        s.curve_server = True
        s.curve_secretkey = secret.encode()
        s.bind(endpoint)
        print(s.getsockopt_string(zmq.LAST_ENDPOINT), flush=True)
        request = s.recv_multipart()
        s.send_multipart([b"python got"] + request)
        print("served", flush=True)
    else:
        s.curve_serverkey = server_key.encode()
        s.curve_publickey = public.encode()
        s.curve_secretkey = secret.encode()
        s.connect(endpoint)
        s.send_multipart([b"hello", b"over CURVE"])
        print(b"|".join(s.recv_multipart()).decode(), flush=True)
except zmq.Again:
    print("timeout", flush=True)
s.close()
ctx.term()
`

// pureCurveREP binds a purezmq CURVE REP with its secret key only, in a context whose ZAP
// handler lets in clientPub.
func pureCurveREP(t *testing.T, serverSec curve.SecretKey, clientPub curve.PublicKey) (*zmq.Socket, <-chan zmq.Event, string) {
	t.Helper()
	zc := zmq.NewContext()
	t.Cleanup(func() { zc.Close() })
	a := auth.New()
	a.AllowCurveKeys(clientPub)
	if err := a.Start(zc); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	rep, err := zc.NewSocket(zmq.REP, zmq.WithLinger(0), zmq.WithCurveServer(true), zmq.WithCurveSecretKey(serverSec))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closePure(t, rep) })
	events, stop := rep.Monitor(zmq.EventAll)
	t.Cleanup(stop)
	return rep, events, pureBind(t, rep, "tcp://127.0.0.1:*")
}

// awaitHandshake returns the first handshake event (succeeded or failed) on events.
func awaitHandshake(t *testing.T, events <-chan zmq.Event) zmq.Event {
	t.Helper()
	const handshake = zmq.EventHandshakeSucceeded | zmq.EventHandshakeFailedNoDetail |
		zmq.EventHandshakeFailedProtocol | zmq.EventHandshakeFailedAuth
	timer := time.NewTimer(ioTimeout)
	defer timer.Stop()
	for {
		select {
		case e := <-events:
			if e.Type&handshake != 0 {
				return e
			}
		case <-timer.C:
			t.Fatal("no handshake event")
		}
	}
}

// TestPythonCurve checks CURVE both ways against libzmq through python3-zmq, servers given their
// secret key alone, and refusals of a client holding a wrong server key.
func TestPythonCurve(t *testing.T) {
	spub, ssec := keys(t)
	cpub, csec := keys(t)
	wrong, _ := keys(t)
	t.Run("python-client/pure-server-secret-only", func(t *testing.T) {
		rep, events, ep := pureCurveREP(t, ssec, cpub)
		out, wait := runPython(t, pyCurvePeer, "req", ep, spub.Z85(), cpub.Z85(), csec.Z85(), "10000")
		ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
		defer cancel()
		m, err := rep.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		checkFrames(t, "purezmq REP received", m.Frames, [][]byte{[]byte("hello"), []byte("over CURVE")})
		if u, _ := m.Property("User-Id"); u != cpub.Z85() {
			t.Errorf("User-Id %q, want the client's key %s", u, cpub.Z85())
		}
		if a, _ := m.Property("Peer-Address"); a != "127.0.0.1" {
			t.Errorf("Peer-Address %q", a)
		}
		mustSend(t, purePeer{rep}, [][]byte{[]byte("purezmq got"), []byte("hello")})
		if got := readLine(t, out, wait); got != "purezmq got|hello" {
			t.Errorf("python REQ received %q", got)
		}
		if e := awaitHandshake(t, events); e.Type != zmq.EventHandshakeSucceeded {
			t.Errorf("handshake event %v", e)
		}
		wait()
	})
	t.Run("pure-client/python-server-secret-only", func(t *testing.T) {
		out, wait := runPython(t, pyCurvePeer, "rep", "tcp://127.0.0.1:*", "", "", ssec.Z85(), "10000")
		ep := readLine(t, out, wait)
		req := newPure(t, zmq.REQ, zmq.WithCurveServerKey(spub), zmq.WithCurvePublicKey(cpub), zmq.WithCurveSecretKey(csec))
		if err := req.Connect(ep); err != nil {
			t.Fatal(err)
		}
		p := purePeer{req}
		mustSend(t, p, [][]byte{[]byte("hello"), []byte("from purezmq")})
		expect(t, p, [][]byte{[]byte("python got"), []byte("hello"), []byte("from purezmq")})
		if got := readLine(t, out, wait); got != "served" {
			t.Errorf("python REP said %q", got)
		}
		wait()
	})
	t.Run("python-client-wrong-server-key/pure-server", func(t *testing.T) {
		rep, events, ep := pureCurveREP(t, ssec, cpub)
		out, wait := runPython(t, pyCurvePeer, "req", ep, wrong.Z85(), cpub.Z85(), csec.Z85(), "1500")
		e := awaitHandshake(t, events)
		if e.Type != zmq.EventHandshakeFailedProtocol || e.Value != zmq.ProtocolErrorZMTPCryptographic {
			t.Errorf("server handshake event %v (value %#x), want HANDSHAKE_FAILED_PROTOCOL CRYPTOGRAPHIC", e, e.Value)
		}
		if got := readLine(t, out, wait); got != "timeout" {
			t.Errorf("python REQ got %q through a server holding another key", got)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if m, err := rep.Recv(ctx); err == nil {
			t.Errorf("delivered %q", m.Frames)
		}
		wait()
	})
	t.Run("pure-client-wrong-server-key/python-server", func(t *testing.T) {
		out, wait := runPython(t, pyCurvePeer, "rep", "tcp://127.0.0.1:*", "", "", ssec.Z85(), "1500")
		ep := readLine(t, out, wait)
		req := newPure(t, zmq.REQ, zmq.WithCurveServerKey(wrong), zmq.WithCurvePublicKey(cpub), zmq.WithCurveSecretKey(csec))
		events, stop := req.Monitor(zmq.EventAll)
		defer stop()
		if err := req.Connect(ep); err != nil {
			t.Fatal(err)
		}
		// libzmq cannot open our HELLO and hangs up without a word: to us, the handshake ends early.
		if e := awaitHandshake(t, events); e.Type != zmq.EventHandshakeFailedNoDetail {
			t.Errorf("client handshake event %v, want HANDSHAKE_FAILED_NO_DETAIL", e)
		}
		if got := readLine(t, out, wait); got != "timeout" {
			t.Errorf("python REP got %q from a client holding another server key", got)
		}
		wait()
	})
}
