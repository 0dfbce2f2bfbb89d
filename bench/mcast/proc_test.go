package mcast

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/purezmq/zmq/internal/netnstest"
)

// proc is a peer running inside a namespace; its stdout comes line by line.
type proc struct {
	name   string
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string
	stderr lockedBuffer
	done   chan error
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// start runs bin with args inside ns; ctx kills it.
func start(ctx context.Context, ns netnstest.NS, bin string, args ...string) (*proc, error) {
	p := &proc{name: bin + " " + strings.Join(args, " "), lines: make(chan string, 16), done: make(chan error, 1)}
	p.cmd = ns.Command(ctx, bin, args...)
	p.cmd.Stderr = &p.stderr
	var err error
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
		p.done <- p.cmd.Wait()
	}()
	return p, nil
}

// expect waits up to d for the next line, which must start with prefix.
func (p *proc) expect(prefix string, d time.Duration) (string, error) {
	select {
	case line, ok := <-p.lines:
		if !ok {
			return "", fmt.Errorf("%s ended before %q: %s", p.name, prefix, p.stderr.String())
		}
		if !strings.HasPrefix(line, prefix) {
			return "", fmt.Errorf("%s said %q, want %q: %s", p.name, line, prefix, p.stderr.String())
		}
		return line, nil
	case <-time.After(d):
		return "", fmt.Errorf("%s: no %q within %v: %s", p.name, prefix, d, p.stderr.String())
	}
}

// stop closes p's stdin and waits for it to end, killing it after d.
func (p *proc) stop(d time.Duration) error {
	p.stdin.Close()
	go func() {
		for range p.lines {
		}
	}()
	select {
	case err := <-p.done:
		if err != nil {
			return fmt.Errorf("%s: %v: %s", p.name, err, p.stderr.String())
		}
		return nil
	case <-time.After(d):
		_ = p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("%s did not end within %v of its stdin closing", p.name, d)
	}
}
