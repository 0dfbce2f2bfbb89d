package trust_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/internal/faultnet"
)

// Waits: long for what must happen (generous, for -race on a loaded 2-core machine), short
// for what must not (the test pays it every time).
const (
	waitLong  = 20 * time.Second
	waitShort = 150 * time.Millisecond
)

// Intervals short enough that the suite stays fast; nothing asserts they are met.
const (
	reconnectIvl = 10 * time.Millisecond
	handshakeIvl = 500 * time.Millisecond
)

// newSocket opens a socket closed at the end of the test, with LINGER 0 and a short reconnect
// interval unless opts say otherwise.
func newSocket(t testing.TB, typ zmq.Type, opts ...zmq.Option) *zmq.Socket {
	t.Helper()
	base := []zmq.Option{zmq.WithLinger(0), zmq.WithReconnectIvl(reconnectIvl), zmq.WithHandshakeIvl(handshakeIvl)}
	s, err := zmq.NewSocket(typ, append(base, opts...)...)
	if err != nil {
		t.Fatalf("NewSocket(%v): %v", typ, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// bindTCP binds s to a loopback port and returns its address ("127.0.0.1:port").
func bindTCP(t testing.TB, s *zmq.Socket) string {
	t.Helper()
	if err := s.Bind("tcp://127.0.0.1:*"); err != nil {
		t.Fatalf("%v Bind: %v", s.Type(), err)
	}
	return strings.TrimPrefix(s.LastEndpoint(), "tcp://")
}

func connectTCP(t testing.TB, s *zmq.Socket, addr string) {
	t.Helper()
	if err := s.Connect("tcp://" + addr); err != nil {
		t.Fatalf("%v Connect(%s): %v", s.Type(), addr, err)
	}
}

// relayTo starts a fault relay to addr, closed at the end of the test.
func relayTo(t testing.TB, addr string, opts ...faultnet.Option) *faultnet.Relay {
	t.Helper()
	r, err := faultnet.New(addr, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// events counts a socket's monitor events as they come, so that a test can wait for the n-th
// of a kind however many others arrive meanwhile.
type events struct {
	mu      sync.Mutex
	counts  map[zmq.EventType]int
	changed chan struct{} // closed and replaced on each event
	dropped uint64
	done    chan struct{}
}

func watch(t testing.TB, s *zmq.Socket) *events { return watchAt(t, s, "") }

// watchAt counts only the events of endpoint ep ("" for all): those of one bound endpoint of a
// socket bound to several.
func watchAt(t testing.TB, s *zmq.Socket, ep string) *events {
	ch, stop := s.Monitor(zmq.EventAll)
	e := &events{counts: map[zmq.EventType]int{}, changed: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(e.done)
		for ev := range ch {
			if ep != "" && ev.Endpoint != ep && ev.Type != zmq.EventMonitorStopped {
				continue
			}
			e.mu.Lock()
			e.counts[ev.Type]++
			e.dropped = ev.Dropped
			close(e.changed)
			e.changed = make(chan struct{})
			e.mu.Unlock()
		}
	}()
	t.Cleanup(func() { stop(); <-e.done })
	return e
}

func (e *events) count(typ zmq.EventType) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.counts[typ]
}

// waitFor waits until n events of typ have come, failing the test after d.
func (e *events) waitFor(t testing.TB, typ zmq.EventType, n int, d time.Duration) {
	t.Helper()
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		e.mu.Lock()
		got, changed, dropped := e.counts[typ], e.changed, e.dropped
		e.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("%d %v events after %v, want %d (monitor dropped %d)", got, typ, d, n, dropped)
		}
	}
}

// group runs a test's goroutines and joins them before the sockets close: a goroutine that
// reports a failure after its test ended would panic.
type group struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newGroup(t testing.TB) *group {
	g := &group{}
	g.ctx, g.cancel = context.WithCancel(context.Background())
	t.Cleanup(g.stop)
	return g
}

func (g *group) run(f func(ctx context.Context)) {
	g.wg.Add(1)
	go func() { defer g.wg.Done(); f(g.ctx) }()
}

func (g *group) stop() { g.cancel(); g.wg.Wait() }
