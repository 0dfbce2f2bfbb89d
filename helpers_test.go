package zmq_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/internal/freeport"
	"github.com/purezmq/zmq/internal/parked"
)

// Waits in the suites: long for what must happen (generous, for -race on a loaded machine),
// short for what must not (the test pays it every time).
const (
	waitLong  = 10 * time.Second
	waitShort = 150 * time.Millisecond
)

// transport is one wire the shared suites run over. wildcard returns a fresh bind address; the
// address peers connect to is the binder's LastEndpoint.
type transport struct {
	name     string
	wildcard func() string
	// fixed returns an address nobody uses yet that Bind and Connect accept verbatim, for tests
	// that must connect before anything binds.
	fixed func(t *testing.T) string
}

var inprocSeq atomic.Uint64

func inprocName() string { return fmt.Sprintf("inproc://conformance-%d", inprocSeq.Add(1)) }

var transports = []transport{
	{name: "tcp", wildcard: func() string { return "tcp://127.0.0.1:*" }, fixed: freeTCPEndpoint},
	{name: "ipc", wildcard: func() string { return "ipc://*" }, fixed: freeIPCEndpoint},
	{name: "inproc", wildcard: inprocName, fixed: func(*testing.T) string { return inprocName() }},
}

// forEachTransport runs f as a parallel subtest per transport.
func forEachTransport(t *testing.T, f func(t *testing.T, tr transport)) {
	t.Helper()
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			f(t, tr)
		})
	}
}

// freeTCPEndpoint returns a loopback endpoint whose port is free and below the ephemeral range
// (internal/freeport): a socket that connects before anything binds it is never handed the
// port as its own (a connection to itself), nor is anything else before the bind.
func freeTCPEndpoint(t *testing.T) string {
	t.Helper()
	ports, err := freeport.Pick(1)
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	return fmt.Sprintf("tcp://127.0.0.1:%d", ports[0])
}

// freeIPCEndpoint returns an ipc endpoint in a fresh directory, short enough for sun_path.
func freeIPCEndpoint(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "zmqt")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return "ipc://" + filepath.Join(dir, "s")
}

// newSocket opens a socket closed at the end of the test. Linger is 0 unless opts set it, so
// tests that do not test linger never wait in Close.
func newSocket(t testing.TB, typ zmq.Type, opts ...zmq.Option) *zmq.Socket {
	t.Helper()
	s, err := zmq.NewSocket(typ, append([]zmq.Option{zmq.WithLinger(0)}, opts...)...)
	if err != nil {
		t.Fatalf("NewSocket(%v): %v", typ, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// bind binds s to addr and returns the endpoint peers should connect to.
func bind(t testing.TB, s *zmq.Socket, addr string) string {
	t.Helper()
	if err := s.Bind(addr); err != nil {
		t.Fatalf("%v Bind(%q): %v", s.Type(), addr, err)
	}
	ep := s.LastEndpoint()
	if ep == "" {
		t.Fatalf("%v LastEndpoint empty after Bind(%q)", s.Type(), addr)
	}
	return ep
}

func connect(t testing.TB, s *zmq.Socket, ep string) {
	t.Helper()
	if err := s.Connect(ep); err != nil {
		t.Fatalf("%v Connect(%q): %v", s.Type(), ep, err)
	}
}

// link binds binder on a fresh address of tr and connects connecter to it.
func link(t testing.TB, tr transport, binder, connecter *zmq.Socket) string {
	t.Helper()
	ep := bind(t, binder, tr.wildcard())
	connect(t, connecter, ep)
	return ep
}

// Where the tests' calls block, for waits on a goroutine being parked there.
var (
	pollParked = parked.Where{Func: "zmq.(*Poller).Poll", States: parked.Select}
	recvParked = parked.Where{Func: "socket.(*Socket).Recv", States: parked.Select}
	sendParked = parked.Where{Func: "socket.(*Socket).Send", States: parked.Select}
	// A Recv reading its only peer's connection itself (internal/socket/direct.go).
	directParked = parked.Where{Func: "engine.(*Conn).readAsCaller", States: parked.IOWait}
	// A connection's writer blocked in a write its peer does not read.
	writeParked = parked.Where{Func: "engine.(*Conn).writeLoop", States: parked.IOWait}
)

// untilParked waits, up to waitLong, until each goroutine of ids is blocked at w; any
// goroutine may call it.
func untilParked(w parked.Where, ids ...uint64) error {
	ctx, cancel := within(waitLong)
	defer cancel()
	return parked.All(ctx, w, ids...)
}

// waitParked is untilParked that fails the test.
func waitParked(t testing.TB, w parked.Where, ids ...uint64) {
	t.Helper()
	if err := untilParked(w, ids...); err != nil {
		t.Fatal(err)
	}
}

// goID runs f in a new goroutine and returns the goroutine's id, for waitParked.
func goID(f func()) uint64 {
	id := make(chan uint64, 1)
	go func() {
		id <- parked.ID()
		f()
	}()
	return <-id
}

func within(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}

// send sends frames, failing the test unless the socket takes them within waitLong.
func send(t testing.TB, s *zmq.Socket, frames ...[]byte) {
	t.Helper()
	ctx, cancel := within(waitLong)
	defer cancel()
	if err := s.Send(ctx, zmq.NewMsg(frames...)); err != nil {
		t.Fatalf("%v Send(%q): %v", s.Type(), frames, err)
	}
}

func sendString(t testing.TB, s *zmq.Socket, frames ...string) {
	t.Helper()
	send(t, s, strFrames(frames...)...)
}

// recvWithin returns the next message, failing the test if none comes within d.
func recvWithin(t testing.TB, s *zmq.Socket, d time.Duration) zmq.Msg {
	t.Helper()
	ctx, cancel := within(d)
	defer cancel()
	m, err := s.Recv(ctx)
	if err != nil {
		t.Fatalf("%v Recv: %v", s.Type(), err)
	}
	return m
}

// expectRecv receives within waitLong and checks the frames.
func expectRecv(t testing.TB, s *zmq.Socket, want ...[]byte) zmq.Msg {
	t.Helper()
	m := recvWithin(t, s, waitLong)
	if !framesEqual(m.Frames, want) {
		t.Fatalf("%v received %s, want %s", s.Type(), fmtFrames(m.Frames), fmtFrames(want))
	}
	return m
}

func expectRecvString(t testing.TB, s *zmq.Socket, want ...string) zmq.Msg {
	t.Helper()
	return expectRecv(t, s, strFrames(want...)...)
}

// expectNoMsg checks that nothing arrives within d.
func expectNoMsg(t testing.TB, s *zmq.Socket, d time.Duration) {
	t.Helper()
	ctx, cancel := within(d)
	defer cancel()
	m, err := s.Recv(ctx)
	if err == nil {
		t.Fatalf("%v received %s, want nothing", s.Type(), fmtFrames(m.Frames))
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%v Recv: %v, want context.DeadlineExceeded", s.Type(), err)
	}
}

func strFrames(ss ...string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

func framesEqual(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// fmtFrames prints frames compactly; long ones by size only.
func fmtFrames(fs [][]byte) string {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, f := range fs {
		if i > 0 {
			b.WriteByte(' ')
		}
		if len(f) > 32 {
			fmt.Fprintf(&b, "<%d bytes>", len(f))
		} else {
			fmt.Fprintf(&b, "%q", f)
		}
	}
	b.WriteByte(']')
	return b.String()
}

// cat returns the frames of head followed by those of tail, in a fresh slice.
func cat(head [][]byte, tail ...[]byte) [][]byte {
	return append(append(make([][]byte, 0, len(head)+len(tail)), head...), tail...)
}
