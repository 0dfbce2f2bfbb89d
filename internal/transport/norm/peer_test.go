package norm

import (
	"bytes"
	"context"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/purezmq/zmq/internal/netnstest"
)

// python is Debian's interpreter, which has python3-zmq (libzmq 4.3.4 built with NORM).
const python = "/usr/bin/python3"

// PyPub publishes n messages [b"top", b"%d", b"x"*size] to argv[1], then lingers (so that
// NORM repairs what its receivers lack) and closes. argv[6], when given, is RATE (kbit/s).
const PyPub = `
import sys, time, zmq
ep, n, size, gap = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
c = zmq.Context(); p = c.socket(zmq.PUB)
if len(sys.argv) > 6: p.setsockopt(zmq.RATE, int(sys.argv[6]))
p.setsockopt(zmq.SNDHWM, 0)
p.connect(ep)
time.sleep(0.5)
warm = time.time() + (float(sys.argv[7]) if len(sys.argv) > 7 else 0)
while time.time() < warm:
    p.send(b"warm")
    time.sleep(gap or 0.001)
for i in range(n):
    p.send_multipart([b"top", b"%d" % i, b"x" * size])
    if gap: time.sleep(gap)
time.sleep(float(sys.argv[5]))
p.close(); c.term()
`

// PySub subscribes to argv[1]; it prints "ready" once it has a message [b"hello"] (the
// publisher repeats it until then: a late joiner misses what was sent before it joined), then
// prints, one line each, the other messages it receives as their frame count, second frame
// and last frame's length, until it has argv[2] of them or argv[3] ms pass without one.
const PySub = `
import sys, zmq
c = zmq.Context(); s = c.socket(zmq.SUB); s.setsockopt(zmq.SUBSCRIBE, b"")
s.setsockopt(zmq.RCVTIMEO, int(sys.argv[3])); s.connect(sys.argv[1])
n = 0
ready = False
try:
    while n < int(sys.argv[2]):
        m = s.recv_multipart()
        if m == [b"hello"]:
            if not ready:
                print("ready", flush=True)
                ready = True
            continue
        n += 1
        print(len(m), m[1].decode(), len(m[-1]), flush=True)
except zmq.Again:
    pass
print("got", n, flush=True)
s.close(); c.term()
`

// PyPeer is a python3-zmq process in a namespace.
type PyPeer struct {
	cmd    *exec.Cmd
	out    bytes.Buffer
	errb   bytes.Buffer
	done   chan struct{}
	ready  chan struct{} // closed when the peer prints "ready"
	cancel context.CancelFunc
	mu     sync.Mutex
}

// StartPy runs script with args in namespace ns, killed at t's end if still running.
func StartPy(t testing.TB, ns netnstest.NS, script string, args ...any) *PyPeer {
	t.Helper()
	if _, err := exec.LookPath(python); err != nil {
		t.Skip("norm: needs " + python + " with python3-zmq")
	}
	// Long enough for a paced libzmq PUB's 100,000 messages (-norm.long: two minutes at a
	// message a millisecond, more on a busy machine); a peer that hangs is killed then, or at
	// t's end.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	argv := []string{"-c", script}
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
	p := &PyPeer{cmd: ns.Command(ctx, python, argv...), done: make(chan struct{}), ready: make(chan struct{}), cancel: cancel}
	p.cmd.Stdout, p.cmd.Stderr = &lockedWriter{mu: &p.mu, b: &p.out, ready: p.ready}, &lockedWriter{mu: &p.mu, b: &p.errb}
	if err := p.cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.cancel(); <-p.done })
	return p
}

// wait waits for the process to end and returns its output.
func (p *PyPeer) Wait(t testing.TB) string {
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
func (p *PyPeer) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

type lockedWriter struct {
	mu    *sync.Mutex
	b     *bytes.Buffer
	ready chan struct{}
}

func (w *lockedWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.b.Write(b)
	if w.ready != nil && bytes.HasPrefix(w.b.Bytes(), []byte("ready\n")) {
		close(w.ready)
		w.ready = nil
	}
	return n, err
}

// WaitReady calls hello every 100 ms until the peer prints "ready", or ends.
func (p *PyPeer) WaitReady(t testing.TB, hello func()) {
	t.Helper()
	tk := time.NewTicker(100 * time.Millisecond)
	defer tk.Stop()
	for {
		hello()
		select {
		case <-p.ready:
			return
		case <-p.done:
			t.Fatalf("python peer ended before it was ready: %s", p.errb.String())
		case <-tk.C:
		}
	}
}

// InNS runs f inside ns (sockets it opens live there) and fails t if f or the switch fails.
func InNS(t testing.TB, ns netnstest.NS, f func() error) {
	t.Helper()
	if err := ns.Do(f); err != nil {
		t.Fatalf("in %s: %v", ns.Name, err)
	}
}
