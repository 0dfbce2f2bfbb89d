// Package clitest drives the zmq binary as a user would, against python3-zmq peers (libzmq
// 4.3.4): it builds cmd/zmq once, runs it as a subprocess and checks its output, exit status
// and what the peers received.
package clitest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// python is Debian's interpreter, which has python3-zmq; the python3 first on PATH may not.
const python = "/usr/bin/python3"

// timeout bounds every subprocess, so a test that goes wrong fails instead of hanging.
const timeout = 30 * time.Second

// zmqBin is the built zmq binary.
var zmqBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "zmq-clitest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	zmqBin = filepath.Join(dir, "zmq")
	build := exec.Command("go", "build", "-o", zmqBin, "./cmd/zmq")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build ./cmd/zmq: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := 0
	defer func() { os.RemoveAll(dir); os.Exit(code) }()
	goleak.VerifyTestMain(exitCode{&code, m})
}

// exitCode lets TestMain remove the binary after goleak has run the tests.
type exitCode struct {
	code *int
	m    *testing.M
}

func (e exitCode) Run() int { *e.code = e.m.Run(); return *e.code }

// pythonZMQ reports why python cannot run a pyzmq peer, or nil; asked once per run.
var pythonZMQ = sync.OnceValue(func() error {
	return exec.Command(python, "-c", "import zmq").Run()
})

func needPython(t *testing.T) {
	t.Helper()
	if err := pythonZMQ(); err != nil {
		t.Skipf("python3-zmq unavailable: %s -c 'import zmq': %v", python, err)
	}
}

// result is a finished subprocess.
type result struct {
	stdout, stderr []byte
	code           int // exit status; -1 if it was killed
}

// runZmq runs the zmq binary with args and stdin to its end (at most timeout).
func runZmq(t *testing.T, stdin []byte, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, zmqBin, args...)
	return run(t, cmd, stdin)
}

func run(t *testing.T, cmd *exec.Cmd, stdin []byte) result {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd.Stdin = bytes.NewReader(stdin)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := result{stdout: out.Bytes(), stderr: errOut.Bytes()}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	default:
		t.Fatalf("%s: %v", cmd, err)
	}
	return r
}

// proc is a subprocess running in the background: the zmq binary or a python peer.
type proc struct {
	t      *testing.T
	cmd    *exec.Cmd
	cancel context.CancelFunc
	lines  chan string // stdout, line by line; closed at its end
	stderr *syncBuffer
	done   chan struct{}
	err    error
}

// startZmq starts the zmq binary with args; its stdout arrives on lines.
func startZmq(t *testing.T, args ...string) *proc {
	t.Helper()
	return start(t, zmqBin, args...)
}

// startPython runs a python3-zmq script with args; it skips the test without python3-zmq.
func startPython(t *testing.T, script string, args ...string) *proc {
	t.Helper()
	needPython(t)
	return start(t, python, append([]string{"-c", script}, args...)...)
}

func start(t *testing.T, name string, args ...string) *proc {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	p := &proc{t: t, cancel: cancel, lines: make(chan string, 1024), stderr: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.CommandContext(ctx, name, args...)
	p.cmd.Stderr = p.stderr
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() { p.kill() })
	return p
}

// line waits for the next line of stdout.
func (p *proc) line() string {
	p.t.Helper()
	select {
	case l, ok := <-p.lines:
		if !ok {
			p.wait()
			p.t.Fatalf("%s ended without the line expected; stderr:\n%s", p.cmd, p.stderr)
		}
		return l
	case <-time.After(timeout):
		p.t.Fatalf("%s printed no line in %v; stderr:\n%s", p.cmd, timeout, p.stderr)
	}
	return ""
}

// wait waits for the end and returns the exit status (-1 if killed).
func (p *proc) wait() int {
	<-p.done
	p.cancel()
	var exit *exec.ExitError
	if errors.As(p.err, &exit) {
		return exit.ExitCode()
	}
	if p.err != nil {
		p.t.Errorf("%s: %v", p.cmd, p.err)
		return -1
	}
	return 0
}

// mustExit waits for a clean exit (status 0), failing the test otherwise.
func (p *proc) mustExit() {
	p.t.Helper()
	if code := p.wait(); code != 0 {
		p.t.Fatalf("%s exited with %d; stderr:\n%s", p.cmd, code, p.stderr)
	}
}

// signal sends sig to the process (SIGINT, SIGTERM).
func (p *proc) signal(sig os.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
}

func (p *proc) kill() {
	select {
	case <-p.done:
	default:
		p.cancel()
		<-p.done
	}
}

// syncBuffer is a bytes.Buffer safe for the subprocess's writer and the test's reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// ipcEndpoint is a fresh ipc endpoint in the test's temporary directory.
func ipcEndpoint(t *testing.T, name string) string {
	return "ipc://" + filepath.Join(t.TempDir(), name)
}

// trimLines splits output into its lines, without the last newline.
func trimLines(b []byte) []string {
	s := strings.TrimSuffix(string(b), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
