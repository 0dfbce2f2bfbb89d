package interop

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/purezmq/zmq"
)

// pyMetaPeer is a python3-zmq DEALER with ROUTING_ID "py-dealer" and METADATA X-Foo:bar that
// connects, prints its pid and sends "hi" ("dealer"); or a ROUTER that binds, prints its
// endpoint, and prints what zmq_msg_gets gives for each name of a received message's body,
// "-" for none ("router").
const pyMetaPeer = `
import os, sys, zmq
role, endpoint = sys.argv[1], sys.argv[2]
ctx = zmq.Context()
s = ctx.socket(zmq.DEALER if role == "dealer" else zmq.ROUTER)
s.linger = 0
s.rcvtimeo = s.sndtimeo = 10000
if role == "dealer":
    s.setsockopt(zmq.ROUTING_ID, b"py-dealer")
    s.setsockopt(zmq.METADATA, b"X-Foo:bar")
    s.connect(endpoint)
    print(os.getpid(), flush=True)
    s.send(b"hi")
    s.recv()
else:
    s.bind(endpoint)
    print(s.getsockopt_string(zmq.LAST_ENDPOINT), flush=True)
    body = s.recv_multipart(copy=False)[1]
    out = []
    for name in sys.argv[3:]:
        try:
            out.append(body.get(name))
        except zmq.ZMQError:
            out.append("-")
    print("|".join(out), flush=True)
s.close()
ctx.term()
`

// TestPythonMetadata: the properties a purezmq ROUTER reads from a libzmq DEALER's handshake, by
// the names zmq_msg_gets documents, in any case; and the Peer-Address libzmq gives for a
// purezmq peer, which is the form purezmq gives.
func TestPythonMetadata(t *testing.T) {
	for _, transport := range transports {
		t.Run("pure-router/"+transport, func(t *testing.T) {
			router := newPure(t, zmq.ROUTER)
			out, wait := runPython(t, pyMetaPeer, "dealer", pureBind(t, router, bindAddr(t, transport)))
			pid := readLine(t, out, wait)
			ctx, cancel := contextIO()
			defer cancel()
			m, err := router.Recv(ctx)
			if err != nil {
				t.Fatal(err)
			}
			checkFrames(t, "purezmq ROUTER received", m.Frames, [][]byte{[]byte("py-dealer"), []byte("hi")})
			addr := "127.0.0.1"
			if transport == "ipc" {
				addr = fmt.Sprintf("localhost:%d:%d:%s", os.Getuid(), os.Getgid(), pid)
			}
			for _, c := range []struct{ name, want string }{
				{"Socket-Type", "DEALER"}, {"socket-type", "DEALER"},
				{"Routing-Id", "py-dealer"}, {"Identity", "py-dealer"}, {"routing-id", "py-dealer"},
				{"Peer-Address", addr},
				{"X-Foo", "bar"}, {"x-foo", "bar"},
			} {
				if got, ok := m.Property(c.name); !ok || got != c.want {
					t.Errorf("Property(%q) = %q, %v; want %q", c.name, got, ok, c.want)
				}
			}
			for _, name := range []string{"User-Id", "Foo"} {
				if got, ok := m.Property(name); ok {
					t.Errorf("Property(%q) = %q, want none", name, got)
				}
			}
			mustSend(t, purePeer{router}, [][]byte{[]byte("py-dealer"), []byte("bye")})
			wait()
		})
		t.Run("libzmq-router/"+transport, func(t *testing.T) {
			names := []string{"Socket-Type", "Identity", "Peer-Address"}
			out, wait := runPython(t, pyMetaPeer, append([]string{"router", bindAddr(t, transport)}, names...)...)
			ep := readLine(t, out, wait)
			dealer := newPure(t, zmq.DEALER, zmq.WithRoutingID([]byte("pure-dealer")))
			if err := dealer.Connect(ep); err != nil {
				t.Fatal(err)
			}
			mustSend(t, purePeer{dealer}, [][]byte{[]byte("hi")})
			addr := "127.0.0.1"
			if transport == "ipc" {
				addr = fmt.Sprintf("localhost:%d:%d:%d", os.Getuid(), os.Getgid(), os.Getpid())
			}
			want := strings.Join([]string{"DEALER", "pure-dealer", addr}, "|")
			if got := readLine(t, out, wait); got != want {
				t.Errorf("libzmq zmq_msg_gets %v = %q, want %q", names, got, want)
			}
			wait()
		})
	}
}
