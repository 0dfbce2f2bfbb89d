package transport

import (
	"context"
	"errors"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func getsockopt(t *testing.T, c net.Conn, level, opt int) int {
	t.Helper()
	rc, err := c.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var v int
	var gerr error
	if err := rc.Control(func(fd uintptr) { v, gerr = syscall.GetsockoptInt(int(fd), level, opt) }); err != nil {
		t.Fatal(err)
	}
	if gerr != nil {
		t.Fatal(gerr)
	}
	return v
}

// TestTCPSockopts: TOS and TCP_MAXRT reach both ends' sockets, dialled and accepted, as
// IP_TOS and TCP_USER_TIMEOUT.
func TestTCPSockopts(t *testing.T) {
	for _, tt := range []struct {
		name  string
		o     TCPOptions
		tos   int
		maxRT int
	}{
		{"defaults", DefaultTCPOptions, 0, 0},
		{"tos", TCPOptions{TOS: 0x28}, 0x28, 0},
		{"maxrt", TCPOptions{MaxRT: 1500 * time.Millisecond}, 0, 1500},
		{"both", TCPOptions{TOS: 0x10, MaxRT: time.Second, Backlog: 5}, 0x10, 1000},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l, ep, err := ListenTCP("127.0.0.1:*", tt.o, OSBuffers)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			c, err := DialTCP(context.Background(), strings.TrimPrefix(ep, "tcp://"), tt.o, OSBuffers)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			a, err := l.Accept()
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			Accepted(a, tt.o, OSBuffers)
			for side, conn := range map[string]net.Conn{"dialled": c, "accepted": a} {
				if got := getsockopt(t, conn, syscall.IPPROTO_IP, syscall.IP_TOS); got != tt.tos {
					t.Errorf("%s IP_TOS = %#x, want %#x", side, got, tt.tos)
				}
				if got := getsockopt(t, conn, syscall.IPPROTO_TCP, tcpUserTimeout); got != tt.maxRT {
					t.Errorf("%s TCP_USER_TIMEOUT = %d, want %d", side, got, tt.maxRT)
				}
			}
		})
	}
}

// TestBindToDevice: BINDTODEVICE "lo" binds and connects over loopback where the process may
// set SO_BINDTODEVICE; an interface that does not exist fails the bind and the connect.
func TestBindToDevice(t *testing.T) {
	bad := TCPOptions{BindToDevice: "nosuchif0"}
	if _, _, err := ListenTCP("127.0.0.1:*", bad, OSBuffers); err == nil {
		t.Error("ListenTCP on a missing interface succeeded")
	}
	if _, err := DialTCP(context.Background(), "127.0.0.1:9", bad, OSBuffers); err == nil {
		t.Error("DialTCP on a missing interface succeeded")
	}
	o := TCPOptions{BindToDevice: "lo"}
	l, ep, err := ListenTCP("127.0.0.1:*", o, OSBuffers)
	if errors.Is(err, syscall.EPERM) {
		t.Skipf("SO_BINDTODEVICE not permitted here: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := DialTCP(context.Background(), strings.TrimPrefix(ep, "tcp://"), o, OSBuffers)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rc, _ := c.(*net.TCPConn).SyscallConn()
	var dev string
	var gerr error
	rc.Control(func(fd uintptr) { dev, gerr = unix.GetsockoptString(int(fd), unix.SOL_SOCKET, unix.SO_BINDTODEVICE) })
	if gerr != nil || dev != "lo" {
		t.Errorf("dialled socket bound to %q (%v), want lo", dev, gerr)
	}
}
