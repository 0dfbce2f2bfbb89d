package pgm

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"syscall"
	"time"
)

const (
	ipMulticastAll = 49   // IP_MULTICAST_ALL: absent from package syscall
	tosEF          = 0xb8 // DSCP Expedited Forwarding, as libzmq asks of OpenPGM
	soReusePort    = 15   // SO_REUSEPORT: absent from package syscall
)

// mcastConn is one socket for both directions: data to the group, NAKs and SPMRs to and from
// the unicast port, which libzmq sets to the endpoint's port too.
type mcastConn struct {
	udp   *net.UDPConn
	ip    *net.IPConn
	group netip.Addr
	port  int
	hdr   int
	rc    syscall.RawConn
	rr    rawReader // pgm's reads; a conn has one reader goroutine

	out *mmsgs // sendmmsg, for sendGroupBatch: every header names the group

	// recvmmsg, for readBatch; made at its first call (only receivers read in batches).
	in    *mmsgs
	inBuf [maxReadBatch][]byte
}

// openConn opens and configures the socket of an epgm (raw false) or pgm endpoint.
func openConn(raw bool, ep Endpoint, o Config) (*mcastConn, error) {
	if !ep.Group.Is4() {
		return nil, fmt.Errorf("pgm: only IPv4 groups for now, not %v", ep.Group)
	}
	c := &mcastConn{group: ep.Group, port: ep.Port}
	var err error
	lc := net.ListenConfig{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		if err := rc.Control(func(fd uintptr) {
			// OpenPGM sets SO_REUSEPORT (not SO_REUSEADDR) where it exists: a socket
			// sharing the port with libzmq's on one host must set it too.
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
			if serr == nil {
				serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, soReusePort, 1)
			}
		}); err != nil {
			return err
		}
		return serr
	}}
	var pc net.PacketConn
	if raw {
		c.hdr = 20
		pc, err = lc.ListenPacket(context.Background(), "ip4:113", "0.0.0.0")
		if errors.Is(err, os.ErrPermission) {
			return nil, fmt.Errorf("%w: %w", ErrRawPermission, err)
		}
	} else {
		c.hdr = 28
		pc, err = lc.ListenPacket(context.Background(), "udp4", fmt.Sprintf("0.0.0.0:%d", ep.Port))
	}
	if err != nil {
		return nil, fmt.Errorf("pgm: open socket: %w", err)
	}
	if raw {
		c.ip = pc.(*net.IPConn)
		c.rc, err = c.ip.SyscallConn()
		c.rr.rc, c.rr.fn = c.rc, c.rr.read
	} else {
		c.udp = pc.(*net.UDPConn)
		c.rc, err = c.udp.SyscallConn()
	}
	if err == nil {
		err = configure(c.rc, ep, o)
	}
	if err != nil {
		pc.Close()
		return nil, err
	}
	c.out = newMmsgs(maxBatch)
	to := netip.AddrPortFrom(ep.Group, uint16(ep.Port))
	if raw {
		to = netip.AddrPortFrom(ep.Group, 0)
	}
	c.out.setAddr(to)
	return c, nil
}

// sendGroupBatch sends pkts to the group, as many a system call as sendmmsg takes.
func (c *mcastConn) sendGroupBatch(pkts [][]byte) error {
	for len(pkts) > 0 {
		n := min(len(pkts), len(c.out.h))
		for i, p := range pkts[:n] {
			c.out.setBuf(i, p)
		}
		sent, err := c.out.send(c.rc, n)
		if err != nil {
			return err
		}
		pkts = pkts[max(sent, 1):] // a batch that sent nothing without an error: skip a packet, never spin
	}
	return nil
}

func configure(rc syscall.RawConn, ep Endpoint, o Config) error {
	mreq := &syscall.IPMreqn{Multiaddr: ep.Group.As4()}
	if ep.Iface != nil {
		mreq.Ifindex = int32(ep.Iface.Index)
	} else if ep.Addr.Is4() {
		mreq.Address = ep.Addr.As4()
	}
	loop := 0
	if o.Loop {
		loop = 1
	}
	var serr error
	set := func(what string, err error) {
		if err != nil && serr == nil {
			serr = fmt.Errorf("pgm: %s: %w", what, err)
		}
	}
	err := rc.Control(func(fd uintptr) {
		s := int(fd)
		set("join group", syscall.SetsockoptIPMreqn(s, syscall.IPPROTO_IP, syscall.IP_ADD_MEMBERSHIP, mreq))
		set("multicast interface", syscall.SetsockoptIPMreqn(s, syscall.IPPROTO_IP, syscall.IP_MULTICAST_IF, mreq))
		set("multicast hops", syscall.SetsockoptInt(s, syscall.IPPROTO_IP, syscall.IP_MULTICAST_TTL, o.Hops))
		set("multicast loop", syscall.SetsockoptInt(s, syscall.IPPROTO_IP, syscall.IP_MULTICAST_LOOP, loop))
		set("multicast all", syscall.SetsockoptInt(s, syscall.IPPROTO_IP, ipMulticastAll, 0))
		_ = syscall.SetsockoptInt(s, syscall.IPPROTO_IP, syscall.IP_TOS, tosEF) // best effort, as libzmq
		if o.SndBuf > 0 {
			set("SNDBUF", syscall.SetsockoptInt(s, syscall.SOL_SOCKET, syscall.SO_SNDBUF, o.SndBuf))
		}
		if o.RcvBuf > 0 {
			// Past rmem_max where allowed (CAP_NET_ADMIN), as asked; else up to it.
			if syscall.SetsockoptInt(s, syscall.SOL_SOCKET, syscall.SO_RCVBUFFORCE, o.RcvBuf) != nil {
				set("RCVBUF", syscall.SetsockoptInt(s, syscall.SOL_SOCKET, syscall.SO_RCVBUF, o.RcvBuf))
			}
		}
	})
	if err != nil {
		return err
	}
	return serr
}

func (c *mcastConn) read(b []byte) ([]byte, netip.Addr, error) {
	if c.ip != nil {
		return c.rr.next(b)
	}
	n, ap, err := c.udp.ReadFromUDPAddrPort(b)
	if err != nil {
		return nil, netip.Addr{}, err
	}
	return b[:n], ap.Addr().Unmap(), nil
}

func (c *mcastConn) sendGroup(b []byte) error { return c.sendTo(b, c.group) }

func (c *mcastConn) sendTo(b []byte, to netip.Addr) error {
	var err error
	if c.ip != nil {
		_, err = c.ip.WriteToIP(b, &net.IPAddr{IP: to.AsSlice()})
	} else {
		_, err = c.udp.WriteToUDPAddrPort(b, netip.AddrPortFrom(to, uint16(c.port)))
	}
	return err
}

func (c *mcastConn) setReadDeadline(t time.Time) error {
	if c.ip != nil {
		return c.ip.SetReadDeadline(t)
	}
	return c.udp.SetReadDeadline(t)
}

func (c *mcastConn) close() error {
	if c.ip != nil {
		return c.ip.Close()
	}
	return c.udp.Close()
}

func (c *mcastConn) ipHeader() int { return c.hdr }

// rawReader reads a raw socket with read(2) and skips the IPv4 header the kernel leaves in
// front, where net.IPConn's ReadFrom moves the payload down over it and allocates the address:
// at 1 Gbit/s that copy was a quarter of a pgm receiver's time. The source address is the
// header's.
type rawReader struct {
	rc  syscall.RawConn
	fn  func(fd uintptr) bool // bound once: a method value per read would allocate
	b   []byte
	n   int
	err error
}

func (r *rawReader) read(fd uintptr) bool {
	r.n, r.err = syscall.Read(int(fd), r.b)
	return r.err != syscall.EAGAIN // EAGAIN: wait for the socket to be readable (or the deadline)
}

func (r *rawReader) next(b []byte) ([]byte, netip.Addr, error) {
	for {
		r.b = b
		err := r.rc.Read(r.fn)
		r.b = nil
		if err == nil {
			err = r.err
		}
		if err != nil {
			return nil, netip.Addr{}, err
		}
		if p, from, ok := skipIPv4(b[:max(r.n, 0)]); ok {
			return p, from, nil
		}
	}
}

// skipIPv4 returns what follows a raw socket's datagram's IPv4 header, and the source
// address; false when it is not an IPv4 datagram, which no PGM reader can take.
func skipIPv4(p []byte) ([]byte, netip.Addr, bool) {
	if len(p) < 20 || p[0]>>4 != 4 {
		return nil, netip.Addr{}, false
	}
	ihl := int(p[0]&0x0f) * 4
	if ihl < 20 || ihl > len(p) {
		return nil, netip.Addr{}, false
	}
	return p[ihl:], netip.AddrFrom4([4]byte(p[12:16])), true
}

// readBatch reads up to len(into) packets in one recvmmsg, waiting for the first. Each buffer
// takes the largest datagram: pages the kernel never writes stay untouched.
func (c *mcastConn) readBatch(into []inPacket) (int, error) {
	if c.in == nil {
		c.in = newMmsgs(maxReadBatch)
		for i := range c.inBuf {
			c.inBuf[i] = make([]byte, 64<<10)
			c.in.setBuf(i, c.inBuf[i])
		}
	}
	for {
		n, err := c.in.recv(c.rc, min(len(into), len(c.inBuf)))
		if err != nil {
			return 0, err
		}
		k := 0
		for i := range n {
			b, from, trunc := c.in.received(i, c.inBuf[i])
			if trunc {
				continue // bigger than any PGM packet: not one
			}
			if c.ip != nil {
				var ok bool
				if b, from, ok = skipIPv4(b); !ok {
					continue
				}
			}
			into[k] = inPacket{b, from}
			k++
		}
		if k > 0 {
			return k, nil
		}
	}
}
