package zmq_test

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/auth"
	"github.com/purezmq/zmq/curve"
	"github.com/purezmq/zmq/internal/parked"
	"github.com/purezmq/zmq/zmtp"
)

// Every way a handshake fails, and the monitor event each side reports: libzmq 4.3.4's event
// and value, and an error a program can branch on.

const handshakeMask = zmq.EventHandshakeSucceeded | zmq.EventHandshakeFailedNoDetail |
	zmq.EventHandshakeFailedProtocol | zmq.EventHandshakeFailedAuth

// sideWant is what one side of a failed handshake reports.
type sideWant struct {
	ev    zmq.EventType
	value int
	err   error
}

func TestHandshakeFailureEvents(t *testing.T) {
	t.Parallel()
	spub, ssec := keyPair(t)
	cpub, csec := keyPair(t)
	opub, _ := keyPair(t)
	curveServer := []zmq.Option{zmq.WithCurveServer(true), zmq.WithCurvePublicKey(spub), zmq.WithCurveSecretKey(ssec)}
	curveClient := func(server curve.PublicKey) []zmq.Option {
		return []zmq.Option{zmq.WithCurveServerKey(server), zmq.WithCurvePublicKey(cpub), zmq.WithCurveSecretKey(csec)}
	}
	plainClient := func(pass string) []zmq.Option {
		return []zmq.Option{zmq.WithPlainUsername("admin"), zmq.WithPlainPassword(pass)}
	}
	mismatch := sideWant{zmq.EventHandshakeFailedProtocol, zmq.ProtocolErrorZMTPMechanismMismatch, zmq.ErrMechanism}
	refused := sideWant{zmq.EventHandshakeFailedAuth, 400, zmq.ErrAuth}
	for _, tc := range []struct {
		name           string
		server, client []zmq.Option
		wantS, wantC   sideWant
	}{
		{"NULL client, CURVE server", curveServer, nil, mismatch, mismatch},
		{"PLAIN client, CURVE server", curveServer, plainClient("secret"), mismatch, mismatch},
		{"CURVE client, NULL server", nil, curveClient(spub), mismatch, mismatch},
		{"NULL client, PLAIN server", []zmq.Option{zmq.WithPlainServer(true)}, nil, mismatch, mismatch},
		// libzmq's CURVE server drops a HELLO that does not open without a word, so the client
		// knows only that the server hung up: it cannot tell a wrong key from a broken link.
		{"CURVE client, wrong server key", curveServer, curveClient(opub),
			sideWant{zmq.EventHandshakeFailedProtocol, zmq.ProtocolErrorZMTPCryptographic, zmq.ErrAuth},
			sideWant{zmq.EventHandshakeFailedNoDetail, 0, zmq.ErrHandshake}},
		{"PLAIN client, wrong password", []zmq.Option{zmq.WithPlainServer(true)}, plainClient("guess"), refused, refused},
		{"CURVE client key ZAP refuses", curveServer, curveClient(spub), refused, refused},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			zc := zmq.NewContext()
			t.Cleanup(func() { zc.Close() })
			a := auth.New()
			a.SetPassword("admin", "secret") // and no CURVE key allowed
			if err := a.Start(zc); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close() })
			server, err := zc.NewSocket(zmq.PULL, append(tc.server, zmq.WithLinger(0))...)
			if err != nil {
				t.Fatal(err)
			}
			client, err := zc.NewSocket(zmq.PUSH, append(tc.client, zmq.WithLinger(0), zmq.WithReconnectIvl(time.Hour))...)
			if err != nil {
				t.Fatal(err)
			}
			srv, _ := server.Monitor(handshakeMask)
			cli, _ := client.Monitor(handshakeMask)
			connect(t, client, bind(t, server, "tcp://127.0.0.1:*"))
			for _, side := range []struct {
				name string
				ch   <-chan zmq.Event
				want sideWant
			}{{"server", srv, tc.wantS}, {"client", cli, tc.wantC}} {
				e := expectEvents(t, side.ch, side.want.ev)[0]
				if e.Value != side.want.value || !errors.Is(e.Err, side.want.err) {
					t.Errorf("%s: %v (value %#x, %v), want value %#x and an error matching %v",
						side.name, e.Type, e.Value, e.Err, side.want.value, side.want.err)
				}
			}
		})
	}
}

// TestHandshakeMalformedCommandEvents: a peer whose handshake commands break ZMTP gets the
// protocol error code libzmq reports for each.
func TestHandshakeMalformedCommandEvents(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		cmd   []byte
		value int
	}{
		{"HELLO under NULL", zmtp.AppendCommand(nil, "HELLO", nil), zmq.ProtocolErrorZMTPUnexpectedCommand},
		{"READY with broken metadata", zmtp.AppendCommand(nil, "READY", []byte("\x0bSocket-Type\x00\x00\x00\x09PUSH")), zmq.ProtocolErrorZMTPInvalidMetadata},
		{"ERROR without a reason size", zmtp.AppendCommand(nil, "ERROR", nil), zmq.ProtocolErrorZMTPMalformedError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			pull := newSocket(t, zmq.PULL)
			ep := bind(t, pull, "tcp://127.0.0.1:*")
			ch, stop := pull.Monitor(handshakeMask)
			defer stop()
			nc, err := net.Dial("tcp", strings.TrimPrefix(ep, "tcp://"))
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			out := zmtp.Greeting{Major: 3, Minor: 1, Mechanism: "NULL"}.Append(nil)
			if _, err := nc.Write(append(out, tc.cmd...)); err != nil {
				t.Fatal(err)
			}
			e := expectEvents(t, ch, zmq.EventHandshakeFailedProtocol)[0]
			if e.Value != tc.value || !errors.Is(e.Err, zmq.ErrProtocol) {
				t.Errorf("%v (value %#x, %v), want value %#x and ErrProtocol", e.Type, e.Value, e.Err, tc.value)
			}
		})
	}
}

// TestMechanismFailureStopsReconnecting: as libzmq after any protocol-level handshake failure,
// a connecting socket that fails the mechanism check (or its authentication) gives the endpoint
// up: one connection, no retry. Not parallel: it watches for the socket's reconnect goroutine,
// and another test's would look the same.
func TestMechanismFailureStopsReconnecting(t *testing.T) {
	spub, ssec := keyPair(t)
	cpub, csec := keyPair(t)
	for _, tc := range []struct {
		name           string
		server, client []zmq.Option
	}{
		{"NULL client, CURVE server", []zmq.Option{zmq.WithCurveServer(true), zmq.WithCurvePublicKey(spub), zmq.WithCurveSecretKey(ssec)}, nil},
		{"PLAIN client, NULL server", nil, []zmq.Option{zmq.WithPlainUsername("admin"), zmq.WithPlainPassword("x")}},
		{"CURVE client, PLAIN server", []zmq.Option{zmq.WithPlainServer(true)}, []zmq.Option{zmq.WithCurveServerKey(spub), zmq.WithCurvePublicKey(cpub), zmq.WithCurveSecretKey(csec)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pull := newSocket(t, zmq.PULL, tc.server...)
			// An hour between attempts: a retry shows as a reconnect goroutine waiting on its timer.
			push := newSocket(t, zmq.PUSH, append(tc.client, zmq.WithReconnectIvl(time.Hour))...)
			ch, _ := push.Monitor(zmq.EventAll)
			connect(t, push, bind(t, pull, "tcp://127.0.0.1:*"))
			var got []zmq.EventType
			for e := range ch {
				got = append(got, e.Type)
				if e.Type == zmq.EventDisconnected {
					break
				}
			}
			// The reconnect goroutine either ends (it gave up) or waits for its next attempt.
			ctx, cancel := within(waitLong)
			defer cancel()
			loop := parked.Where{Func: "socket.(*Socket).connectLoop", States: []string{""}}
			retrying := parked.Where{Func: "socket.(*Socket).connectLoop", States: parked.Select}
			if err := parked.Until(ctx, loop, func(all map[uint64]bool) bool {
				return len(all) == 0 || len(parked.Blocked(retrying)) > 0
			}); err != nil {
				t.Fatal(err)
			}
			if len(parked.Blocked(loop)) != 0 {
				t.Errorf("the socket still reconnects after %v", got)
			}
			push.Close()
			for e := range ch {
				got = append(got, e.Type)
			}
			connected := 0
			for _, e := range got {
				switch e {
				case zmq.EventConnected:
					connected++
				case zmq.EventConnectRetried:
					t.Errorf("CONNECT_RETRIED after a mechanism failure: %v", got)
				}
			}
			if connected != 1 {
				t.Errorf("%d connections, want 1: %v", connected, got)
			}
		})
	}
}
