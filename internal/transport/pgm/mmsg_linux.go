package pgm

import (
	"net/netip"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// mmsgs is a reusable vector of message headers for sendmmsg and recvmmsg, one buffer each.
// Its headers, iovecs and addresses are laid out once: a batch then costs the system call and
// nothing on the heap, where golang.org/x/net/ipv4's ReadBatch allocated the source address of
// every packet (at 1 Gbit/s of small messages, 4 % of a receiver).
type mmsgs struct {
	h    []mmsghdr
	iov  []unix.Iovec
	addr []unix.RawSockaddrInet4
}

// mmsghdr is struct mmsghdr: Go pads it to the C layout on every architecture.
type mmsghdr struct {
	hdr unix.Msghdr
	n   uint32 // bytes received (recvmmsg) or sent (sendmmsg)
}

// newMmsgs returns n headers; each names its own address.
func newMmsgs(n int) *mmsgs {
	m := &mmsgs{h: make([]mmsghdr, n), iov: make([]unix.Iovec, n), addr: make([]unix.RawSockaddrInet4, n)}
	for i := range m.h {
		m.h[i].hdr.Iov = &m.iov[i]
		m.h[i].hdr.SetIovlen(1)
		m.h[i].hdr.Name = (*byte)(unsafe.Pointer(&m.addr[i]))
		m.h[i].hdr.Namelen = unix.SizeofSockaddrInet4
	}
	return m
}

// setBuf points header i at b, which must not be empty.
func (m *mmsgs) setBuf(i int, b []byte) {
	m.iov[i].Base = &b[0]
	m.iov[i].SetLen(len(b))
}

// setAddr makes to (port 0 for raw IP) the destination of every header.
func (m *mmsgs) setAddr(to netip.AddrPort) {
	for i := range m.addr {
		a := &m.addr[i]
		a.Family = unix.AF_INET
		a.Addr = to.Addr().As4()
		// sin_port is in network byte order whatever the host's.
		p := (*[2]byte)(unsafe.Pointer(&a.Port))
		p[0], p[1] = byte(to.Port()>>8), byte(to.Port())
	}
}

// received returns header i's datagram within b, its source address, and whether the kernel
// cut it short (MSG_TRUNC).
func (m *mmsgs) received(i int, b []byte) ([]byte, netip.Addr, bool) {
	h := &m.h[i]
	var from netip.Addr
	if a := &m.addr[i]; h.hdr.Namelen >= unix.SizeofSockaddrInet4 && a.Family == unix.AF_INET {
		from = netip.AddrFrom4(a.Addr)
	}
	return b[:min(int(h.n), len(b))], from, h.hdr.Flags&unix.MSG_TRUNC != 0
}

// recv reads up to n datagrams into the buffers set, waiting (until the read deadline) for
// the first.
func (m *mmsgs) recv(rc syscall.RawConn, n int) (int, error) {
	for i := range n {
		m.h[i].hdr.Namelen = unix.SizeofSockaddrInet4
		m.h[i].hdr.Flags = 0
	}
	var got int
	var errno syscall.Errno
	err := rc.Read(func(fd uintptr) bool {
		r, _, e := syscall.Syscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&m.h[0])), uintptr(n),
			unix.MSG_DONTWAIT, 0, 0)
		got, errno = int(r), e
		return e != syscall.EAGAIN
	})
	if errno != 0 {
		got = 0
	}
	if err == nil && errno != 0 {
		err = errno
	}
	return got, err
}

// send writes the first n headers' buffers to their addresses, waiting while the socket's
// buffer is full; it returns how many the kernel took.
func (m *mmsgs) send(rc syscall.RawConn, n int) (int, error) {
	var sent int
	var errno syscall.Errno
	err := rc.Write(func(fd uintptr) bool {
		r, _, e := syscall.Syscall6(unix.SYS_SENDMMSG, fd, uintptr(unsafe.Pointer(&m.h[0])), uintptr(n),
			unix.MSG_DONTWAIT, 0, 0)
		sent, errno = int(r), e
		return e != syscall.EAGAIN
	})
	if errno != 0 {
		sent = 0
	}
	if err == nil && errno != 0 {
		err = errno
	}
	return sent, err
}
