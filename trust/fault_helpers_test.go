package trust_test

import (
	"context"
	"errors"
	"maps"
	"slices"
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
// of a kind however many others arrive meanwhile. It may count several sockets' events
// together (add): a client that replaces its socket keeps one count.
type events struct {
	mu      sync.Mutex
	counts  map[zmq.EventType]int
	up      map[string]bool // peers of connections handshaken and not ended yet
	broken  int             // connections that ended in a protocol error (zmq.ErrProtocol)
	last    []string        // the last few events, for reports
	changed chan struct{}   // closed and replaced on each event
	dropped uint64
	ended   []error        // the DISCONNECTED events' errors, in order
	stops   map[int]func() // of the monitors still running
	nextID  int
	wg      sync.WaitGroup
}

func watch(t testing.TB, s *zmq.Socket) *events { return watchAt(t, s, "") }

// watchAt counts only the events of endpoint ep ("" for all): those of one bound endpoint of a
// socket bound to several.
func watchAt(t testing.TB, s *zmq.Socket, ep string) *events {
	e := newEvents()
	e.add(s, ep)
	t.Cleanup(e.stop)
	return e
}

func newEvents() *events {
	return &events{counts: map[zmq.EventType]int{}, up: map[string]bool{}, changed: make(chan struct{}), stops: map[int]func(){}}
}

// add counts s's events of endpoint ep ("" for all) too, until s closes or stop.
func (e *events) add(s *zmq.Socket, ep string) {
	ch, stop := s.Monitor(zmq.EventAll)
	e.mu.Lock()
	id := e.nextID
	e.nextID++
	e.stops[id] = stop
	e.mu.Unlock()
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer func() {
			// A stop function keeps its socket reachable, and with it all the socket
			// pooled: forget it once the socket has closed.
			e.mu.Lock()
			delete(e.stops, id)
			e.mu.Unlock()
		}()
		for ev := range ch {
			if ep != "" && ev.Endpoint != ep && ev.Type != zmq.EventMonitorStopped {
				continue
			}
			e.mu.Lock()
			e.counts[ev.Type]++
			e.last = append(e.last, time.Now().Format("15:04:05.000 ")+ev.String())
			if len(e.last) > 8 {
				e.last = e.last[1:]
			}
			switch ev.Type {
			case zmq.EventHandshakeSucceeded:
				e.up[ev.PeerAddr] = true
			case zmq.EventDisconnected:
				delete(e.up, ev.PeerAddr)
				if errors.Is(ev.Err, zmq.ErrProtocol) {
					e.broken++
				}
				e.ended = append(e.ended, ev.Err)
			}
			e.dropped = max(e.dropped, ev.Dropped)
			close(e.changed)
			e.changed = make(chan struct{})
			e.mu.Unlock()
		}
	}()
}

// stop ends every monitor and waits for their goroutines.
func (e *events) stop() {
	e.mu.Lock()
	stops := slices.Collect(maps.Values(e.stops))
	e.mu.Unlock()
	for _, stop := range stops {
		stop()
	}
	e.wg.Wait()
}

// live is how many connections have completed their handshake and not ended: over tcp, where
// each has a peer address of its own.
func (e *events) live() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.up)
}

// recent lists the last few events, with when they came.
func (e *events) recent() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return strings.Join(e.last, "; ")
}

// protocolErrors is how many connections ended in a protocol error: on a connect side, each
// made it give up on its endpoint (as libzmq does).
func (e *events) protocolErrors() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.broken
}

// await waits until ok holds or d has passed, and reports which.
func (e *events) await(ok func() bool, d time.Duration) bool {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		e.mu.Lock()
		changed := e.changed
		e.mu.Unlock()
		if ok() {
			return true
		}
		select {
		case <-changed:
		case <-deadline.C:
			return ok()
		}
	}
}

// endedWith is how many connections ended with an error matching target.
func (e *events) endedWith(target error) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, err := range e.ended {
		if errors.Is(err, target) {
			n++
		}
	}
	return n
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
