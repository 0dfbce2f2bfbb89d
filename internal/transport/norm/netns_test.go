package norm

// A small network-namespace harness of this package's own (none is on main yet): two
// namespaces joined by a veth pair, 10.79.N.1 and 10.79.N.2, each with a route for
// 239.0.0.0/8 on its end. Names carry the test binary's pid, so that a run killed before
// its cleanup leaves namespaces the next run recognises as stale and deletes.

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"
)

const nsPrefix = "nrmt"

var nsSeq atomic.Int32

type NetPair struct {
	A, B         string // namespace names
	AddrA, AddrB string // the veth ends' addresses
}

// NeedRoot skips t unless it can make namespaces.
func NeedRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("norm: needs root to create network namespaces (run the tests as root, as CI does)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("norm: needs the ip command for network namespaces")
	}
}

func ipCmd(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

// NewNetPair makes the two namespaces and deletes them when t ends.
func NewNetPair(t testing.TB) *NetPair {
	NeedRoot(t)
	removeStale()
	n := nsSeq.Add(1)
	pid := os.Getpid()
	p := &NetPair{
		A:     fmt.Sprintf("%s%d-%da", nsPrefix, pid, n),
		B:     fmt.Sprintf("%s%d-%db", nsPrefix, pid, n),
		AddrA: fmt.Sprintf("10.79.%d.1", n),
		AddrB: fmt.Sprintf("10.79.%d.2", n),
	}
	va, vb := fmt.Sprintf("nv%d-%da", pid%100000, n), fmt.Sprintf("nv%d-%db", pid%100000, n)
	t.Cleanup(func() {
		ipCmd("netns", "del", p.A)
		ipCmd("netns", "del", p.B)
	})
	steps := [][]string{
		{"netns", "add", p.A}, {"netns", "add", p.B},
		{"-n", p.A, "link", "add", va, "type", "veth", "peer", "name", vb, "netns", p.B},
		{"-n", p.A, "addr", "add", p.AddrA + "/24", "dev", va},
		{"-n", p.B, "addr", "add", p.AddrB + "/24", "dev", vb},
		{"-n", p.A, "link", "set", va, "up"}, {"-n", p.B, "link", "set", vb, "up"},
		{"-n", p.A, "link", "set", "lo", "up"}, {"-n", p.B, "link", "set", "lo", "up"},
		{"-n", p.A, "route", "add", "239.0.0.0/8", "dev", va},
		{"-n", p.B, "route", "add", "239.0.0.0/8", "dev", vb},
	}
	for _, s := range steps {
		if err := ipCmd(s...); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

var staleName = regexp.MustCompile(`^` + nsPrefix + `(\d+)-\d+[ab]\b`)

// removeStale deletes the namespaces of test binaries that are gone.
func removeStale() {
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(out), "\n") {
		m := staleName.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		pid, _ := strconv.Atoi(m[1])
		if pid == os.Getpid() || unix.Kill(pid, 0) == nil {
			continue
		}
		ipCmd("netns", "del", strings.Fields(line)[0])
	}
}

// InNS runs f on an OS thread moved into namespace ns: sockets f opens live there, wherever
// they are used afterwards.
func InNS(t testing.TB, ns string, f func()) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		self, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			done <- err
			return
		}
		defer self.Close()
		target, err := os.Open("/run/netns/" + ns)
		if err != nil {
			done <- err
			return
		}
		defer target.Close()
		if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
			done <- err
			return
		}
		f()
		// A thread that cannot go back stays locked, so the runtime retires it.
		if err := unix.Setns(int(self.Fd()), unix.CLONE_NEWNET); err == nil {
			runtime.UnlockOSThread()
		}
		done <- nil
	}()
	if err := <-done; err != nil {
		t.Fatalf("entering namespace %s: %v", ns, err)
	}
}

// DropRandom makes ns drop pct% of the UDP datagrams from src to port, as they arrive
// (nftables: the kernel here has no netem).
func DropRandom(t testing.TB, ns, src string, port, pct int) {
	t.Helper()
	nft := func(args ...string) {
		t.Helper()
		cmd := exec.Command("ip", append([]string{"netns", "exec", ns, "nft"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("nft %v: %v: %s", args, err, out)
		}
	}
	nft("add", "table", "inet", "normloss")
	nft("add", "chain", "inet", "normloss", "in", "{ type filter hook prerouting priority -300; }")
	nft("add", "rule", "inet", "normloss", "in", "ip", "saddr", src, "udp", "dport", strconv.Itoa(port),
		"numgen", "random", "mod", "100", "<", strconv.Itoa(pct), "drop")
}
