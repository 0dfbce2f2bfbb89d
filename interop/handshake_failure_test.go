package interop

import (
	"errors"
	"testing"
	"time"

	zmq4 "github.com/pebbe/zmq4"
	"github.com/purezmq/zmq"
)

// Handshake failures against libzmq 4.3.4: what each side reports, and that a connect side
// that failed a protocol-level check gives the endpoint up.

// pureEvent waits for the purezmq monitor's first event in want.
func pureEvent(t *testing.T, ch <-chan zmq.Event, want zmq.EventType) zmq.Event {
	t.Helper()
	timeout := time.After(ioTimeout)
	for {
		select {
		case e, ok := <-ch:
			if !ok {
				t.Fatalf("purezmq monitor closed before %v", want)
			}
			t.Logf("purezmq event %v %d %v", e.Type, e.Value, e.Err)
			if e.Type&want != 0 {
				return e
			}
		case <-timeout:
			t.Fatalf("purezmq monitor: no %v within %v", want, ioTimeout)
		}
	}
}

// pureNone checks that the purezmq monitor reports nothing in unwanted for quiet.
func pureNone(t *testing.T, ch <-chan zmq.Event, unwanted zmq.EventType) {
	t.Helper()
	end := time.After(quiet)
	for {
		select {
		case e := <-ch:
			if e.Type&unwanted != 0 {
				t.Fatalf("purezmq monitor: %v (%v)", e.Type, e.Err)
			}
		case <-end:
			return
		}
	}
}

// TestPlainLibServerRefusalIsAuth: libzmq 4.3.4's PLAIN server refuses a wrong password with an
// ERROR whose name it misspells (0x5E "RROR"); a purezmq client reads it as libzmq's clients
// do, HANDSHAKE_FAILED_AUTH with ZAP status 400, and never reconnects.
func TestPlainLibServerRefusalIsAuth(t *testing.T) {
	_ = withLibAuth(t)
	zmq4.AuthPlainAdd("plain", "admin", "secret")
	_, ep := libDefaultPull(t, func(s *zmq4.Socket) error { return s.ServerAuthPlain("plain") })
	push := newPure(t, zmq.PUSH, zmq.WithPlainUsername("admin"), zmq.WithPlainPassword("guess"),
		zmq.WithReconnectIvl(10*time.Millisecond))
	ch, stop := push.Monitor(zmq.EventAll)
	defer stop()
	if err := push.Connect(ep); err != nil {
		t.Fatal(err)
	}
	e := pureEvent(t, ch, zmq.EventHandshakeSucceeded|zmq.EventHandshakeFailedNoDetail|
		zmq.EventHandshakeFailedProtocol|zmq.EventHandshakeFailedAuth)
	if e.Type != zmq.EventHandshakeFailedAuth || e.Value != 400 || !errors.Is(e.Err, zmq.ErrAuth) {
		t.Fatalf("purezmq client: %v value %d (%v), want HANDSHAKE_FAILED_AUTH 400 matching ErrAuth", e.Type, e.Value, e.Err)
	}
	// It gave up: no second connection, where a retry would come every 10ms. (A monitor on
	// libzmq's side would have to live in its default context, which the ZAP tests share.)
	pureNone(t, ch, zmq.EventConnected|zmq.EventConnectRetried)
}

// TestMechanismMismatchStopsReconnecting: a connect side whose mechanism the peer does not
// speak gives up on the endpoint, libzmq's and purezmq's alike.
func TestMechanismMismatchStopsReconnecting(t *testing.T) {
	spub, ssec := keys(t)
	t.Run("libzmq-connects", func(t *testing.T) {
		pull := newPure(t, zmq.PULL, curvePureServer(spub, ssec)...)
		c := newLibCtx(t)
		push := newLib(t, c, zmq.PUSH) // NULL
		if err := push.SetReconnectIvl(10 * time.Millisecond); err != nil {
			t.Fatal(err)
		}
		mon := newMonitor(t, c, push)
		if err := push.Connect(pureBind(t, pull, "tcp://127.0.0.1:*")); err != nil {
			t.Fatal(err)
		}
		if ev := mon.await(t, handshakeFailed|zmq4.EVENT_HANDSHAKE_SUCCEEDED); ev != zmq4.EVENT_HANDSHAKE_FAILED_PROTOCOL {
			t.Fatalf("libzmq client reported %v", ev)
		}
		mon.none(t, zmq4.EVENT_CONNECTED|zmq4.EVENT_CONNECT_RETRIED)
	})
}
