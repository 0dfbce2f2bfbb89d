package compare

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/purezmq/zmq/bench/report"
)

// Implementations, in the tables' column order. libzmq is the C peers in ../c; the others are
// cmd/peer's -impl values.
var allImpls = []string{"libzmq", "purezmq", "pebbe", "gozmq", "mangos"}

// zmtpImpls speak ZMTP and so can pair with each other; mangos speaks SP and pairs only with
// itself.
var zmtpImpls = []string{"libzmq", "purezmq", "pebbe", "gozmq"}

// curveImpls are those that speak CURVE: libzmq built with libsodium (the C peers and pebbe's
// cgo binding) and purezmq. go-zeromq/zmq4 has only NULL and PLAIN; mangos has no ZMTP.
var curveImpls = []string{"libzmq", "purezmq", "pebbe"}

// CurveTransport is tcp with every connection secured by CURVE (the fixed test keys of
// peer/curve.go and c/common.h): `-curve`, or a name in -transports.
const CurveTransport = "tcp+curve"

// IsCurve reports whether transport is secured by CURVE.
func IsCurve(transport string) bool { return transport == CurveTransport }

// Contender is what one column of a cell runs. Server binds (the receiver, or the REP echo);
// Client connects (the sender, or the REQ that measures). For inproc both are the same and run
// in one process.
type Contender struct {
	Name           string
	Client, Server string
	// NoRecycle: purezmq's receiver does not give messages back (peer -norecycle), as a
	// program using only the ordinary API.
	NoRecycle bool
	// Pinned: the bound side runs on one processor and the connecting side on another
	// (runner.cpus), as a server and its clients on machines of their own, instead of both
	// sharing every processor (many-peer cells).
	Pinned bool
	// Procs, when set, is GOMAXPROCS for both processes (many-peer cells): how a Go program
	// does when its runtime does not count on processors the other process is using.
	Procs int
	// NewPayload: purezmq's publisher sends a new payload per message with Send (peer
	// -newpayload) instead of copies of one buffer with SendCopy (fan-out cells).
	NewPayload bool
	// ServerZMTP: the server, GoEpoll's, answers ZeroMQ clients (peer -zmtp).
	ServerZMTP bool
}

func same(impl string) Contender { return Contender{Name: impl, Client: impl, Server: impl} }

// pinned is impl with itself, each side on a processor of its own.
func pinned(impl string) Contender {
	return Contender{Name: impl + report.PinnedSuffix, Client: impl, Server: impl, Pinned: true}
}

// oneProc is impl with itself, both sides with GOMAXPROCS=1 and sharing every processor.
func oneProc(impl string) Contender {
	return Contender{Name: impl + report.OneProcSuffix, Client: impl, Server: impl, Procs: 1}
}

// cross is a pair of different implementations: "client→server", i.e. sender→receiver for
// throughput and requester→replier for latency.
func cross(client, server string) Contender {
	return Contender{Name: client + "→" + server, Client: client, Server: server}
}

// Cell is one row of a table: a metric over a transport at a message size.
type Cell struct {
	Metric    string // report.MsgsPerS or report.LatencyUS
	Transport string
	Size      int
}

func (c Cell) String() string {
	what := "throughput"
	switch c.Metric {
	case report.LatencyUS:
		what = "latency"
	case report.HandshakesPerS:
		return c.Transport + " handshake rate"
	}
	return fmt.Sprintf("%s %s %s", c.Transport, what, report.FormatSize(c.Size))
}

// The matrix measured.
var (
	thrSizes = []int{16, 256, 4 << 10, 64 << 10}
	latSizes = []int{16, 4 << 10}
	// Under CURVE: throughput at these sizes, and the handshake rate with round trips of
	// hsSize bytes.
	curveSizes = []int{16, 256, 4 << 10}
	hsSize     = 16
)

// Plan lists the cells over transports: throughput at every size of thrSizes, then latency at
// every size of latSizes; over CurveTransport instead throughput at every size of curveSizes
// and the handshake rate, last.
func Plan(transports []string) []Cell {
	var cells []Cell
	for _, t := range transports {
		if IsCurve(t) {
			continue
		}
		for _, s := range thrSizes {
			cells = append(cells, Cell{report.MsgsPerS, t, s})
		}
	}
	for _, t := range transports {
		if IsCurve(t) {
			continue
		}
		for _, s := range latSizes {
			cells = append(cells, Cell{report.LatencyUS, t, s})
		}
	}
	for _, t := range transports {
		if !IsCurve(t) {
			continue
		}
		for _, s := range curveSizes {
			cells = append(cells, Cell{report.MsgsPerS, t, s})
		}
		cells = append(cells, Cell{report.HandshakesPerS, t, hsSize})
	}
	return cells
}

// Contenders returns the columns of cell among impls: every implementation with itself (under
// CURVE, those of curveImpls), with purezmq's throughput over tcp and ipc also without Recycle
// (report.OursNoRecycle), plus, over tcp and ipc, purezmq→libzmq and libzmq→purezmq when
// withCross.
func Contenders(cell Cell, impls []string, withCross bool) []Contender {
	var cs []Contender
	for _, im := range allImpls {
		if slices.Contains(impls, im) && (!IsCurve(cell.Transport) || slices.Contains(curveImpls, im)) {
			cs = append(cs, same(im))
			if im == "purezmq" && cell.Metric == report.MsgsPerS && (cell.Transport == "tcp" || cell.Transport == "ipc") {
				cs = append(cs, Contender{Name: report.OursNoRecycle, Client: im, Server: im, NoRecycle: true})
			}
		}
	}
	if withCross && cell.Transport != "inproc" && slices.Contains(impls, "purezmq") && slices.Contains(impls, "libzmq") {
		cs = append(cs, cross("purezmq", "libzmq"), cross("libzmq", "purezmq"))
	}
	return cs
}

// Columns is every contender name in table order.
func Columns(impls []string, withCross bool) []string {
	var cols []string
	for _, c := range Contenders(Cell{Metric: report.MsgsPerS, Transport: "tcp"}, impls, withCross) {
		cols = append(cols, c.Name)
	}
	return cols
}

// rotate returns cs starting at the r-th, so that no implementation always runs first.
func rotate(cs []Contender, r int) []Contender {
	if len(cs) == 0 {
		return nil
	}
	r %= len(cs)
	return append(slices.Clone(cs[r:]), cs[:r]...)
}

// pilotCount is the size of the first calibration run: small enough for the slowest
// implementation.
func pilotCount(cell Cell) int {
	switch cell.Metric {
	case report.LatencyUS:
		return 500
	case report.HandshakesPerS:
		return 50
	}
	return clamp(20_000_000/max(cell.Size, 1), 300, 20_000)
}

// scaledCount is the count that makes a run last about target, given the pilot's result.
func scaledCount(cell Cell, pilotValue float64, target time.Duration) int {
	var n float64
	switch cell.Metric {
	case report.MsgsPerS, report.HandshakesPerS:
		n = pilotValue * target.Seconds()
	case report.LatencyUS:
		n = target.Seconds() / (2 * pilotValue / 1e6)
	}
	if math.IsNaN(n) || math.IsInf(n, 0) {
		n = float64(pilotCount(cell))
	}
	return clamp(int(n), min(100, pilotCount(cell)), maxCount(cell))
}

// maxCount bounds a run's count whatever the calibration said.
func maxCount(cell Cell) int {
	switch cell.Metric {
	case report.LatencyUS:
		return 2_000_000
	case report.HandshakesPerS:
		// Each handshake takes an ephemeral port, left in TIME_WAIT for a minute.
		return 10_000
	}
	return 20_000_000
}

func clamp(n, lo, hi int) int { return min(max(n, lo), hi) }

// parseList splits a comma-separated flag value and checks every item is allowed.
func parseList(flagName, v string, allowed []string) ([]string, error) {
	var out []string
	for _, s := range strings.Split(v, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !slices.Contains(allowed, s) {
			return nil, fmt.Errorf("compare: -%s: unknown %q (want some of %s)", flagName, s, strings.Join(allowed, ","))
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("compare: -%s is empty", flagName)
	}
	return out, nil
}
