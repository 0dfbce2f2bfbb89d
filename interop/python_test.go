package interop

import (
	"bufio"
	"context"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/purezmq/zmq"
)

// python is Debian's interpreter, which has python3-zmq; the python3 first on PATH may not.
const python = "/usr/bin/python3"

// pythonZMQ reports why python cannot run pyPeer, or nil; asked once per run.
var pythonZMQ = sync.OnceValue(func() error {
	return exec.Command(python, "-c", "import zmq").Run()
})

// pyPeer is a python3-zmq REQ or REP that does one exchange and exits. It prints the endpoint it
// bound (REP) and then the reply it got (REQ). Every call is bounded by timeouts and LINGER 0, so
// it cannot hang.
const pyPeer = `
import sys, zmq
role, endpoint = sys.argv[1], sys.argv[2]
ctx = zmq.Context()
s = ctx.socket(zmq.REP if role == "rep" else zmq.REQ)
s.linger = 0
s.rcvtimeo = s.sndtimeo = 10000
if role == "rep":
    s.bind(endpoint)
    print(s.getsockopt_string(zmq.LAST_ENDPOINT), flush=True)
    request = s.recv_multipart()
    s.send_multipart([b"python got"] + request)
else:
    s.connect(endpoint)
    s.send_multipart([b"hello", b"from python"])
    print(b"|".join(s.recv_multipart()).decode(), flush=True)
s.close()
ctx.term()
`

// startPython runs pyPeer in role with endpoint and returns its stdout and a wait function that
// fails the test unless it exits cleanly.
func startPython(t *testing.T, role, endpoint string) (*bufio.Scanner, func()) {
	t.Helper()
	return runPython(t, pyPeer, role, endpoint)
}

// runPython runs a python3-zmq script with args, as startPython does.
func runPython(t *testing.T, script string, args ...string) (*bufio.Scanner, func()) {
	t.Helper()
	if err := pythonZMQ(); err != nil {
		t.Skipf("python3-zmq unavailable: %s -c 'import zmq': %v", python, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*ioTimeout)
	cmd := exec.CommandContext(ctx, python, append([]string{"-c", script}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waited := false
	wait := func() {
		t.Helper()
		if waited {
			return
		}
		waited = true
		defer cancel()
		if err := cmd.Wait(); err != nil {
			t.Errorf("python %v: %v\n%s", args, err, stderr.String())
		}
	}
	t.Cleanup(wait)
	return bufio.NewScanner(out), wait
}

// readLine returns the next line python printed, failing the test if there is none.
func readLine(t *testing.T, sc *bufio.Scanner, wait func()) string {
	t.Helper()
	if !sc.Scan() {
		wait()
		t.Fatalf("python printed nothing: %v", sc.Err())
	}
	return sc.Text()
}

func TestPython(t *testing.T) {
	t.Run("REQ-REP/tcp/python-binds", func(t *testing.T) {
		out, wait := startPython(t, "rep", "tcp://127.0.0.1:*")
		ep := readLine(t, out, wait)
		req := newPure(t, zmq.REQ)
		if err := req.Connect(ep); err != nil {
			t.Fatal(err)
		}
		p := purePeer{req}
		mustSend(t, p, [][]byte{[]byte("hello"), {}, []byte("from purezmq")})
		expect(t, p, [][]byte{[]byte("python got"), []byte("hello"), {}, []byte("from purezmq")})
		wait()
	})
	t.Run("REP-REQ/tcp/pure-binds", func(t *testing.T) {
		rep := newPure(t, zmq.REP)
		out, wait := startPython(t, "req", pureBind(t, rep, "tcp://127.0.0.1:*"))
		p := purePeer{rep}
		expect(t, p, [][]byte{[]byte("hello"), []byte("from python")})
		mustSend(t, p, [][]byte{[]byte("purezmq got"), []byte("hello")})
		if got, want := readLine(t, out, wait), "purezmq got|hello"; got != want {
			t.Errorf("python REQ received %q, want %q", got, want)
		}
		wait()
	})
}
