// Package peer is one side of a throughput or latency test (or, over inproc, both sides in one
// process) for each Go implementation bench-compare measures. Its semantics are those of
// libzmq's perf tools and of the C peers in ../c: throughput is PUSH→PULL, one frame per
// message, clocked by the receiver from the first message to the last (local_thr); latency is
// half the mean REQ/REP round trip, clocked by the requester (remote_lat).
//
// A peer says "ready" on stderr once its socket is bound or connected and prints its result as
// one JSON line on stdout.
package peer

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"runtime/trace"
	"sort"
	"strings"
	"time"

	"github.com/purezmq/zmq/perf"
)

// Roles a peer can play.
const (
	ThrRecv   = "thr_recv"   // PULL, bind by default; prints msgs_per_s
	ThrSend   = "thr_send"   // PUSH, connect by default
	LatRep    = "lat_rep"    // REP echo, bind by default
	LatReq    = "lat_req"    // REQ, connect by default; prints latency_us
	ThrInproc = "thr_inproc" // both throughput ends in this process
	LatInproc = "lat_inproc" // both latency ends in this process
	// HsReq opens Count REQ sockets one after another, each connecting, completing its
	// handshake and one round trip with a lat_rep echo, then closing; prints handshakes_per_s.
	HsReq = "hs_req"
)

// hsTimeout bounds each of HsReq's round trips, handshake included.
const hsTimeout = 5 * time.Second

// Config is what one peer process does.
type Config struct {
	Impl     string // a name from Impls
	Role     string
	Endpoint string
	Bind     bool // bind rather than connect (two-process roles)
	// Curve secures every socket with CURVE and the fixed test keys (CurveServerPublic...):
	// the bound side is the server, the connecting side the client.
	Curve bool
	Size  int // message size in bytes
	Count int // messages, or round trips
	// Peers is the number of sockets of a many-peer role's connecting side (ManyRoles).
	Peers int
	// NoRecycle keeps purezmq's receiving loops from giving messages back (Socket.Recycle),
	// to measure what a program that does not gets.
	NoRecycle bool
	// NewPayload makes purezmq's xpub_fan send a new payload per message with Send (the
	// frames the library's once sent) instead of copies of one buffer with SendCopy.
	NewPayload bool
	// ZMTP makes GoEpoll's router_echo speak ZMTP to ZeroMQ DEALER clients (purezmq's or
	// libzmq's): the same one-goroutine server, for clients of a messaging library.
	ZMTP bool
	// Hold, when set, makes a thr_send or lat_rep peer wait for EOF on it after its last
	// message before closing: for implementations whose Close loses what is still queued
	// (mangos's PUSH, go-zeromq's REP).
	Hold io.Reader
}

// Result is the JSON line a measuring peer prints.
type Result struct {
	Impl      string  `json:"impl"`
	Role      string  `json:"role"`
	Endpoint  string  `json:"endpoint"`
	Size      int     `json:"size"`
	Count     int     `json:"count"`
	ElapsedS  float64 `json:"elapsed_s"`
	MsgsPerS  float64 `json:"msgs_per_s,omitempty"`
	LatencyUS float64 `json:"latency_us,omitempty"`
	// HandshakesPerS is HsReq's rate: sockets opened, handshaken, used once and closed per
	// second.
	HandshakesPerS float64 `json:"handshakes_per_s,omitempty"`
}

// Socket kinds the tests use.
type kind int

const (
	push kind = iota
	pull
	req
	rep
)

func (k kind) String() string { return [...]string{"PUSH", "PULL", "REQ", "REP"}[k] }

// conn is one socket of an implementation, reduced to what the tests need.
type conn interface {
	send(b []byte) error   // one single-frame message; b is never modified afterwards
	recv() ([]byte, error) // one message, which must be a single frame
	close() error
}

// impl is one implementation's context: the sockets it opens share it (inproc needs that).
type impl interface {
	open(k kind, endpoint string, o sockOpts) (conn, error)
	close() error
}

// Impls maps each implementation's name to its constructor.
var Impls = map[string]func() (impl, error){
	"purezmq": newPurezmq,
	"pebbe":   newPebbe,
	"gozmq":   newGozmq,
	"mangos":  newMangos,
}

func implNames() string {
	names := make([]string, 0, len(Impls))
	for n := range Impls {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, "|")
}

// Main parses the command line of cmd/peer and runs it.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("peer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c Config
	var mode string
	var hold bool
	fs.StringVar(&c.Impl, "impl", "purezmq", "implementation: "+implNames()+", or "+GoNet+" (no ZeroMQ: router_echo, dealer_rt, pull_fair and push_fair over plain connections), or "+GoEpoll+" (no ZeroMQ: router_echo by epoll, for "+GoNet+"'s clients)")
	fs.StringVar(&c.Role, "role", "", "thr_recv|thr_send|lat_rep|lat_req|thr_inproc|lat_inproc|hs_req, or many-peer: "+strings.Join(ManyRoles, "|"))
	fs.StringVar(&c.Endpoint, "endpoint", "", "endpoint, e.g. tcp://127.0.0.1:5555, ipc:///tmp/x, inproc://x")
	fs.StringVar(&mode, "mode", "", "bind|connect (default: receivers and REP bind, senders and REQ connect)")
	fs.IntVar(&c.Size, "size", 16, "message size in bytes")
	fs.IntVar(&c.Count, "count", 100000, "messages, or round trips")
	fs.BoolVar(&c.NoRecycle, "norecycle", false, "purezmq: receive without Socket.Recycle")
	fs.BoolVar(&c.ZMTP, "zmtp", false, GoEpoll+" router_echo: answer ZeroMQ DEALERs (ZMTP 3.1, NULL) instead of "+GoNet+"'s clients")
	fs.BoolVar(&c.NewPayload, "newpayload", false, "purezmq xpub_fan: Send a new payload per message instead of SendCopy from one buffer")
	fs.BoolVar(&c.Curve, "curve", false, "secure the sockets with CURVE and the fixed test keys: the bound side is the server")
	fs.BoolVar(&hold, "hold", false, "thr_send, lat_rep, push_fair: wait for EOF on stdin before closing")
	fs.IntVar(&c.Peers, "peers", 10, "many-peer roles: sockets of the connecting side (each bound role needs the same number)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	tracefile := fs.String("trace", "", "write an execution trace of the run to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *tracefile != "" {
		f, err := os.Create(*tracefile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := trace.Start(f); err != nil {
			return err
		}
		defer trace.Stop()
	}
	switch mode {
	case "":
		c.Bind = c.Role == ThrRecv || c.Role == LatRep
	case "bind", "connect":
		c.Bind = mode == "bind"
	default:
		return fmt.Errorf("peer: -mode %q: want bind or connect", mode)
	}
	if hold {
		c.Hold = stdin
	}
	return Run(c, stdout, stderr)
}

// Run plays c's role and writes the result line to stdout and "ready" to stderr.
func Run(c Config, stdout, stderr io.Writer) (err error) {
	newImpl, ok := Impls[c.Impl]
	if !ok && floorRoles[c.Impl] == nil {
		return fmt.Errorf("peer: unknown -impl %q (want %s, or %s or %s for the ROUTER echo and N PUSH → PULL)", c.Impl, implNames(), GoNet, GoEpoll)
	}
	if !ok && !isFloor(c.Impl, c.Role) {
		return fmt.Errorf("peer: -impl %s does not play %s", c.Impl, c.Role)
	}
	if c.ZMTP && (c.Impl != GoEpoll || c.Role != RouterEcho) {
		return fmt.Errorf("peer: -zmtp is %s's router_echo's, not %s's %s", GoEpoll, c.Impl, c.Role)
	}
	if c.Endpoint == "" {
		return errors.New("peer: -endpoint is required")
	}
	if c.Size < 0 || c.Count < 2 {
		return fmt.Errorf("peer: need -size >= 0 and -count >= 2, have %d and %d", c.Size, c.Count)
	}
	if IsMany(c.Role) {
		return runMany(c, stdout, stderr)
	}
	im, err := newImpl()
	if err != nil {
		return err
	}
	defer func() {
		if e := im.close(); e != nil && err == nil {
			err = e
		}
	}()
	pat := Pattern(c.Size)
	res := Result{Impl: c.Impl, Role: c.Role, Endpoint: c.Endpoint, Size: c.Size, Count: c.Count}
	var elapsed time.Duration
	switch c.Role {
	case ThrRecv:
		elapsed, err = withConn(im, pull, c, stderr, func(s conn) (time.Duration, error) { return receive(s, pat, c.Count) })
	case ThrSend:
		_, err = withConn(im, push, c, stderr, func(s conn) (time.Duration, error) {
			if err := sendAll(s, pat, c.Count); err != nil {
				return 0, err
			}
			return 0, hold(c.Hold)
		})
		return err
	case LatRep:
		_, err = withConn(im, rep, c, stderr, func(s conn) (time.Duration, error) {
			if err := echo(s, c.Count); err != nil {
				return 0, err
			}
			return 0, hold(c.Hold)
		})
		return err
	case LatReq:
		elapsed, err = withConn(im, req, c, stderr, func(s conn) (time.Duration, error) { return roundTrips(s, pat, c.Count) })
	case ThrInproc:
		// The receiver binds and reports, as in libzmq's inproc_thr.
		elapsed, err = inproc(im, pull, push, c, func(bound, connected conn) (time.Duration, error) {
			return concurrently(func() error { return sendAll(connected, pat, c.Count) },
				func() (time.Duration, error) { return receive(bound, pat, c.Count) })
		})
	case HsReq:
		if c.Bind {
			return errors.New("peer: hs_req connects; -mode bind makes no sense")
		}
		fmt.Fprintln(stderr, "ready")
		elapsed, err = handshakes(im, c, pat)
	case LatInproc:
		// The echo binds, the requester connects and reports, as in libzmq's inproc_lat.
		elapsed, err = inproc(im, rep, req, c, func(bound, connected conn) (time.Duration, error) {
			return concurrently(func() error { return echo(bound, c.Count) },
				func() (time.Duration, error) { return roundTrips(connected, pat, c.Count) })
		})
	default:
		return fmt.Errorf("peer: unknown -role %q", c.Role)
	}
	if err != nil {
		return err
	}
	res.ElapsedS = elapsed.Seconds()
	switch {
	case c.Role == HsReq:
		res.HandshakesPerS = float64(c.Count) / elapsed.Seconds()
	case strings.HasPrefix(c.Role, "thr_"):
		// The first message only starts the clock, as in local_thr.
		res.MsgsPerS = float64(c.Count-1) / elapsed.Seconds()
	default:
		res.LatencyUS = elapsed.Seconds() / float64(c.Count) / 2 * 1e6
	}
	line, err := json.Marshal(res)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", line)
	return err
}

// hold waits for EOF on r, if there is one.
func hold(r io.Reader) error {
	if r == nil {
		return nil
	}
	_, err := io.Copy(io.Discard, r)
	return err
}

// withConn opens one socket, says ready, runs f on it and closes it.
func withConn(im impl, k kind, c Config, stderr io.Writer, f func(conn) (time.Duration, error)) (d time.Duration, err error) {
	s, err := im.open(k, c.Endpoint, sockOpts{bind: c.Bind, curve: c.Curve, noRecycle: c.NoRecycle})
	if err != nil {
		return 0, fmt.Errorf("peer: %s %s %s: %w", c.Impl, k, c.Endpoint, err)
	}
	defer func() {
		if e := s.close(); e != nil && err == nil {
			err = fmt.Errorf("peer: close %s: %w", k, e)
		}
	}()
	fmt.Fprintln(stderr, "ready")
	return f(s)
}

// inproc opens both ends in im, one bound and one connected, and runs f on them.
func inproc(im impl, bindKind, connKind kind, c Config, f func(bound, connected conn) (time.Duration, error)) (time.Duration, error) {
	bound, err := im.open(bindKind, c.Endpoint, sockOpts{bind: true, curve: c.Curve, noRecycle: c.NoRecycle})
	if err != nil {
		return 0, fmt.Errorf("peer: %s %s bind %s: %w", c.Impl, bindKind, c.Endpoint, err)
	}
	defer bound.close()
	connected, err := im.open(connKind, c.Endpoint, sockOpts{curve: c.Curve, noRecycle: c.NoRecycle})
	if err != nil {
		return 0, fmt.Errorf("peer: %s %s connect %s: %w", c.Impl, connKind, c.Endpoint, err)
	}
	defer connected.close()
	return f(bound, connected)
}

// handshakes is HsReq: c.Count REQ sockets one after another, each connecting, making one round
// trip of pat (which needs the handshake done) and closing. It returns the time they all took.
func handshakes(im impl, c Config, pat []byte) (time.Duration, error) {
	start := time.Now()
	for i := range c.Count {
		s, err := im.open(req, c.Endpoint, sockOpts{curve: c.Curve, timeout: hsTimeout})
		if err != nil {
			return 0, fmt.Errorf("peer: socket %d: %s REQ %s: %w", i, c.Impl, c.Endpoint, err)
		}
		err = s.send(pat)
		var got []byte
		if err == nil {
			got, err = s.recv()
		}
		if err == nil && !bytes.Equal(got, pat) {
			err = fmt.Errorf("reply of %d bytes differs from the request of %d", len(got), len(pat))
		}
		if e := s.close(); e != nil && err == nil {
			err = fmt.Errorf("close: %w", e)
		}
		if err != nil {
			return 0, fmt.Errorf("peer: socket %d: %w (each round trip, handshake included, has %v)", i, err, hsTimeout)
		}
	}
	return time.Since(start), nil
}

// concurrently runs partner in a goroutine while measure runs in this one.
func concurrently(partner func() error, measure func() (time.Duration, error)) (time.Duration, error) {
	done := make(chan error, 1)
	go func() { done <- partner() }()
	d, err := measure()
	if err != nil {
		return 0, err
	}
	return d, <-done
}

// The measuring loops are purezmq's perf package's, the same code `zmq bench` runs, reached
// through an adapter so every implementation is measured alike.

// Pattern is the payload every peer sends, the same as the C peers': byte i is i mod 251.
func Pattern(size int) []byte { return perf.Pattern(size) }

type perfConn struct{ c conn }

func (p perfConn) Send(b []byte) error   { return p.c.send(b) }
func (p perfConn) Recv() ([]byte, error) { return p.c.recv() }

// perfRecycler is a perfConn whose implementation takes messages back (perf.Recycler).
type perfRecycler struct{ perfConn }

func (p perfRecycler) Recycle(b []byte) { p.c.(recycler).recycled(b) }

type recycler interface{ recycled(b []byte) }

// asPerf adapts c to perf.Conn, a perf.Recycler when its implementation recycles.
func asPerf(c conn) perf.Conn {
	if _, ok := c.(recycler); ok {
		return perfRecycler{perfConn{c}}
	}
	return perfConn{c}
}

func receive(s conn, pat []byte, count int) (time.Duration, error) {
	return perf.Receive(asPerf(s), pat, count)
}

func sendAll(s conn, pat []byte, count int) error { return perf.SendAll(perfConn{s}, pat, count) }

func echo(s conn, count int) error { return perf.Echo(perfConn{s}, count) }

func roundTrips(s conn, pat []byte, count int) (time.Duration, error) {
	return perf.RoundTrips(asPerf(s), pat, count)
}
