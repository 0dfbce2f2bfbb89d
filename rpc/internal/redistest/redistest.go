// Package redistest runs private redis-server processes for tests: each on its own free
// 127.0.0.1 port with its own data directory, nothing saved, stopped when the test ends.
package redistest

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/purezmq/zmq/internal/freeport"
)

// startTimeout bounds a start: a server that has not said it is ready by then is broken.
const startTimeout = 20 * time.Second

// Server is one redis-server (or Sentinel) process of a test.
type Server struct {
	t    testing.TB
	bin  string
	dir  string
	Port int
	args func(port int) []string // the command line for a port
	want string                  // the log line that says it is ready

	mu   sync.Mutex
	proc *process // nil while stopped
}

type process struct {
	cmd    *exec.Cmd
	log    *logWriter
	exited chan struct{} // closed once cmd.Wait has returned
}

// Start runs a redis-server for t and stops it at cleanup. The test is skipped, saying so, when
// redis-server is not installed (make test installs it).
func Start(t testing.TB) *Server {
	t.Helper()
	bin := find(t)
	dir := t.TempDir()
	s := &Server{t: t, bin: bin, dir: dir, want: "Ready to accept connections"}
	s.args = func(port int) []string {
		return []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
			"--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", ""}
	}
	s.startFresh()
	return s
}

// StartSentinel runs a Sentinel that monitors master under name, ready once it has taken the
// master on.
func StartSentinel(t testing.TB, master *Server, name string) *Server {
	t.Helper()
	bin := find(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "sentinel.conf")
	s := &Server{t: t, bin: bin, dir: dir, want: "+monitor master " + name}
	s.args = func(port int) []string {
		// Sentinel rewrites its config file, so it is written afresh for each start.
		body := fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %s\nsentinel monitor %s 127.0.0.1 %d 1\n",
			port, dir, name, master.Port)
		if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
			t.Fatalf("redistest: %v", err)
		}
		return []string{conf, "--sentinel"}
	}
	s.startFresh()
	return s
}

func find(t testing.TB) string {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not installed (make test installs it with apt-get): skipping the tests against a real Redis")
	}
	return bin
}

// startFresh starts on a free port, trying another if the one picked was taken meanwhile.
func (s *Server) startFresh() {
	s.t.Helper()
	var err error
	for range 3 {
		s.Port, err = freePort()
		if err != nil {
			break
		}
		if err = s.start(); err == nil {
			s.t.Cleanup(s.Stop)
			return
		}
	}
	s.t.Fatalf("redistest: %v", err)
}

// freePort picks a port below the ephemeral range (package freeport): Restart starts the
// server again on its port, which no other socket can be handed meanwhile.
func freePort() (int, error) {
	ports, err := freeport.Pick(1)
	if err != nil {
		return 0, err
	}
	return ports[0], nil
}

func (s *Server) start() error {
	p := &process{log: newLogWriter(s.want), exited: make(chan struct{})}
	p.cmd = exec.Command(s.bin, s.args(s.Port)...)
	p.cmd.Dir = s.dir
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	dieWithParent(p.cmd)
	// Pdeathsig fires when the thread that started the process exits, not the process: start
	// and wait on a thread locked to this goroutine, which lives as long as the server does.
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := p.cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		p.cmd.Wait() // the exit status is the log's business
		close(p.exited)
	}()
	if err := <-started; err != nil {
		return err
	}
	timeout := time.NewTimer(startTimeout)
	defer timeout.Stop()
	select {
	case <-p.log.ready:
	case <-p.exited:
		return fmt.Errorf("redis-server on port %d exited at start:\n%s", s.Port, p.log.tail())
	case <-timeout.C:
		p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("redis-server on port %d not ready after %v:\n%s", s.Port, startTimeout, p.log.tail())
	}
	if err := ping(s.Addr()); err != nil {
		p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("redis-server on port %d said it was ready but: %w", s.Port, err)
	}
	s.mu.Lock()
	s.proc = p
	s.mu.Unlock()
	return nil
}

// ping checks that the server answers, as a client would see it.
func ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(line) != "+PONG" {
		return fmt.Errorf("PING answered %q", line)
	}
	return nil
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port)) }

// URL is the transport URL of the server, database 0.
func (s *Server) URL() string { return "zmq+redis://" + s.Addr() + "/0" }

// Stop ends the server with SIGTERM and waits for it; stopping a stopped server does nothing.
func (s *Server) Stop() { s.end(syscall.SIGTERM) }

// Kill ends the server with SIGKILL and waits for it.
func (s *Server) Kill() { s.end(syscall.SIGKILL) }

func (s *Server) end(sig os.Signal) {
	s.mu.Lock()
	p := s.proc
	s.proc = nil
	s.mu.Unlock()
	if p == nil {
		return
	}
	p.cmd.Process.Signal(sig)
	<-p.exited
}

// Restart stops the server if it runs and starts it again on the same port, with no data.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	if err := s.start(); err != nil {
		s.t.Fatalf("redistest: restart: %v", err)
	}
}

// logWriter keeps the tail of the server's log and closes ready when want shows up.
type logWriter struct {
	mu    sync.Mutex
	buf   []byte
	want  []byte
	ready chan struct{}
	seen  bool
}

const logTail = 16 << 10

func newLogWriter(want string) *logWriter {
	return &logWriter{want: []byte(want), ready: make(chan struct{})}
}

func (w *logWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, b...)
	if !w.seen && bytes.Contains(w.buf, w.want) {
		w.seen = true
		close(w.ready)
	}
	if len(w.buf) > logTail {
		w.buf = append(w.buf[:0], w.buf[len(w.buf)-logTail/2:]...)
	}
	return len(b), nil
}

func (w *logWriter) tail() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return string(w.buf)
}
