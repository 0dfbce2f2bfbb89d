package netnstest

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
)

// Proc is a program running inside a namespace — a python3-zmq peer, a benchmark peer — that
// talks in lines: its stdout is read line by line, its stdin takes lines, and its stderr is kept
// for the failure messages.
type Proc struct {
	Name   string
	Cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout io.ReadCloser
	lines  chan string
	stderr lockedBuffer
	exited chan struct{} // closed at its exit, after its last line; err is then its status
	err    error
}

// Start runs name with args inside ns; ctx kills it, and so does the test process's death.
func (ns NS) Start(ctx context.Context, name string, args ...string) (*Proc, error) {
	p := &Proc{Name: name + " " + strings.Join(args, " "), lines: make(chan string, 16), exited: make(chan struct{})}
	if len(p.Name) > 80 {
		p.Name = p.Name[:80] + "…"
	}
	p.Cmd = ns.Command(ctx, name, args...)
	p.Cmd.Stderr = &p.stderr
	p.Cmd.WaitDelay = 5 * time.Second // a child holding stderr open does not stall Wait
	var err error
	if p.stdin, err = p.Cmd.StdinPipe(); err != nil {
		return nil, err
	}
	if p.stdout, err = p.Cmd.StdoutPipe(); err != nil {
		return nil, err
	}
	if err := p.Cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		sc := bufio.NewScanner(p.stdout)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
		p.err = p.Cmd.Wait() // after the last read, as os/exec asks
		close(p.exited)
	}()
	return p, nil
}

// Lines is its stdout, one line at a time, closed at its end.
func (p *Proc) Lines() <-chan string { return p.lines }

// Stderr is what it wrote on stderr so far.
func (p *Proc) Stderr() string { return p.stderr.String() }

// Expect waits up to d for the next line, which must start with prefix.
func (p *Proc) Expect(prefix string, d time.Duration) (string, error) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case line, ok := <-p.lines:
		if !ok {
			return "", fmt.Errorf("%s ended before %q: %s", p.Name, prefix, p.Stderr())
		}
		if !strings.HasPrefix(line, prefix) {
			return "", fmt.Errorf("%s said %q, want %q: %s", p.Name, line, prefix, p.Stderr())
		}
		return line, nil
	case <-t.C:
		return "", fmt.Errorf("%s: no %q within %v: %s", p.Name, prefix, d, p.Stderr())
	}
}

// Send writes line to its stdin.
func (p *Proc) Send(line string) error {
	_, err := fmt.Fprintln(p.stdin, line)
	return err
}

// Stop closes its stdin and waits up to d for it to end, then kills it.
func (p *Proc) Stop(d time.Duration) error {
	p.stdin.Close()
	go p.drain()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-p.exited:
		if p.err != nil {
			return fmt.Errorf("%s: %v: %s", p.Name, p.err, p.Stderr())
		}
		return nil
	case <-t.C:
		p.Kill()
		return fmt.Errorf("%s did not end within %v of its stdin closing", p.Name, d)
	}
}

// Kill kills it (if it still runs) and waits for its end: up to a minute for its stdout to
// end, which a child it started may hold open, then no longer.
func (p *Proc) Kill() {
	_ = p.Cmd.Process.Kill()
	go p.drain()
	t := time.NewTimer(waitTimeout)
	defer t.Stop()
	select {
	case <-p.exited:
	case <-t.C:
		p.stdout.Close() // the reader ends, and Wait reaps the killed process
		<-p.exited
	}
}

// drain reads the lines nobody will, so that the reader reaches the end.
func (p *Proc) drain() {
	for range p.lines {
	}
}

// lockedBuffer is a Proc's stderr: written by exec's copier, read for failure messages while
// the program may still run.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(b)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
