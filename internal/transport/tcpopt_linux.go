package transport

import (
	"fmt"
	"net"
	"syscall"
)

// tcpUserTimeout is TCP_USER_TIMEOUT (linux/tcp.h), missing from package syscall.
const tcpUserTimeout = 0x12

// sockopts sets, on a socket not yet connected or listening, what must precede the handshake:
// the device it is bound to and its type of service. A refusal fails the bind or connect, as
// libzmq's does (SO_BINDTODEVICE needs CAP_NET_RAW on older kernels).
func (o TCPOptions) sockopts(network string, rc syscall.RawConn) error {
	if o.BindToDevice == "" && o.TOS == 0 {
		return nil
	}
	var err error
	cerr := rc.Control(func(fd uintptr) {
		if o.BindToDevice != "" {
			if e := syscall.SetsockoptString(int(fd), syscall.SOL_SOCKET, syscall.SO_BINDTODEVICE, o.BindToDevice); e != nil {
				err = fmt.Errorf("zmq: BINDTODEVICE %q: %w", o.BindToDevice, e)
				return
			}
		}
		if o.TOS != 0 {
			err = setTOS(int(fd), network, o.TOS)
		}
	})
	if cerr != nil {
		return cerr
	}
	return err
}

func setTOS(fd int, network string, tos int) error {
	var err error
	if network == "tcp6" {
		err = syscall.SetsockoptInt(fd, syscall.IPPROTO_IPV6, syscall.IPV6_TCLASS, tos)
	} else {
		err = syscall.SetsockoptInt(fd, syscall.IPPROTO_IP, syscall.IP_TOS, tos)
	}
	if err != nil {
		return fmt.Errorf("zmq: TOS %d: %w", tos, err)
	}
	return nil
}

// connected sets what libzmq sets on each connection, dialled or accepted: TCP_MAXRT as
// TCP_USER_TIMEOUT, and the type of service again (accepted sockets may not inherit it). The
// connection is open already, so a refusal only leaves the system's default.
func (o TCPOptions) connected(c *net.TCPConn) {
	if o.MaxRT <= 0 && o.TOS == 0 {
		return
	}
	rc, err := c.SyscallConn()
	if err != nil {
		return
	}
	network := "tcp4"
	if a, ok := c.LocalAddr().(*net.TCPAddr); ok && a.IP.To4() == nil {
		network = "tcp6"
	}
	_ = rc.Control(func(fd uintptr) {
		if o.MaxRT > 0 {
			_ = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, tcpUserTimeout, int(o.MaxRT.Milliseconds()))
		}
		if o.TOS != 0 {
			_ = setTOS(int(fd), network, o.TOS)
		}
	})
}

// listened sets BACKLOG: Go listens with the system's maximum, and Linux takes a second
// listen(2) on a listening socket as a new backlog.
func (o TCPOptions) listened(l net.Listener) {
	tl, ok := l.(*net.TCPListener)
	if !ok || o.Backlog <= 0 {
		return
	}
	if rc, err := tl.SyscallConn(); err == nil {
		_ = rc.Control(func(fd uintptr) { _ = syscall.Listen(int(fd), o.Backlog) })
	}
}
