package netnstest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The pair exists while the test runs, each side reaches the other, Do's sockets live in
// the namespace, and cleanup removes both namespaces.
func TestPair(t *testing.T) {
	var names []string
	t.Run("pair", func(t *testing.T) {
		p := NewPair(t)
		names = []string{p.A.Name, p.B.Name}
		out := p.A.Run(t, "ip", "route", "show", "239.0.0.0/8")
		if !strings.Contains(out, p.A.Dev) {
			t.Fatalf("no multicast route: %q", out)
		}
		// A datagram from A reaches a socket Do opened in B, and only there.
		var ln *net.UDPConn
		if err := p.B.Do(func() (err error) {
			ln, err = net.ListenUDP("udp4", &net.UDPAddr{IP: net.IP(p.B.Addr.AsSlice()), Port: 7000})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		if err := p.A.Do(func() error {
			c, err := net.Dial("udp4", net.JoinHostPort(p.B.Addr.String(), "7000"))
			if err != nil {
				return err
			}
			defer c.Close()
			_, err = c.Write([]byte("hello"))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 16)
		n, from, err := ln.ReadFromUDP(buf)
		if err != nil || string(buf[:n]) != "hello" || !from.IP.Equal(net.IP(p.A.Addr.AsSlice())) {
			t.Fatalf("read %q from %v: %v", buf[:n], from, err)
		}
	})
	out, _ := exec.Command("ip", "netns", "list").Output()
	for _, n := range names {
		if strings.Contains(string(out), n) {
			t.Errorf("namespace %s left after cleanup", n)
		}
	}
}

// A namespace left by a test process that died before its cleanup (its name carries the
// dead process's id) is removed by the next Sweep; a live process's is kept.
func TestSweepRemovesOrphans(t *testing.T) {
	Skip(t)
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	orphan := fmt.Sprintf("%s%d-0-a", prefix, dead.Process.Pid)
	live := fmt.Sprintf("%s%d-sweeptest-a", prefix, os.Getpid())
	for _, n := range []string{orphan, live} {
		if out, err := exec.Command("ip", "netns", "add", n).CombinedOutput(); err != nil {
			t.Fatalf("ip netns add %s: %v: %s", n, err, out)
		}
	}
	t.Cleanup(func() {
		exec.Command("ip", "netns", "delete", orphan).Run()
		exec.Command("ip", "netns", "delete", live).Run()
	})
	Sweep()
	out, _ := exec.Command("ip", "netns", "list").Output()
	if strings.Contains(string(out), orphan) {
		t.Errorf("Sweep left %s", orphan)
	}
	if !strings.Contains(string(out), live) {
		t.Errorf("Sweep removed %s, whose process runs", live)
	}
}
