// Package proctest runs the programs an interop test drives as a user would: built Go binaries
// and python3-zmq peers (Debian's /usr/bin/python3, libzmq 4.3.4), each bounded by Timeout,
// their stdout read line by line and their stderr kept for the failure message.
package proctest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"
)

// Python is Debian's interpreter, which has python3-zmq; the python3 first on PATH may not.
const Python = "/usr/bin/python3"

// Timeout bounds every subprocess, so a test that goes wrong fails instead of hanging.
const Timeout = 30 * time.Second

// pythonZMQ reports why Python cannot run a pyzmq peer, or nil; asked once per run.
var pythonZMQ = sync.OnceValue(func() error {
	return exec.Command(Python, "-c", "import zmq").Run()
})

// NeedPython skips the test when python3-zmq is missing (make test installs it).
func NeedPython(t *testing.T) {
	t.Helper()
	if err := pythonZMQ(); err != nil {
		t.Skipf("python3-zmq unavailable: %s -c 'import zmq': %v", Python, err)
	}
}

// Result is a finished subprocess.
type Result struct {
	Stdout, Stderr []byte
	Code           int // exit status; -1 if it was killed
}

// Run runs cmd with stdin to its end; a command that cannot start fails the test.
func Run(t *testing.T, cmd *exec.Cmd, stdin []byte) Result {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd.Stdin = bytes.NewReader(stdin)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := Result{Stdout: out.Bytes(), Stderr: errOut.Bytes()}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		r.Code = exit.ExitCode()
	default:
		t.Fatalf("%s: %v", cmd, err)
	}
	return r
}

// Proc is a subprocess running in the background; it is killed when the test ends.
type Proc struct {
	t      *testing.T
	cmd    *exec.Cmd
	cancel context.CancelFunc
	lines  chan string // stdout, line by line; closed at its end
	stderr *SyncBuffer
	done   chan struct{}
	err    error
}

// StartPython runs a python3-zmq script (its text) with args; it skips the test without
// python3-zmq.
func StartPython(t *testing.T, script string, args ...string) *Proc {
	t.Helper()
	NeedPython(t)
	return Start(t, Python, append([]string{"-c", script}, args...)...)
}

// Start starts the program name with args, for at most Timeout.
func Start(t *testing.T, name string, args ...string) *Proc {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	p := &Proc{t: t, cancel: cancel, lines: make(chan string, 1024), stderr: &SyncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.CommandContext(ctx, name, args...)
	p.cmd.Stderr = p.stderr
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		cancel()
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
	t.Cleanup(p.Kill)
	return p
}

// String names the command, for messages.
func (p *Proc) String() string { return p.cmd.String() }

// Stderr is what the process wrote on stderr so far.
func (p *Proc) Stderr() string { return p.stderr.String() }

// Line waits for the next line of stdout.
func (p *Proc) Line() string {
	p.t.Helper()
	select {
	case l, ok := <-p.lines:
		if !ok {
			p.Wait()
			p.t.Fatalf("%s ended without the line expected; stderr:\n%s", p.cmd, p.stderr)
		}
		return l
	case <-time.After(Timeout):
		p.t.Fatalf("%s printed no line in %v; stderr:\n%s", p.cmd, Timeout, p.stderr)
	}
	return ""
}

// Wait waits for the end and returns the exit status (-1 if killed).
func (p *Proc) Wait() int {
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

// MustExit waits for a clean exit (status 0), failing the test otherwise.
func (p *Proc) MustExit() {
	p.t.Helper()
	if code := p.Wait(); code != 0 {
		p.t.Fatalf("%s exited with %d; stderr:\n%s", p.cmd, code, p.stderr)
	}
}

// Signal sends sig to the process (SIGINT, SIGTERM).
func (p *Proc) Signal(sig os.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
}

// Kill ends the process now, if it still runs, and waits for its end.
func (p *Proc) Kill() {
	select {
	case <-p.done:
	default:
		p.cancel()
		<-p.done
	}
}

// SyncBuffer is a bytes.Buffer safe for a subprocess's writer and the test's reader.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// Expect waits for the next line of stdout and fails the test unless it is want (a peer's
// "ready", say).
func (p *Proc) Expect(want string) {
	p.t.Helper()
	if l := p.Line(); l != want {
		p.t.Fatalf("%s: got %q, want %q; stderr:\n%s", p.cmd, l, want, p.stderr)
	}
}

// Rest waits for the end of the process and returns the lines of stdout not read yet.
func (p *Proc) Rest() []string {
	<-p.done
	var rest []string
	for l := range p.lines {
		rest = append(rest, l)
	}
	return rest
}
