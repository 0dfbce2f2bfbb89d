package interop

import (
	"context"
	"testing"

	"github.com/purezmq/zmq"
)

// pyAliasPeer is a python3-zmq DEALER or ROUTER that binds, prints its endpoint and then the
// message it received; or ("alias-client") a libzmq ROUTER with ROUTER_MANDATORY that connects
// under CONNECT_ROUTING_ID "alias" and sends to it at once, without waiting, printing "sent"
// or the error libzmq gave.
const pyAliasPeer = `
import sys, zmq
role, endpoint = sys.argv[1], sys.argv[2]
ctx = zmq.Context()
s = ctx.socket(zmq.ROUTER if role in ("router", "alias-client") else zmq.DEALER)
s.linger = 0
s.rcvtimeo = s.sndtimeo = 10000
if role == "alias-client":
    s.router_mandatory = 1
    s.setsockopt(zmq.CONNECT_ROUTING_ID, b"alias")
    s.connect(endpoint)
    try:
        s.send_multipart([b"alias", b"from libzmq"], zmq.DONTWAIT)
        print("sent", flush=True)
    except zmq.ZMQError as e:
        print("error", e.errno, flush=True)
    s.close(1000)
else:
    s.bind(endpoint)
    print(s.getsockopt_string(zmq.LAST_ENDPOINT), flush=True)
    print(b"|".join(s.recv_multipart()).decode(), flush=True)
    s.close()
ctx.term()
`

// TestPythonConnectRoutingID: a purezmq ROUTER under ROUTER_MANDATORY sends to its
// CONNECT_ROUTING_ID alias right after Connect, without waiting, and a libzmq DEALER or ROUTER
// receives it; and libzmq's ROUTER does the same, which is the behaviour matched.
func TestPythonConnectRoutingID(t *testing.T) {
	for _, transport := range transports {
		for _, peer := range []string{"dealer", "router"} {
			t.Run(peer+"/"+transport+"/python-binds", func(t *testing.T) {
				out, wait := runPython(t, pyAliasPeer, peer, bindAddr(t, transport))
				ep := readLine(t, out, wait)
				router := newPure(t, zmq.ROUTER, zmq.WithRouterMandatory(true), zmq.WithRoutingID([]byte("pure")))
				if err := router.SetConnectRoutingID([]byte("alias")); err != nil {
					t.Fatal(err)
				}
				if err := router.Connect(ep); err != nil {
					t.Fatal(err)
				}
				done, cancel := context.WithCancel(context.Background())
				cancel() // ZMQ_DONTWAIT: the alias must take it at once
				if err := router.Send(done, zmq.NewMsgString("alias", "from purezmq")); err != nil {
					t.Fatalf("send to the alias right after Connect: %v", err)
				}
				want := "from purezmq"
				if peer == "router" {
					want = "pure|" + want
				}
				if got := readLine(t, out, wait); got != want {
					t.Errorf("python %s received %q, want %q", peer, got, want)
				}
				wait()
			})
		}
		t.Run("libzmq-alias-client/"+transport, func(t *testing.T) {
			dealer := newPure(t, zmq.DEALER)
			out, wait := runPython(t, pyAliasPeer, "alias-client", pureBind(t, dealer, bindAddr(t, transport)))
			if got := readLine(t, out, wait); got != "sent" {
				t.Fatalf("libzmq ROUTER sending to its alias right after connect: %q", got)
			}
			expect(t, purePeer{dealer}, [][]byte{[]byte("from libzmq")})
			wait()
		})
	}
}
