// Package childtest runs a test binary again as a child process — a server, a proxy, a pool
// member — for tests that kill, stop or lose a peer for real. The child is the same binary
// with an environment variable its TestMain looks for; it prints lines on stdout that the test
// reads, and ends when its stdin closes (so it also ends when the test binary dies).
package childtest

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Silence is how long Next waits for a line before it fails the test.
const Silence = 20 * time.Second

// Child is the test binary running as a child process.
type Child struct {
	*exec.Cmd
	Input  io.WriteCloser // its stdin: what the test tells it; closed at the end of the test
	name   string
	lines  chan string   // its stdout, closed at its end
	exited chan struct{} // closed once it has ended and been waited for
}

// Start runs the test binary (no test selected) with env added to the environment; name says
// who it is in failures. The child ends with the test: its stdin is closed, and it is killed
// if it has not ended 5 s later. Its stderr is the test binary's.
func Start(t testing.TB, name string, env ...string) *Child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &Child{Cmd: cmd, Input: stdin, name: name, lines: make(chan string, 4096), exited: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
		close(c.lines)
		_ = cmd.Wait() // after the last read, as os/exec asks
		close(c.exited)
	}()
	t.Cleanup(func() {
		stdin.Close()
		kill := time.NewTimer(5 * time.Second)
		defer kill.Stop()
		lines := c.lines
		for {
			select {
			case <-c.exited:
				return
			case <-kill.C:
				_ = cmd.Process.Kill()
			case _, ok := <-lines: // lines nobody read must not hold the reader up
				if !ok {
					lines = nil
				}
			}
		}
	})
	return c
}

// Next is the child's next line; the test fails if the child ends or stays silent for Silence.
func (c *Child) Next(t testing.TB) string {
	t.Helper()
	select {
	case l, ok := <-c.lines:
		if !ok {
			t.Fatalf("%s ended", c.name)
		}
		return l
	case <-time.After(Silence):
		t.Fatalf("%s said nothing for %v", c.name, Silence)
	}
	return ""
}

// Expect reads the next line and fails the test unless it is want or, when want ends with
// '*', starts with what comes before it; it returns the line.
func (c *Child) Expect(t testing.TB, want string) string {
	t.Helper()
	got := c.Next(t)
	if p, ok := strings.CutSuffix(want, "*"); ok && strings.HasPrefix(got, p) || got == want {
		return got
	}
	t.Fatalf("%s said %q, want %q", c.name, got, want)
	return ""
}

// Rest is every line the child printed and the test did not read, once it has ended (killed,
// say); it waits for that end.
func (c *Child) Rest() []string {
	var ls []string
	for l := range c.lines {
		ls = append(ls, l)
	}
	return ls
}
