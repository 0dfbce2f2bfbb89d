package norm

import (
	"bytes"
	"context"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"
)

// python is Debian's interpreter, which has python3-zmq (libzmq 4.3.4 built with NORM).
const python = "/usr/bin/python3"

// pyPub publishes n messages [b"top", b"%d", b"x"*size] to argv[1], then lingers (so that
// NORM repairs what its receivers lack) and closes.
const pyPub = `
import sys, time, zmq
ep, n, size, gap = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
c = zmq.Context(); p = c.socket(zmq.PUB); p.connect(ep)
time.sleep(0.5)
for i in range(n):
    p.send_multipart([b"top", b"%d" % i, b"x" * size])
    if gap: time.sleep(gap)
time.sleep(float(sys.argv[5]))
p.close(); c.term()
`

// pySub prints, one line each, the messages it receives on argv[1] as their frame lengths
// and second frame, until it has argv[2] of them or argv[3] ms pass without one.
const pySub = `
import sys, zmq
c = zmq.Context(); s = c.socket(zmq.SUB); s.setsockopt(zmq.SUBSCRIBE, b"")
s.setsockopt(zmq.RCVTIMEO, int(sys.argv[3])); s.connect(sys.argv[1])
print("ready", flush=True)
n = 0
try:
    while n < int(sys.argv[2]):
        m = s.recv_multipart(); n += 1
        print(len(m), m[1].decode(), len(m[-1]), flush=True)
except zmq.Again:
    pass
print("got", n, flush=True)
s.close(); c.term()
`

// pyPeer is a python3-zmq process in a namespace.
type pyPeer struct {
	cmd    *exec.Cmd
	out    bytes.Buffer
	errb   bytes.Buffer
	done   chan struct{}
	cancel context.CancelFunc
	mu     sync.Mutex
}

// startPy runs script with args in namespace ns, killed at t's end if still running.
func startPy(t testing.TB, ns, script string, args ...any) *pyPeer {
	t.Helper()
	if _, err := exec.LookPath(python); err != nil {
		t.Skip("norm: needs " + python + " with python3-zmq")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	argv := []string{"netns", "exec", ns, python, "-c", script}
	for _, a := range args {
		switch v := a.(type) {
		case string:
			argv = append(argv, v)
		case int:
			argv = append(argv, strconv.Itoa(v))
		case float64:
			argv = append(argv, strconv.FormatFloat(v, 'f', -1, 64))
		}
	}
	p := &pyPeer{cmd: exec.CommandContext(ctx, "ip", argv...), done: make(chan struct{}), cancel: cancel}
	p.cmd.Stdout, p.cmd.Stderr = &lockedWriter{&p.mu, &p.out}, &lockedWriter{&p.mu, &p.errb}
	if err := p.cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.cancel(); <-p.done })
	return p
}

// wait waits for the process to end and returns its output.
func (p *pyPeer) wait(t testing.TB) string {
	t.Helper()
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.cmd.ProcessState.Success() {
		t.Errorf("python peer: %v\n%s", p.cmd.ProcessState, p.errb.String())
	}
	return p.out.String()
}

// output returns what the process printed so far.
func (p *pyPeer) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w *lockedWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(b)
}
