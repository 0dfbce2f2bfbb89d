package interop

import (
	"errors"
	"fmt"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	zmq4 "github.com/pebbe/zmq4"
	"github.com/purezmq/zmq"
)

// peer is one end of a connection as the tests drive it: a purezmq socket or a libzmq one.
// Every send and receive is bounded by ioTimeout.
type peer interface {
	fmt.Stringer
	send(m [][]byte) error
	recv() ([][]byte, error)
}

// purePeer drives a purezmq socket.
type purePeer struct{ s *zmq.Socket }

func (p purePeer) String() string { return "purezmq " + p.s.Type().String() }

func (p purePeer) send(m [][]byte) error {
	ctx, cancel := contextIO()
	defer cancel()
	return p.s.Send(ctx, zmq.NewMsg(clone(m)...)) // Send owns its frames from now on
}

func (p purePeer) recv() ([][]byte, error) {
	ctx, cancel := contextIO()
	defer cancel()
	m, err := p.s.Recv(ctx)
	return m.Frames, err
}

// libPeer drives a libzmq socket, whose SNDTIMEO and RCVTIMEO are ioTimeout.
type libPeer struct{ s *zmq4.Socket }

func (p libPeer) String() string {
	typ, _ := p.s.GetType()
	return "libzmq " + typ.String()
}

func (p libPeer) send(m [][]byte) error {
	_, err := p.s.SendMessage(m)
	return err
}

func (p libPeer) recv() ([][]byte, error) { return p.s.RecvMessageBytes(0) }

// mustSend sends m from p or fails the test.
func mustSend(t *testing.T, p peer, m [][]byte) {
	t.Helper()
	if err := p.send(m); err != nil {
		t.Fatalf("%v: send %s: %v", p, sizes(m), err)
	}
}

// expect receives one message on p and fails the test unless it is exactly want.
func expect(t *testing.T, p peer, want [][]byte) {
	t.Helper()
	got, err := p.recv()
	if err != nil {
		t.Fatalf("%v: recv (want %s): %v", p, sizes(want), err)
	}
	checkFrames(t, p.String()+" received", got, want)
}

// newPure creates a purezmq socket with linger 0 (tests only close once everything they sent
// has been received), closed at the end of the test.
func newPure(t *testing.T, typ zmq.Type, opts ...zmq.Option) *zmq.Socket {
	t.Helper()
	s, err := zmq.NewSocket(typ, append([]zmq.Option{zmq.WithLinger(0)}, opts...)...)
	if err != nil {
		t.Fatalf("purezmq NewSocket(%v): %v", typ, err)
	}
	t.Cleanup(func() { closePure(t, s) })
	return s
}

// closePure closes s, failing the test if that hangs; closing twice is fine.
func closePure(t *testing.T, s *zmq.Socket) {
	t.Helper()
	within(t, "purezmq "+s.Type().String()+" Close", closeTimeout, func() error {
		if err := s.Close(); err != nil && !errors.Is(err, zmq.ErrClosed) {
			return err
		}
		return nil
	})
}

// newLibCtx returns a fresh libzmq context, terminated at the end of the test after its sockets
// (registered later, so cleaned up earlier) are closed. A context of its own per test lets a
// test wait, by terminating it, until libzmq has really released a bound endpoint.
func newLibCtx(t *testing.T) *zmq4.Context {
	t.Helper()
	c, err := zmq4.NewContext()
	if err != nil {
		t.Fatalf("libzmq NewContext: %v", err)
	}
	t.Cleanup(func() { termLib(t, c) })
	return c
}

// termLib terminates c; every socket of c must be closed by then.
func termLib(t *testing.T, c *zmq4.Context) {
	t.Helper()
	within(t, "libzmq context Term", closeTimeout, c.Term)
}

// newLib creates a libzmq socket whose sends and receives time out after ioTimeout, closed
// (with linger 0) at the end of the test.
func newLib(t *testing.T, c *zmq4.Context, typ zmq.Type) *zmq4.Socket {
	t.Helper()
	s, err := c.NewSocket(zmq4.Type(typ))
	if err != nil {
		t.Fatalf("libzmq NewSocket(%v): %v", typ, err)
	}
	t.Cleanup(func() { closeLib(t, s) })
	for _, err := range []error{s.SetSndtimeo(ioTimeout), s.SetRcvtimeo(ioTimeout)} {
		if err != nil {
			t.Fatalf("libzmq %v: set timeouts: %v", typ, err)
		}
	}
	return s
}

// closeLib closes s with linger 0; closing twice is fine.
func closeLib(t *testing.T, s *zmq4.Socket) {
	t.Helper()
	within(t, "libzmq Close", closeTimeout, func() error {
		_ = s.SetLinger(0) // fails only on a socket already closed
		return s.Close()
	})
}

// libBind binds s on addr and returns the endpoint it really bound.
func libBind(t *testing.T, s *zmq4.Socket, addr string) string {
	t.Helper()
	if err := s.Bind(addr); err != nil {
		t.Fatalf("libzmq Bind(%s): %v", addr, err)
	}
	ep, err := s.GetLastEndpoint()
	if err != nil {
		t.Fatalf("libzmq last endpoint: %v", err)
	}
	return ep
}

// pureBind binds s on addr and returns the endpoint it really bound.
func pureBind(t *testing.T, s *zmq.Socket, addr string) string {
	t.Helper()
	if err := s.Bind(addr); err != nil {
		t.Fatalf("purezmq Bind(%s): %v", addr, err)
	}
	return s.LastEndpoint()
}

// monitor watches a libzmq socket's events, to wait for a connection to be made or refused
// without sleeping (the tests were written before purezmq had Socket.Monitor).
type monitor struct{ s *zmq4.Socket }

var monitorSeq atomic.Int64

// newMonitor starts monitoring every event of s, which must be in c. Call it before s binds or
// connects so no event is missed.
func newMonitor(t *testing.T, c *zmq4.Context, s *zmq4.Socket) monitor {
	t.Helper()
	addr := fmt.Sprintf("inproc://monitor-%d", monitorSeq.Add(1))
	if err := s.Monitor(addr, zmq4.EVENT_ALL); err != nil {
		t.Fatalf("libzmq Monitor: %v", err)
	}
	m := newLib(t, c, zmq.PAIR)
	if err := m.Connect(addr); err != nil {
		t.Fatalf("libzmq monitor Connect: %v", err)
	}
	return monitor{m}
}

// await reads events until one in want arrives, failing the test after ioTimeout. It returns the
// event and logs the ones it skipped.
func (m monitor) await(t *testing.T, want zmq4.Event) zmq4.Event {
	t.Helper()
	deadline := time.Now().Add(ioTimeout)
	for time.Now().Before(deadline) {
		ev, addr, val, err := m.s.RecvEvent(0)
		if err != nil {
			t.Fatalf("libzmq monitor: waiting for %v: %v", want, err)
		}
		if ev&want != 0 {
			return ev
		}
		t.Logf("libzmq event %v %s %d", ev, addr, val)
	}
	t.Fatalf("libzmq monitor: no %v within %v", want, ioTimeout)
	return 0
}

// none fails the test if an event in unwanted arrives within quiet (the caller has already
// waited for the event after which none may come).
func (m monitor) none(t *testing.T, unwanted zmq4.Event) {
	t.Helper()
	defer m.s.SetRcvtimeo(ioTimeout)
	n := 0
	for deadline := time.Now().Add(quiet); ; {
		left := time.Until(deadline)
		if left <= 0 {
			break
		}
		if err := m.s.SetRcvtimeo(left); err != nil {
			t.Fatal(err)
		}
		ev, addr, _, err := m.s.RecvEvent(0)
		if isErrno(err, eagain) {
			break
		}
		if err != nil {
			t.Fatalf("libzmq monitor: %v", err)
		}
		if ev&unwanted != 0 {
			if n++; n <= 3 {
				t.Logf("libzmq event %v %s", ev, addr)
			}
		}
	}
	if n > 0 {
		t.Errorf("libzmq reported %d unwanted events within %v", n, quiet)
	}
}

// eagain is libzmq's "timed out" (RCVTIMEO and SNDTIMEO expiry).
var eagain = zmq4.Errno(syscall.EAGAIN)

// isErrno reports whether err is libzmq's error e (pebbe/zmq4 errors are Errno values that
// errors.Is does not match against syscall.Errno).
func isErrno(err error, e zmq4.Errno) bool { return err != nil && zmq4.AsErrno(err) == e }
