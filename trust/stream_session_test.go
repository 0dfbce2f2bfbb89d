package trust_test

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	zmq "github.com/purezmq/zmq"
)

// session is one run of a pattern over a transport: two sides (and maybe a joiner), their
// streams, and everything the seed chose.
type session struct {
	p       pattern
	tr      transport
	seed    uint64 // as printed: -trust.seed=seed replays the session as the case's first
	key     uint64 // what the seed means for this case: every random choice derives from it
	cfg     config
	ctx     context.Context
	cancel  context.CancelFunc
	zctx    *zmq.Context
	sides   []*side // A, B and, in a join session, J
	streams []*flow
	stats   *stats

	mu       sync.Mutex
	failures []string

	monitors sync.WaitGroup
	stops    []func()
	drops    atomic.Int32  // disconnects the monitors are to expect (a joiner leaving)
	broken   chan struct{} // a connection failed (one signal each)
	endpoint string        // B's or A's bound address
}

const maxFailures = 4

// fail records what went wrong and ends the session; later failures are often consequences,
// so only the first few are kept.
func (s *session) fail(format string, args ...any) {
	s.mu.Lock()
	if len(s.failures) < maxFailures {
		s.failures = append(s.failures, fmt.Sprintf(format, args...))
	}
	s.mu.Unlock()
	s.cancel()
}

func (s *session) failed() bool { return s.ctx.Err() != nil }

// kick wakes every side to look again at what it may do.
func (s *session) kick() {
	for _, sd := range s.sides {
		select {
		case sd.wake <- struct{}{}:
		default:
		}
	}
}

// runSession runs one session and returns a report of what went wrong, or "".
func runSession(p pattern, tr transport, seed uint64, st *stats) string {
	s := &session{p: p, tr: tr, seed: seed, stats: st}
	h := fnv.New64a()
	fmt.Fprintf(h, "%s/%s", tr.name, p.name)
	s.key = mix(seed ^ h.Sum64())
	s.cfg = newConfig(p, tr, rand.New(rand.NewPCG(s.key, 0xc0ffee)), s.key)
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.broken = make(chan struct{}, 16)
	defer s.cancel()
	s.zctx = zmq.NewContext()
	if err := s.open(); err != nil {
		s.fail("setting up: %v", err)
	} else {
		s.run()
	}
	for _, st := range s.streams {
		s.stats.sent.Add(st.sent.Load())
		s.stats.lost.Add(st.sent.Load() - st.recvd.Load())
	}
	s.close()
	return s.report()
}

// open makes the sockets and streams and links A and B.
func (s *session) open() error {
	c := &s.cfg
	n := 2
	if c.join {
		n = 3
	}
	types := []zmq.Type{s.p.a, s.p.b, s.p.join}
	probes := []bool{s.p.probes[0], s.p.probes[1], s.p.join == zmq.DEALER}
	for i, name := range []string{"A", "B", "J"}[:n] {
		sd, err := s.newSide(i, name, types[i], probes[i])
		if err != nil {
			return err
		}
		s.sides = append(s.sides, sd)
	}
	a, b := s.sides[0], s.sides[1]
	s.addStream(0, a, b, c.counts[0])
	if s.p.back {
		s.addStream(1, b, a, c.counts[1])
	}
	if c.join {
		j := s.sides[2]
		s.addStream(2, j, b, c.counts[2])
		if s.p.back {
			s.addStream(3, b, j, c.counts[3])
		}
		b.trigger = make(chan struct{})
		if c.joinAt == 0 {
			close(b.trigger)
		}
	}
	binder, connecter := s.sides[c.binder], s.sides[1-c.binder]
	if err := binder.sock.Bind(s.tr.bind()); err != nil {
		return fmt.Errorf("%s Bind: %w", binder.name, err)
	}
	s.endpoint = binder.sock.LastEndpoint()
	if err := connecter.sock.Connect(s.endpoint); err != nil {
		return fmt.Errorf("%s Connect(%s): %w", connecter.name, s.endpoint, err)
	}
	for _, st := range s.streams {
		st.linked.Store(st.from.name != "J") // J's when it connects
	}
	return nil
}

func (s *session) newSide(i int, name string, typ zmq.Type, probe bool) (*side, error) {
	sock, err := s.zctx.NewSocket(typ, s.cfg.sockOptions(i, typ, name, probe)...)
	if err != nil {
		return nil, fmt.Errorf("%s: NewSocket(%v): %w", name, typ, err)
	}
	sd := &side{
		s: s, idx: i, name: name, typ: typ, sock: sock, id: []byte("trust-" + name), probe: probe,
		wake:  make(chan struct{}, 1),
		hist:  history{start: time.Now()},
		rng:   rand.New(rand.NewPCG(s.key, uint64(i)+1)),
		seen:  map[*side]bool{},
		peers: map[string]*side{},
	}
	if typ == zmq.SUB {
		if err := sock.Subscribe(s.cfg.prefix); err != nil {
			sock.Close()
			return nil, fmt.Errorf("%s: Subscribe: %w", name, err)
		}
	}
	events, stop := sock.Monitor(zmq.EventDisconnected | zmq.EventHandshakeFailedNoDetail |
		zmq.EventHandshakeFailedProtocol | zmq.EventHandshakeFailedAuth)
	s.stops = append(s.stops, stop)
	s.monitors.Add(1)
	go s.watch(sd, events)
	return sd, nil
}

// watch fails the session on any connection that drops or fails its handshake: with no fault
// injected, either means the stream broke (a peer that received garbage drops the connection).
func (s *session) watch(sd *side, events <-chan zmq.Event) {
	defer s.monitors.Done()
	for e := range events {
		switch {
		case e.Type == zmq.EventMonitorStopped:
		case e.Type == zmq.EventDisconnected && s.expectedDrop():
		default:
			s.fail("%v: connection event %v (nothing is injected: a connection that fails carried "+
				"bytes its peer did not mean to send)", sd, e)
			select {
			case s.broken <- struct{}{}:
			default:
			}
		}
	}
}

func (s *session) expectedDrop() bool {
	for {
		n := s.drops.Load()
		if n == 0 {
			return false
		}
		if s.drops.CompareAndSwap(n, n-1) {
			return true
		}
	}
}

func (s *session) addStream(id int, from, to *side, total int) {
	st := newFlow(s, id, from, to, total)
	s.streams = append(s.streams, st)
	from.out = append(from.out, st)
	to.in = append(to.in, st)
	to.peers[string(from.id)] = from
	from.peers[string(to.id)] = to
}

// run runs the sides until all are done or the session fails.
func (s *session) run() {
	var wg sync.WaitGroup
	for _, sd := range s.sides[:2] {
		wg.Go(sd.run)
	}
	if s.cfg.join {
		wg.Go(s.sides[2].join)
	}
	wg.Wait()
}

// close stops the monitors first, so closing reports no disconnects, then the sockets. After a
// connection failed on one side, it first waits a little for the other side's event: one says
// "broken pipe", the other why it dropped the connection.
func (s *session) close() {
	select {
	case <-s.broken:
		t := time.NewTimer(2 * time.Second)
		select {
		case <-s.broken:
		case <-t.C:
		}
		t.Stop()
	default:
	}
	for _, stop := range s.stops {
		stop()
	}
	s.monitors.Wait()
	for _, sd := range s.sides {
		sd.sock.Close()
	}
	s.zctx.Close()
}

// report is "" for a good session, else what failed with the session's configuration and the
// last things each side did.
func (s *session) report() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.failures) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s over %s, session seed %d:\n", s.p.name, s.tr.name, s.seed)
	for _, f := range s.failures {
		fmt.Fprintf(&b, "  FAIL %s\n", f)
	}
	fmt.Fprintf(&b, "  config: %s\n", s.cfg.describe(s.p))
	for _, st := range s.streams {
		fmt.Fprintf(&b, "  %s%s\n", st.state(), st.lastSent())
	}
	for _, sd := range s.sides {
		fmt.Fprintf(&b, "  %s (%v) last steps, oldest first:\n%s", sd.name, sd.typ, sd.hist.String("    "))
	}
	return b.String()
}

// failCall fails the session for a Send, Recv or Poll that returned err, unless the session
// is over already (its end interrupts them).
func (s *session) failCall(err error, format string, args ...any) {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		s.hang(format+": blocked for %v", append(args, *opTimeout)...)
	case !s.failed():
		s.fail(format+": %v", append(args, err)...)
	}
}

// hang fails the session for a call that blocked too long, with every goroutine's stack
// written to a file beside the report: where the engine waits is the first clue.
func (s *session) hang(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	name := filepath.Join(os.TempDir(), fmt.Sprintf("trust-hang-%s-%s-%d.txt", s.tr.name, s.p.name, s.seed))
	if err := os.WriteFile(name, buf, 0o644); err == nil {
		msg += "\n    goroutine stacks at the time: " + name
	}
	s.fail("%s", msg)
}
