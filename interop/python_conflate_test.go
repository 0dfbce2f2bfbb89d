package interop

import (
	"fmt"
	"net"
	"testing"

	"github.com/purezmq/zmq"
)

// pyLatePull is a python3-zmq PULL that binds endpoint and prints each message it receives,
// then "end" once nothing more comes within quiet ms.
const pyLatePull = `
import sys, zmq
endpoint, quiet = sys.argv[1], int(sys.argv[2])
ctx = zmq.Context()
s = ctx.socket(zmq.PULL)
s.linger = 0
s.bind(endpoint)
s.rcvtimeo = 10000
print(b"|".join(s.recv_multipart()).decode(), flush=True)
s.rcvtimeo = quiet
try:
    while True:
        print(b"|".join(s.recv_multipart()).decode(), flush=True)
except zmq.Again:
    print("end", flush=True)
s.close()
ctx.term()
`

// TestPythonConflateSend: a purezmq PUSH with CONFLATE that queued ten messages before its peer
// existed delivers only the last to a libzmq PULL, as a libzmq PUSH does.
func TestPythonConflateSend(t *testing.T) {
	for _, transport := range transports {
		t.Run(transport, func(t *testing.T) {
			ep := lateEndpoint(t, transport)
			push := newPure(t, zmq.PUSH, zmq.WithConflate(true))
			if err := push.Connect(ep); err != nil {
				t.Fatal(err)
			}
			p := purePeer{push}
			for i := range 10 {
				mustSend(t, p, [][]byte{[]byte(fmt.Sprintf("m%d", i))})
			}
			out, wait := runPython(t, pyLatePull, ep, fmt.Sprint(quiet.Milliseconds()))
			for _, want := range []string{"m9", "end"} {
				if got := readLine(t, out, wait); got != want {
					t.Fatalf("python PULL printed %q, want %q", got, want)
				}
			}
			wait()
		})
	}
}

// lateEndpoint returns an endpoint nobody binds yet, for a peer that connects first: a loopback
// port that was free a moment ago, or a fresh ipc path.
func lateEndpoint(t *testing.T, transport string) string {
	t.Helper()
	if transport == "ipc" {
		return bindAddr(t, transport)
	}
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return "tcp://" + l.Addr().String()
}
