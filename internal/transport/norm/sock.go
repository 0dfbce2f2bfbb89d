//go:build linux

package norm

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

const sockBuf = 4 << 20

// sockOpts is how a NORM session's UDP socket is set up.
type sockOpts struct {
	Group    netip.AddrPort // the session address; multicast or unicast
	Iface    netip.Addr     // the interface's IPv4 address, or invalid for the system's choice
	IfIndex  int
	TTL      int
	Loopback bool
}

// openSession opens the session's socket: bound to the session port on every address, so
// that it gets the group's traffic and the unicast feedback to it, with the port shared
// (SO_REUSEADDR, SO_REUSEPORT) as NRL NORM shares it, joined to the group on the interface.
func openSession(o sockOpts) (*net.UDPConn, error) {
	if !o.Group.Addr().Is4() {
		return nil, fmt.Errorf("norm: IPv6 session address %s not supported", o.Group.Addr())
	}
	var serr error
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		err := c.Control(func(fd uintptr) {
			s := int(fd)
			if serr = unix.SetsockoptInt(s, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); serr != nil {
				return
			}
			if serr = unix.SetsockoptInt(s, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1); serr != nil {
				return
			}
			// Room for bursts, as the 2 MB NRL NORM asks for when libzmq starts it: a full
			// buffer loses datagrams that then take a repair round trip. Beyond rmem_max only
			// with CAP_NET_ADMIN (FORCE); else what the system allows.
			if unix.SetsockoptInt(s, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, sockBuf) != nil {
				unix.SetsockoptInt(s, unix.SOL_SOCKET, unix.SO_RCVBUF, sockBuf)
			}
			// The kernel's arrival time of each datagram (arrival): without it, no worse
			// than the time it is read.
			unix.SetsockoptInt(s, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1)
			if !o.Group.Addr().IsMulticast() {
				return
			}
			if serr = unix.SetsockoptInt(s, unix.IPPROTO_IP, unix.IP_MULTICAST_TTL, o.TTL); serr != nil {
				return
			}
			loop := 0
			if o.Loopback {
				loop = 1
			}
			if serr = unix.SetsockoptInt(s, unix.IPPROTO_IP, unix.IP_MULTICAST_LOOP, loop); serr != nil {
				return
			}
			mreq := &unix.IPMreqn{Multiaddr: o.Group.Addr().As4(), Ifindex: int32(o.IfIndex)}
			if o.Iface.IsValid() {
				mreq.Address = o.Iface.As4()
			}
			if serr = unix.SetsockoptIPMreqn(s, unix.IPPROTO_IP, unix.IP_MULTICAST_IF, mreq); serr != nil {
				return
			}
			if serr = unix.SetsockoptIPMreqn(s, unix.IPPROTO_IP, unix.IP_ADD_MEMBERSHIP, mreq); serr != nil {
				return
			}
			// Only the joined group's datagrams, not every group's on this port.
			serr = unix.SetsockoptInt(s, unix.IPPROTO_IP, unix.IP_MULTICAST_ALL, 0)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	pc, err := lc.ListenPacket(context.Background(), "udp4", fmt.Sprintf("0.0.0.0:%d", o.Group.Port()))
	if err != nil {
		return nil, fmt.Errorf("norm: opening %s: %w", o.Group, err)
	}
	return pc.(*net.UDPConn), nil
}

// oobLen is room for the arrival time's control message.
const oobLen = 64

// arrival is when the kernel received a datagram, from its control messages (SO_TIMESTAMPNS),
// or read when there is none or it is off by more than a second (a clock step).
func arrival(oob []byte, read time.Time) time.Time {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return read
	}
	for _, m := range msgs {
		if m.Header.Level != unix.SOL_SOCKET || m.Header.Type != unix.SCM_TIMESTAMPNS {
			continue
		}
		var sec, nsec int64
		switch len(m.Data) {
		case 16:
			sec, nsec = int64(binary.NativeEndian.Uint64(m.Data)), int64(binary.NativeEndian.Uint64(m.Data[8:]))
		case 8:
			sec, nsec = int64(int32(binary.NativeEndian.Uint32(m.Data))), int64(int32(binary.NativeEndian.Uint32(m.Data[4:])))
		default:
			return read
		}
		at := time.Unix(sec, nsec)
		if d := read.Sub(at); d < 0 || d > time.Second {
			return read
		}
		// On read's monotonic clock, so that it compares with the receiver's other times.
		return read.Add(-read.Sub(at))
	}
	return read
}
