// Package faultnet is a TCP relay for tests: it sits between two peers on loopback and, on
// command, delays, throttles, cuts, resets, blackholes or corrupts what it forwards, in either
// direction, on the connections it holds and on those it accepts later.
//
// It is written here rather than taken from a library (toxiproxy and the like) for two reasons.
// The trust tests need exact control of where a stream breaks: a cut after exactly N more bytes,
// so that it lands inside a frame, and a chosen bit flipped at a chosen offset; proxies built
// for latency and bandwidth shaping cut at chunk or time boundaries. And the core module's
// go.mod stays free of a dependency (and of a proxy process to run) for the sake of a test.
package faultnet

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
)

// Direction is a way through the relay; faults are set per direction.
type Direction uint8

const (
	// Up is from the side that connected to the relay towards the target.
	Up Direction = 1 << iota
	// Down is from the target back to the side that connected.
	Down
	// Both is Up and Down.
	Both = Up | Down
)

// Relay accepts connections on a loopback port and forwards each one to the target.
type Relay struct {
	ln     net.Listener
	target string
	buf    int

	ctx    context.Context // cancelled by Close: ends dials under way
	cancel context.CancelFunc

	mu      sync.Mutex
	dirs    [2]fault      // Up, Down
	changed chan struct{} // closed and replaced whenever dirs change
	conns   map[*conn]struct{}
	closed  bool
	nextID  uint64

	wg sync.WaitGroup
	st counters
}

// Option configures a Relay.
type Option func(*Relay)

// WithSocketBuffer sets the kernel send and receive buffers of both sockets the relay holds
// for each connection to n bytes, so that a throttled link pushes back on the sender after
// little buffering instead of after the megabytes loopback autotuning allows.
func WithSocketBuffer(n int) Option { return func(r *Relay) { r.buf = n } }

// New starts a relay listening on 127.0.0.1 (a port of the system's choosing) that forwards
// every connection it accepts to target ("host:port").
func New(target string, opts ...Option) (*Relay, error) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &Relay{ln: ln, target: target, changed: make(chan struct{}), conns: map[*conn]struct{}{}}
	for _, o := range opts {
		o(r)
	}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	r.wg.Add(1)
	go r.accept()
	return r, nil
}

// Addr is the address to connect to instead of the target ("127.0.0.1:port").
func (r *Relay) Addr() string { return r.ln.Addr().String() }

// Close stops accepting, ends every connection at once and returns when all of the relay's
// goroutines have.
func (r *Relay) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	conns := make([]*conn, 0, len(r.conns))
	for c := range r.conns {
		conns = append(conns, c)
	}
	r.mu.Unlock()
	r.cancel()
	err := r.ln.Close()
	for _, c := range conns {
		c.shut(endAbort)
	}
	r.wg.Wait()
	return err
}

func (r *Relay) accept() {
	defer r.wg.Done()
	for {
		nc, err := r.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue // a transient failure (out of descriptors...): keep serving
		}
		r.st.accepted.Add(1)
		r.mu.Lock()
		if r.closed {
			r.mu.Unlock()
			nc.Close()
			return
		}
		r.nextID++
		c := newConn(r, r.nextID, nc)
		r.conns[c] = struct{}{}
		r.wg.Add(1)
		r.mu.Unlock()
		go c.run()
	}
}

func (r *Relay) forget(c *conn) {
	r.mu.Lock()
	delete(r.conns, c)
	r.mu.Unlock()
}

// Stats are the relay's counters since New.
type Stats struct {
	Accepted   int64 // connections accepted
	Open       int64 // connections being forwarded now
	DialFailed int64 // accepted connections closed because the target refused them
	Up, Down   int64 // bytes forwarded in each direction
	Cuts       int64 // connections closed by Cut
	Resets     int64 // connections reset by Reset
	Corrupted  int64 // bytes altered by Corrupt
}

type counters struct {
	accepted, open, dialFailed, cuts, resets, corrupted atomic.Int64
	bytes                                               [2]atomic.Int64
}

// Stats returns the counters as they are now.
func (r *Relay) Stats() Stats {
	return Stats{
		Accepted: r.st.accepted.Load(), Open: r.st.open.Load(), DialFailed: r.st.dialFailed.Load(),
		Up: r.st.bytes[0].Load(), Down: r.st.bytes[1].Load(),
		Cuts: r.st.cuts.Load(), Resets: r.st.resets.Load(), Corrupted: r.st.corrupted.Load(),
	}
}
