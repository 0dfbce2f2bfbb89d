package interop

import (
	"context"
	"testing"

	"github.com/purezmq/zmq"
	"github.com/purezmq/zmq/auth"
)

// pyNullPush is a python3-zmq NULL PUSH that connects, sends "hello" and prints the first
// handshake event its monitor reports, as "<event> <value>".
const pyNullPush = `
import sys, zmq
from zmq.utils.monitor import recv_monitor_message
endpoint = sys.argv[1]
ctx = zmq.Context()
s = ctx.socket(zmq.PUSH)
s.linger = 0
s.sndtimeo = 10000
s.monitor("inproc://mon", zmq.EVENT_HANDSHAKE_SUCCEEDED | zmq.EVENT_HANDSHAKE_FAILED_AUTH
          | zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL | zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL)
m = ctx.socket(zmq.PAIR)
m.linger = 0
m.rcvtimeo = 10000
m.connect("inproc://mon")
s.connect(endpoint)
s.send(b"hello")
e = recv_monitor_message(m)
names = {zmq.EVENT_HANDSHAKE_SUCCEEDED: "SUCCEEDED", zmq.EVENT_HANDSHAKE_FAILED_AUTH: "FAILED_AUTH",
         zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL: "FAILED_PROTOCOL", zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL: "FAILED_NO_DETAIL"}
print(names.get(e["event"], e["event"]), e["value"], flush=True)
s.disable_monitor()
m.close()
s.close()
ctx.term()
`

// TestPythonZAPNull: a purezmq server whose authenticator refuses NULL clients by address or
// by domain refuses a libzmq NULL client: both monitors report HANDSHAKE_FAILED_AUTH 400 and
// nothing arrives; the same client is let in when the policy allows it.
func TestPythonZAPNull(t *testing.T) {
	tests := []struct {
		name   string
		policy func(a *auth.Authenticator)
		ok     bool
	}{
		{"address-denied", func(a *auth.Authenticator) { a.Deny("127.0.0.1") }, false},
		{"domain-denied", func(a *auth.Authenticator) { a.DenyDomains("global") }, false},
		{"address-allowed", func(a *auth.Authenticator) { a.Allow("127.0.0.1") }, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			zc := zmq.NewContext()
			t.Cleanup(func() { zc.Close() })
			a := auth.New()
			tc.policy(a)
			if err := a.Start(zc); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close() })
			pull, err := zc.NewSocket(zmq.PULL, zmq.WithLinger(0), zmq.WithZAPDomain("global"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { closePure(t, pull) })
			events, stop := pull.Monitor(zmq.EventAll)
			t.Cleanup(stop)
			out, wait := runPython(t, pyNullPush, pureBind(t, pull, "tcp://127.0.0.1:*"))
			e := awaitHandshake(t, events)
			pyEvent := readLine(t, out, wait)
			if !tc.ok {
				if e.Type != zmq.EventHandshakeFailedAuth || e.Value != 400 {
					t.Errorf("purezmq server event %v, want HANDSHAKE_FAILED_AUTH 400", e)
				}
				if pyEvent != "FAILED_AUTH 400" {
					t.Errorf("libzmq client event %q, want FAILED_AUTH 400", pyEvent)
				}
				ctx, cancel := context.WithTimeout(context.Background(), quiet)
				defer cancel()
				if m, err := pull.Recv(ctx); err == nil {
					t.Errorf("a refused client's message arrived: %q", m.Frames)
				}
				wait()
				return
			}
			if e.Type != zmq.EventHandshakeSucceeded || pyEvent != "SUCCEEDED 0" {
				t.Errorf("events: purezmq %v, libzmq %q; want both succeeded", e, pyEvent)
			}
			expect(t, purePeer{pull}, [][]byte{[]byte("hello")})
			wait()
		})
	}
}
