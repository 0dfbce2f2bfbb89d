// Package readyset is a set of connections one goroutine waits on together: an epoll instance
// of the set's own, edge-triggered, whose descriptor is itself parked in Go's netpoller. Wait
// returns the connections that became readable in the order the kernel saw them become so,
// where a goroutine per connection would be woken in whatever order Go's scheduler runs them
// (the netpoller hands back each batch of ready goroutines last-first, and two processors
// steal from each other). A socket with many peers reads them through one (socket/multiread.go).
//
// Members are named by a token of the caller's choosing. The set never holds a descriptor of
// its own making but its epoll instance and an eventfd (Kick): a member's descriptor is used
// only under its connection's syscall.RawConn, so it cannot be closed, and its number reused,
// while the set adds or removes it; a connection closed while in the set leaves it by itself
// (the kernel drops a closed descriptor from every epoll instance).
package readyset

import (
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// Supported reports whether this platform has sets.
const Supported = true

// kickToken names the eventfd in the epoll instance; members' tokens are the caller's, any
// other value. Tokens travel in the event's 32-bit Fd field.
const kickToken = ^uint32(0)

// evToken is how a token travels: in the event's int32 Fd field, bit for bit.
func evToken(tok uint32) int32 { return int32(tok) }

// ErrToken is Add's error for the token Kick uses.
var ErrToken = errors.New("readyset: token reserved")

// Set is a set of connections whose readiness to read one goroutine waits on. Add, Remove and
// Kick may be called from any goroutine; Wait from one at a time.
type Set struct {
	ep   *os.File        // the epoll instance, non-blocking: Go's netpoller wakes Wait
	rc   syscall.RawConn // ep's
	kick int             // an eventfd in the instance, level-triggered: Kick writes it

	parked atomic.Bool // Wait is about to park, or parked
	kicked atomic.Bool // the eventfd holds a Kick not yet read

	// closeMu keeps Close from closing the eventfd under a Kick writing it (its number could
	// name another file by then); Wait needs none, as its caller stops before Close.
	closeMu sync.RWMutex
	closed  bool

	// Wait's, passed to waitFn (bound once: a method value per call would allocate).
	waitFn func(fd uintptr) bool
	events []unix.EpollEvent
	out    []uint32
}

// New returns an empty set.
func New() (*Set, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	if err := unix.SetNonblock(epfd, true); err != nil {
		unix.Close(epfd)
		return nil, os.NewSyscallError("fcntl", err)
	}
	kick, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(epfd)
		return nil, os.NewSyscallError("eventfd", err)
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: evToken(kickToken)}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, kick, &ev); err != nil {
		unix.Close(epfd)
		unix.Close(kick)
		return nil, os.NewSyscallError("epoll_ctl", err)
	}
	s := &Set{ep: os.NewFile(uintptr(epfd), "epoll"), kick: kick, events: make([]unix.EpollEvent, 128)}
	if s.rc, err = s.ep.SyscallConn(); err != nil {
		s.ep.Close()
		unix.Close(kick)
		return nil, err
	}
	s.waitFn = s.wait
	return s, nil
}

// Add puts the connection rc is the raw side of in the set as token: Wait reports token each
// time bytes arrive on it (or it ends) after this, and once at once if some are waiting.
func (s *Set) Add(rc syscall.RawConn, token uint32) error {
	if token == kickToken {
		return ErrToken
	}
	var err error
	cerr := s.rc.Control(func(epfd uintptr) {
		cerr := rc.Control(func(fd uintptr) {
			ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLET, Fd: evToken(token)}
			err = unix.EpollCtl(int(epfd), unix.EPOLL_CTL_ADD, int(fd), &ev)
		})
		if err == nil {
			err = cerr
		}
	})
	if err == nil {
		err = cerr
	}
	if err != nil {
		return os.NewSyscallError("epoll_ctl", err)
	}
	return nil
}

// Remove takes the connection rc is the raw side of out of the set. A closed connection has
// left already: Remove then does nothing. Wait may still report its token once after.
func (s *Set) Remove(rc syscall.RawConn) {
	_ = s.rc.Control(func(epfd uintptr) {
		_ = rc.Control(func(fd uintptr) {
			_ = unix.EpollCtl(int(epfd), unix.EPOLL_CTL_DEL, int(fd), nil)
		})
	})
}

// Wait appends to dst the tokens of members that became readable, in the order they did,
// parked until there is at least one or a Kick comes; pending, called once it is about to
// park, says there is work already and Wait returns dst at once. A Kick returns it with
// nothing appended. It returns an error once the set is closed.
func (s *Set) Wait(dst []uint32, pending func() bool) ([]uint32, error) {
	s.out = dst
	s.parked.Store(true)
	var err error
	if !pending() {
		err = s.rc.Read(s.waitFn)
	}
	s.parked.Store(false)
	dst, s.out = s.out, nil
	return dst, err
}

// wait takes what the epoll instance has; false (park) when it has nothing.
func (s *Set) wait(epfd uintptr) bool {
	n, err := unix.EpollWait(int(epfd), s.events, 0)
	if err != nil || n <= 0 {
		return false // EINTR or nothing: Go's netpoller wakes us for the next
	}
	for _, ev := range s.events[:n] {
		tok := uint32(ev.Fd)
		if tok == kickToken {
			var b [8]byte
			_, _ = unix.Read(s.kick, b[:]) // resets the count: level-triggered, it would stay ready
			s.kicked.Store(false)
			continue
		}
		s.out = append(s.out, tok)
	}
	return true
}

// Kick makes a Wait that is parked, or about to park, return; it costs a system call only
// then, and one for many Kicks before Wait runs.
func (s *Set) Kick() {
	if !s.parked.Load() || !s.kicked.CompareAndSwap(false, true) {
		return
	}
	s.closeMu.RLock()
	defer s.closeMu.RUnlock()
	if s.closed {
		return
	}
	one := [8]byte{1}
	if _, err := unix.Write(s.kick, one[:]); err != nil {
		s.kicked.Store(false) // the count is full: it cannot be, with one write per read
	}
}

// Close closes the set. A Wait parked then returns an error, and later ones do at once; but
// the caller stops calling Wait before it closes the set, as Wait reads the eventfd Close
// closes. Kicks after Close do nothing.
func (s *Set) Close() error {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	err := s.ep.Close()
	unix.Close(s.kick)
	return err
}
