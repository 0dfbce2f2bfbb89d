package rpctest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// python is Debian's interpreter, which has python3-zmq; the python3 first on PATH may not.
const python = "/usr/bin/python3"

// ioTimeout bounds every wait for a line from a script: it matters only when something is broken,
// and then the test fails instead of hanging.
const ioTimeout = 10 * time.Second

var pythonZMQ = sync.OnceValue(func() error { return exec.Command(python, "-c", "import zmq").Run() })

// line is one JSON line a script printed: an event, or the outcome of a call (Tag).
type line struct {
	Event     string            `json:"event"`
	Tag       string            `json:"tag"`
	ID        uint64            `json:"id"`
	Status    string            `json:"status"`
	Local     bool              `json:"local"`
	Result    json.RawMessage   `json:"result"`
	Error     *errorObject      `json:"error"`
	Endpoint  string            `json:"endpoint"`
	Method    string            `json:"method"`
	Kind      int               `json:"kind"`
	Key       string            `json:"key"`
	TimeoutUS uint64            `json:"timeout_us"`
	Meta      map[string]string `json:"meta"`
	Args      json.RawMessage   `json:"args"`
	Reason    string            `json:"reason"`
	Code      string            `json:"code"`

	CodeMismatch bool `json:"code_mismatch"`
	BadError     bool `json:"bad_error"`
	raw          string
}

// errorObject is a failed call's error object as the Python client printed it.
type errorObject struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Details map[string]string `json:"details"`
	Type    string            `json:"type"`
}

// script is a running testdata/*.py (or a Go server process): commands go to its stdin, its lines
// come on lines.
type script struct {
	t       *testing.T
	name    string
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	lines   chan line
	backlog []line // read while waiting for another line
	stderr  strings.Builder
	closed  bool
	killed  bool // by the test: its exit status is SIGKILL's
}

// startScript runs testdata/name with args, and env added to its environment.
func startScript(t *testing.T, env []string, name string, args ...string) *script {
	t.Helper()
	if err := pythonZMQ(); err != nil {
		t.Skipf("python3-zmq unavailable: %s -c 'import zmq': %v", python, err)
	}
	// -B: no __pycache__ in testdata.
	cmd := exec.Command(python, append([]string{"-B", filepath.Join("testdata", name)}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	return startProcess(t, name, cmd)
}

// startProcess runs cmd, a script or a Go server process, as name; the test's cleanup closes its
// stdin (it exits then), waits for it, and fails the test on any line that says the wire went
// wrong.
func startProcess(t *testing.T, name string, cmd *exec.Cmd) *script {
	t.Helper()
	s := &script{t: t, name: name, lines: make(chan line, 64), cmd: cmd}
	s.cmd.Stderr = &s.stderr
	s.cmd.WaitDelay = ioTimeout
	var err error
	if s.stdin, err = s.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go s.read(out)
	t.Cleanup(s.close)
	return s
}

func (s *script) read(out io.Reader) {
	defer close(s.lines)
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		l := line{raw: sc.Text()}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			l = line{Event: "unparsable", raw: sc.Text()}
		}
		s.lines <- l
	}
}

// close ends the script (it exits when its stdin closes) and checks what it printed last.
func (s *script) close() {
	if s.closed {
		return
	}
	s.closed = true
	s.stdin.Close()
	timer := time.AfterFunc(ioTimeout, func() { s.cmd.Process.Kill() })
	for l := range s.lines {
		s.backlog = append(s.backlog, l)
	}
	err := s.cmd.Wait()
	timer.Stop()
	if err != nil && !s.killed {
		s.t.Errorf("%s: %v\n%s", s.name, err, s.stderr.String())
	}
	for _, l := range s.backlog {
		switch {
		case l.Event == "late", l.Event == "unparsable", l.CodeMismatch, l.BadError:
			s.t.Errorf("%s printed %s", s.name, l.raw)
		case l.Event == "dropped" && s.name == "rpc_client.py":
			s.t.Errorf("%s dropped a reply: %s", s.name, l.raw)
		}
	}
}

// kill ends the script with SIGKILL: no goodbye on any socket.
func (s *script) kill(t *testing.T) {
	t.Helper()
	s.killed = true
	if err := s.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
}

// send writes one command line.
func (s *script) send(t *testing.T, cmd map[string]any) {
	t.Helper()
	b, err := json.Marshal(cmd)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.stdin.Write(append(b, '\n')); err != nil {
		t.Fatalf("%s: %v", s.name, err)
	}
}

// await returns the first line, printed so far or from now on, that match accepts; lines it
// skips stay for later awaits.
func (s *script) await(t *testing.T, what string, match func(line) bool) line {
	t.Helper()
	for i, l := range s.backlog {
		if match(l) {
			s.backlog = append(s.backlog[:i], s.backlog[i+1:]...)
			return l
		}
	}
	timer := time.NewTimer(ioTimeout)
	defer timer.Stop()
	for {
		select {
		case l, ok := <-s.lines:
			if !ok {
				t.Fatalf("%s exited before printing %s\n%s", s.name, what, s.stderr.String())
			}
			if match(l) {
				return l
			}
			s.backlog = append(s.backlog, l)
		case <-timer.C:
			t.Fatalf("%s printed no %s within %v; printed %s", s.name, what, ioTimeout, s.printed())
		}
	}
}

func (s *script) printed() string {
	var b strings.Builder
	for _, l := range s.backlog {
		fmt.Fprintln(&b, l.raw)
	}
	return b.String()
}

// event waits for the script's next line of event name (about call id, when id is not 0).
func (s *script) event(t *testing.T, name string, id uint64) line {
	t.Helper()
	return s.await(t, fmt.Sprintf("event %s (id %d)", name, id), func(l line) bool {
		return l.Event == name && (id == 0 || l.ID == id)
	})
}

// outcome waits for the Python client's line about the call tagged tag.
func (s *script) outcome(t *testing.T, tag string) line {
	t.Helper()
	return s.await(t, "outcome of "+tag, func(l line) bool { return l.Tag == tag && l.Event == "" })
}

// startPyServer runs the Python server of topic named name, with env (rpcwire.py's curve says
// which variables it reads), and returns it with its endpoint.
func startPyServer(t *testing.T, name string, env ...string) (*script, string) {
	t.Helper()
	s := startScript(t, env, "rpc_server.py", topic, name)
	return s, s.event(t, "ready", 0).Endpoint
}

// startPyClient runs the Python client calling topicKey at endpoint, with env as startPyServer.
func startPyClient(t *testing.T, endpoint string, env ...string) *script {
	t.Helper()
	c := startScript(t, env, "rpc_client.py", topicKey, endpoint)
	c.event(t, "ready", 0)
	return c
}

// ctxIO is a context bounded by ioTimeout.
func ctxIO(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
	t.Cleanup(cancel)
	return ctx
}
