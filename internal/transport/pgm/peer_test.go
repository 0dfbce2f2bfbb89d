package pgm_test

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/purezmq/zmq/internal/netnstest"
)

// python is Debian's interpreter, which has python3-zmq (libzmq 4.3.4 built with OpenPGM).
const python = "/usr/bin/python3"

// pyCommon is what both libzmq peers share: the numbered messages every test sends.
const pyCommon = `
import sys, zmq, threading
def want(i):
    m = [b"%08d" % i, bytes([i % 256]) * ((i * 37) % 300)]
    if i % 7 == 0:
        m.append(b"end")
    return m
`

// pySub receives n numbered messages after any pings, checking each whole and in order.
// A late joiner (argv[5] == "late") starts at whatever message comes first.
const pySub = pyCommon + `
ep, n, rate, timeout, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
c = zmq.Context(); s = c.socket(zmq.SUB)
s.setsockopt(zmq.RATE, rate); s.setsockopt(zmq.RCVTIMEO, timeout); s.setsockopt(zmq.RCVHWM, 0)
s.setsockopt(zmq.SUBSCRIBE, b"")
s.connect(ep)
print("ready", flush=True)
got, joined, i = 0, False, 0
try:
    while got < n:
        m = s.recv_multipart()
        if m[0] == b"ping":
            if not joined:
                print("joined", flush=True); joined = True
            continue
        if mode == "late" and got == 0:
            i = int(m[0])
        if m != want(i):
            print("bad message", i, m[0], len(m), flush=True); sys.exit(1)
        i += 1; got += 1
except zmq.Again:
    print("timeout after", got, flush=True); sys.exit(1)
print("ok", got, flush=True)
`

// pyPub sends pings until a line comes on stdin, then n numbered messages; it closes when a
// second line comes (a PGM source that closes repairs no more: the receiver says when it is
// done).
const pyPub = pyCommon + `
ep, n, rate = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
c = zmq.Context(); p = c.socket(zmq.PUB)
p.setsockopt(zmq.RATE, rate); p.setsockopt(zmq.SNDHWM, 0)
p.connect(ep)
go, done = threading.Event(), threading.Event()
def wait():
    sys.stdin.readline(); go.set()
    sys.stdin.readline(); done.set()
threading.Thread(target=wait, daemon=True).start()
print("ready", flush=True)
while not go.wait(0.02):
    p.send(b"ping")
for i in range(n):
    p.send_multipart(want(i))
print("sent", n, flush=True)
done.wait()
p.close(linger=60000); c.term()
print("closed", flush=True)
`

// pyStream sends numbered messages without end until killed, paced, for late joiners.
const pyStream = pyCommon + `
ep, rate = sys.argv[1], int(sys.argv[2])
import time
c = zmq.Context(); p = c.socket(zmq.PUB)
p.setsockopt(zmq.RATE, rate); p.setsockopt(zmq.SNDHWM, 0)
p.connect(ep)
print("ready", flush=True)
i = 0
while True:
    p.send_multipart(want(i)); i += 1
    if i % 50 == 0:
        time.sleep(0.005)
`

// pyPeer is a python3-zmq process inside a namespace (netnstest.Proc), failing its test on
// what it should not say.
type pyPeer struct {
	t testing.TB
	*netnstest.Proc
}

func startPy(t testing.TB, ns netnstest.NS, script string, args ...string) *pyPeer {
	t.Helper()
	if err := exec.Command(python, "-c", "import zmq; assert zmq.has('pgm')").Run(); err != nil {
		t.Skipf("needs %s with python3-zmq built with OpenPGM: %v", python, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	proc, err := ns.Start(ctx, python, append([]string{"-c", script}, args...)...)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	proc.Name = "python peer"
	p := &pyPeer{t: t, Proc: proc}
	t.Cleanup(func() {
		proc.Kill()
		cancel()
	})
	p.expect("ready", time.Minute)
	return p
}

// expect waits for a line starting with prefix and returns it; any other line fails t.
func (p *pyPeer) expect(prefix string, d time.Duration) string {
	p.t.Helper()
	line, err := p.Expect(prefix, d)
	if err != nil {
		p.t.Fatal(err)
	}
	return line
}

func (p *pyPeer) send(line string) {
	if err := p.Send(line); err != nil {
		p.t.Fatal(err)
	}
}
