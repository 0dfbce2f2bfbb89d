// Package netnstest gives tests network namespaces of their own: two namespaces joined by a
// veth pair, a 239.0.0.0/8 route on each side, and ways to run Go code or a command inside
// one. Nothing is made in the root namespace: the veth is created inside the first namespace
// with its peer moved straight into the second.
//
// Names carry the creating process's id, so a test binary that was killed before its cleanup
// ran leaves namespaces the next NewPair removes (Sweep); a namespace's deletion takes its
// veth end and its rules with it.
package netnstest

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

const prefix = "purezmq-"

var seq atomic.Int64

// NS is one network namespace.
type NS struct {
	Name string
	Dev  string     // its end of the veth pair
	Addr netip.Addr // the address on Dev
}

// Pair is two namespaces joined by a veth pair: A is 10.77.0.1, B 10.77.0.2.
type Pair struct{ A, B NS }

// Skip skips t unless it runs as root with the ip command, which the namespaces need.
func Skip(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to create network namespaces (run the tests as root, as CI does)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("needs the ip command (iproute2) to create network namespaces")
	}
}

// NewPair creates two namespaces joined by a veth pair, and removes them when t ends. It
// skips t when not root.
func NewPair(t testing.TB) *Pair {
	t.Helper()
	Skip(t)
	Sweep()
	n := seq.Add(1)
	id := fmt.Sprintf("%s%d-%d", prefix, os.Getpid(), n)
	p := &Pair{
		A: NS{Name: id + "-a", Dev: fmt.Sprintf("pz%da", n), Addr: netip.MustParseAddr("10.77.0.1")},
		B: NS{Name: id + "-b", Dev: fmt.Sprintf("pz%db", n), Addr: netip.MustParseAddr("10.77.0.2")},
	}
	t.Cleanup(func() {
		for _, ns := range []NS{p.A, p.B} {
			if out, err := exec.Command("ip", "netns", "delete", ns.Name).CombinedOutput(); err != nil {
				t.Errorf("ip netns delete %s: %v: %s", ns.Name, err, out)
			}
		}
	})
	steps := [][]string{
		{"netns", "add", p.A.Name},
		{"netns", "add", p.B.Name},
		{"-n", p.A.Name, "link", "add", p.A.Dev, "type", "veth", "peer", "name", p.B.Dev, "netns", p.B.Name},
	}
	for _, ns := range []NS{p.A, p.B} {
		steps = append(steps,
			[]string{"-n", ns.Name, "addr", "add", ns.Addr.String() + "/24", "dev", ns.Dev},
			[]string{"-n", ns.Name, "link", "set", ns.Dev, "up"},
			[]string{"-n", ns.Name, "link", "set", "lo", "up"},
			[]string{"-n", ns.Name, "route", "add", "239.0.0.0/8", "dev", ns.Dev},
		)
	}
	for _, s := range steps {
		if out, err := exec.Command("ip", s...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v: %s", strings.Join(s, " "), err, out)
		}
	}
	return p
}

// Sweep deletes the namespaces of test processes that are gone (killed before cleanup).
func Sweep() {
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(out), "\n") {
		name, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		rest, ok := strings.CutPrefix(name, prefix)
		if !ok {
			continue
		}
		pidStr, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidStr)
		if err != nil || pid == os.Getpid() || syscall.Kill(pid, 0) != syscall.ESRCH {
			continue
		}
		_ = exec.Command("ip", "netns", "delete", name).Run()
	}
}

// Do runs f on an OS thread inside ns: sockets f opens live in ns (goroutines f starts do
// not, but the sockets they are handed do).
func (ns NS) Do(f func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			errc <- err
			return
		}
		defer unix.Close(orig)
		target, err := unix.Open("/run/netns/"+ns.Name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			errc <- err
			return
		}
		defer unix.Close(target)
		if err := unix.Setns(target, unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("setns %s: %w", ns.Name, err)
			return
		}
		ferr := f()
		if err := unix.Setns(orig, unix.CLONE_NEWNET); err != nil {
			// The thread stays locked and dies with this goroutine: never reused in ns.
			errc <- fmt.Errorf("setns back: %w", err)
			return
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}

// Command is name with args run inside ns (by ip netns exec), killed with ctx and when the
// test process dies.
func (ns NS) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns.Name, name}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	return cmd
}

// Run runs a command inside ns and fails t if it fails or takes longer than a minute (an ip
// or nft command takes milliseconds: one that hangs must not hang the test run).
func (ns NS) Run(t testing.TB, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	var out bytes.Buffer
	cmd := ns.Command(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = time.Second // a child holding the output open does not stall Wait
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s in %s: %v: %s", name, strings.Join(args, " "), ns.Name, err, out.String())
	}
	return out.String()
}
