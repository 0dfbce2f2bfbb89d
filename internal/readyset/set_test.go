//go:build linux

package readyset

import (
	"errors"
	"net"
	"os"
	"slices"
	"syscall"
	"testing"

	"go.uber.org/goleak"
	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// pair is a connected pair of unix sockets: r is the member, w its peer.
type pair struct {
	r, w net.Conn
	rc   syscall.RawConn
}

func newPair(t *testing.T) pair {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	conn := func(fd int) net.Conn {
		f := os.NewFile(uintptr(fd), "pair")
		defer f.Close() // FileConn dups it
		c, err := net.FileConn(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	p := pair{r: conn(fds[0]), w: conn(fds[1])}
	rc, err := p.r.(syscall.Conn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	p.rc = rc
	return p
}

func newSet(t *testing.T) *Set {
	t.Helper()
	s, err := New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func never() bool { return false }

// waitFor waits until the set reports n tokens, returning them in the order reported.
func waitFor(t *testing.T, s *Set, n int) []uint32 {
	t.Helper()
	var got []uint32
	for len(got) < n {
		var err error
		if got, err = s.Wait(got, never); err != nil {
			t.Fatal(err)
		}
	}
	return got
}

func write(t *testing.T, c net.Conn, b string) {
	t.Helper()
	if _, err := c.Write([]byte(b)); err != nil {
		t.Fatal(err)
	}
}

// Members become readable in one order; Wait reports them in that order, whatever the order
// they were added in or their tokens.
func TestOrder(t *testing.T) {
	s := newSet(t)
	ps := make([]pair, 5)
	for i := range ps {
		ps[i] = newPair(t)
		if err := s.Add(ps[i].rc, uint32(10+i)); err != nil {
			t.Fatal(err)
		}
	}
	order := []int{3, 0, 4, 1, 2}
	for _, i := range order {
		write(t, ps[i].w, "x")
	}
	got := waitFor(t, s, len(order))
	want := make([]uint32, len(order))
	for k, i := range order {
		want[k] = uint32(10 + i)
	}
	if !slices.Equal(got, want) {
		t.Errorf("reported %v, want %v", got, want)
	}
}

// Edge-triggered: bytes left unread are not reported again; new bytes are. A member added with
// bytes waiting is reported at once.
func TestEdges(t *testing.T) {
	s := newSet(t)
	a, b := newPair(t), newPair(t)
	write(t, b.w, "early")
	if err := s.Add(a.rc, 1); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(b.rc, 2); err != nil {
		t.Fatal(err)
	}
	if got := waitFor(t, s, 1); !slices.Equal(got, []uint32{2}) {
		t.Fatalf("a member added with bytes waiting: %v", got)
	}
	write(t, a.w, "1")
	if got := waitFor(t, s, 1); !slices.Equal(got, []uint32{1}) {
		t.Fatalf("after a write: %v", got)
	}
	// Nothing new: a Wait parks until a Kick, reporting nothing.
	if got := waitKicked(t, s); len(got) != 0 {
		t.Errorf("reported %v with nothing new", got)
	}
	write(t, a.w, "2")
	if got := waitFor(t, s, 1); !slices.Equal(got, []uint32{1}) {
		t.Fatalf("after a second write: %v", got)
	}
}

// waitKicked runs a Wait and kicks it once it is about to park (pending is asked then, the set
// marked parked already), returning what it reported.
func waitKicked(t *testing.T, s *Set) []uint32 {
	t.Helper()
	about, done := make(chan struct{}), make(chan []uint32)
	go func() {
		got, err := s.Wait(nil, func() bool { close(about); return false })
		if err != nil {
			t.Error(err)
		}
		done <- got
	}()
	<-about
	s.Kick()
	return <-done
}

// Many Kicks before Wait reads the eventfd cost one write, and leave nothing behind: the next
// Wait parks until the next Kick.
func TestKicks(t *testing.T) {
	s := newSet(t)
	s.parked.Store(true)
	for range 5 {
		s.Kick()
	}
	s.parked.Store(false)
	if got, err := s.Wait(nil, never); err != nil || len(got) != 0 {
		t.Fatalf("Wait after kicks = %v, %v", got, err)
	}
	if s.kicked.Load() {
		t.Error("a kick left marked after Wait read the eventfd")
	}
	if got := waitKicked(t, s); len(got) != 0 {
		t.Errorf("reported %v", got)
	}
}

// pending is asked once Wait is about to park: true returns at once, parking on nothing.
func TestPending(t *testing.T) {
	s := newSet(t)
	asked := 0
	got, err := s.Wait([]uint32{7}, func() bool { asked++; return true })
	if err != nil || !slices.Equal(got, []uint32{7}) || asked != 1 {
		t.Errorf("Wait = %v, %v after %d asks", got, err, asked)
	}
	if s.parked.Load() {
		t.Error("still marked parked")
	}
}

// A closed connection leaves the set by itself; Remove then does nothing, and the
// descriptor's number, if a new connection gets it, is not confused with the old member.
func TestClosedMember(t *testing.T) {
	s := newSet(t)
	a := newPair(t)
	if err := s.Add(a.rc, 1); err != nil {
		t.Fatal(err)
	}
	a.r.Close()
	s.Remove(a.rc) // closed: nothing to do, and no panic
	b := newPair(t)
	if err := s.Add(b.rc, 2); err != nil {
		t.Fatal(err)
	}
	write(t, b.w, "x")
	got := waitFor(t, s, 1)
	if slices.Contains(got, 1) || !slices.Contains(got, 2) {
		t.Errorf("reported %v, want only 2", got)
	}
}

// A member removed is reported no more.
func TestRemove(t *testing.T) {
	s := newSet(t)
	a, b := newPair(t), newPair(t)
	for i, p := range []pair{a, b} {
		if err := s.Add(p.rc, uint32(i+1)); err != nil {
			t.Fatal(err)
		}
	}
	s.Remove(a.rc)
	write(t, a.w, "x")
	write(t, b.w, "y")
	if got := waitFor(t, s, 1); !slices.Equal(got, []uint32{2}) {
		t.Errorf("reported %v, want [2]", got)
	}
	if err := s.Add(a.rc, 1); err != nil { // back in, with its byte waiting
		t.Fatal(err)
	}
	if got := waitFor(t, s, 1); !slices.Equal(got, []uint32{1}) {
		t.Errorf("re-added: reported %v, want [1]", got)
	}
}

// The end of a member's stream is readiness too: its reader sees it.
func TestPeerEnd(t *testing.T) {
	s := newSet(t)
	a := newPair(t)
	if err := s.Add(a.rc, 5); err != nil {
		t.Fatal(err)
	}
	a.w.Close()
	if got := waitFor(t, s, 1); !slices.Equal(got, []uint32{5}) {
		t.Errorf("reported %v, want [5]", got)
	}
}

// Close returns a parked Wait with an error; later Waits fail at once and Kicks do nothing.
func TestClose(t *testing.T) {
	s, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Add(newPair(t).rc, kickToken); !errors.Is(err, ErrToken) {
		t.Errorf("Add with the kick's token: %v", err)
	}
	about, done := make(chan struct{}), make(chan error)
	go func() {
		_, err := s.Wait(nil, func() bool { close(about); return false })
		done <- err
	}()
	<-about
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err == nil {
		t.Error("a parked Wait returned no error at Close")
	}
	if _, err := s.Wait(nil, never); err == nil {
		t.Error("a Wait after Close returned no error")
	}
	s.parked.Store(true)
	s.Kick() // after Close: nothing, no panic
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
