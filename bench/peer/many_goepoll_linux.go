package peer

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"

	"golang.org/x/sys/unix"

	"github.com/purezmq/zmq/zmtp"
)

// echoEpoll is router_echo for GoEpoll: one goroutine, one epoll instance (level-triggered)
// holding the listening socket and every accepted connection, all non-blocking and out of
// Go's netpoller. Each ready connection, in the order epoll_wait reports them, is read once
// (up to 64 KiB) and every whole request in what it holds is written back at once; a
// connection that ends (the client's end marker) leaves, and the role ends when Peers have.
// With ZMTP set its clients are ZeroMQ DEALERs: the same server, greeting each and answering
// ZMTP frames instead of bare requests (many_goepoll_zmtp.go).
func (m *many) echoEpoll(stderr io.Writer, res *ManyResult) error {
	lfd, family, cleanup, err := m.listenRaw()
	if err != nil {
		return err
	}
	defer cleanup()
	fmt.Fprintln(stderr, "ready")
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return m.wrap("epoll_create1", err)
	}
	defer unix.Close(ep)
	watch := func(fd int) error {
		return unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)})
	}
	if err := watch(lfd); err != nil {
		return m.wrap("epoll_ctl", err)
	}
	pending := map[int][]byte{} // per connection, what is read of a request not yet whole
	shaken := map[int]bool{}    // with ZMTP, per connection: its client's greeting and READY are read
	defer func() {
		for fd := range pending {
			unix.Close(fd)
		}
	}()
	var (
		events          = make([]unix.EpollEvent, 128)
		buf             = make([]byte, 64<<10)
		size            = m.c.Size
		accepted, ended int
		echoed          int
	)
	for ended < m.c.Peers {
		n, err := unix.EpollWait(ep, events, 100)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return m.wrap("epoll_wait", err)
		}
		if n == 0 && m.ctx.Err() != nil {
			return m.wrap("waiting for requests", m.ctx.Err())
		}
		for _, e := range events[:n] {
			fd := int(e.Fd)
			if fd == lfd {
				for {
					cfd, _, err := unix.Accept4(lfd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
					if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
						break
					}
					if err != nil {
						return m.wrap("accept", err)
					}
					if accepted++; accepted > m.c.Peers {
						unix.Close(cfd)
						return fmt.Errorf("peer: %s accepted more than %d connections", GoEpoll, m.c.Peers)
					}
					pending[cfd] = nil
					if family != unix.AF_UNIX {
						// As Go's net package does for every TCP connection, the clients' too.
						if err := unix.SetsockoptInt(cfd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1); err != nil {
							return m.wrap("TCP_NODELAY", err)
						}
					}
					if m.c.ZMTP {
						if err := m.writeRaw(cfd, zmtpServerHello); err != nil {
							return err
						}
					}
					if err := watch(cfd); err != nil {
						return m.wrap("epoll_ctl", err)
					}
				}
				continue
			}
			got, err := unix.Read(fd, buf)
			switch {
			case errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR):
				continue
			case err != nil:
				return m.wrap("server read", err)
			case got == 0:
				if n := len(pending[fd]); n > 0 && m.c.ZMTP {
					return fmt.Errorf("peer: a client ended %d bytes into a frame or its handshake", n)
				} else if n > 0 {
					return fmt.Errorf("peer: a client ended in a request (%d of %d bytes)", n, size)
				}
				// Closing takes the connection out of the epoll set too.
				unix.Close(fd)
				delete(pending, fd)
				delete(shaken, fd)
				ended++
				continue
			}
			p := append(pending[fd], buf[:got]...)
			whole := len(p) / size * size
			answer, requests := whole, whole/size
			if m.c.ZMTP {
				if !shaken[fd] {
					n, err := zmtpHandshake(p)
					if errors.Is(err, zmtp.ErrNeedMore) {
						pending[fd] = p
						continue
					}
					if err != nil {
						return err
					}
					shaken[fd] = true
					p = p[n:]
				}
				if whole, answer, requests, err = m.zmtpRequests(p); err != nil {
					return err
				}
			}
			if answer > 0 {
				if err := m.writeRaw(fd, p[:answer]); err != nil {
					return err
				}
				echoed += requests
				m.progress.Add(int64(requests))
			}
			pending[fd] = append(p[:0], p[whole:]...)
		}
	}
	res.Echoed = echoed
	return nil
}

// writeRaw writes b to the non-blocking fd, waiting (poll) while its buffer is full; a
// client reads its reply before it sends again, so this waits only if one stops reading.
func (m *many) writeRaw(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := unix.Write(fd, b)
		switch {
		case errors.Is(err, unix.EAGAIN):
			if m.ctx.Err() != nil {
				return m.wrap("server write", m.ctx.Err())
			}
			if _, err := unix.Poll([]unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}, 100); err != nil && !errors.Is(err, unix.EINTR) {
				return m.wrap("poll", err)
			}
		case errors.Is(err, unix.EINTR):
		case err != nil:
			return m.wrap("server write", err)
		default:
			b = b[n:]
		}
	}
	return nil
}

// listenRaw listens, non-blocking, on the run's endpoint with the system calls alone: a
// numeric tcp address (127.0.0.1:port, [::1]:port) or an ipc path. cleanup closes it and
// removes an ipc path.
func (m *many) listenRaw() (fd, family int, cleanup func(), err error) {
	network, addr, err := netAddr(m.c.Endpoint)
	if err != nil {
		return 0, 0, nil, err
	}
	var sa unix.Sockaddr
	switch network {
	case "tcp":
		ap, err := netip.ParseAddrPort(addr)
		if err != nil {
			return 0, 0, nil, fmt.Errorf("peer: %s needs a numeric tcp address: %w", GoEpoll, err)
		}
		if ap.Addr().Is4() {
			family, sa = unix.AF_INET, &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}
		} else {
			family, sa = unix.AF_INET6, &unix.SockaddrInet6{Port: int(ap.Port()), Addr: ap.Addr().As16()}
		}
	default:
		family, sa = unix.AF_UNIX, &unix.SockaddrUnix{Name: addr}
	}
	fd, err = unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, 0, nil, m.wrap("socket", err)
	}
	cleanup = func() { unix.Close(fd) }
	if family != unix.AF_UNIX {
		// As Go's net.Listen: a port whose last connections linger in TIME_WAIT binds again.
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
			cleanup()
			return 0, 0, nil, m.wrap("SO_REUSEADDR", err)
		}
	}
	if err := unix.Bind(fd, sa); err != nil {
		cleanup()
		return 0, 0, nil, fmt.Errorf("peer: %s listen %s: %w", GoEpoll, m.c.Endpoint, err)
	}
	if family == unix.AF_UNIX {
		cleanup = func() { unix.Close(fd); os.Remove(addr) }
	}
	if err := unix.Listen(fd, unix.SOMAXCONN); err != nil {
		cleanup()
		return 0, 0, nil, m.wrap("listen", err)
	}
	return fd, family, cleanup, nil
}
