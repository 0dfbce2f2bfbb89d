package compare

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"time"

	"github.com/purezmq/zmq/bench/report"
)

// The many-peer cells: N sockets of one kind in one process against one bound socket in
// another, 64-byte messages, libzmq (the C peers) and purezmq (cmd/peer).
const manySize = 64

// goNet is cmd/peer's -impl of the ROUTER echo with no messaging library (peer.GoNet), and
// goEpoll that of its server doing its own readiness (peer.GoEpoll).
const (
	goNet   = "gonet"
	goEpoll = "goepoll"
)

// manyImpls are the implementations with many-peer roles.
var manyImpls = []string{"libzmq", "purezmq"}

// defaultPeers are the N measured unless -peers says otherwise.
var defaultPeers = []int{10, 100}

// manyRoles are each kind's bound (server) and connecting (client) roles.
var manyRoles = map[string][2]string{
	"router":   {"router_echo", "dealer_rt"},
	"pubsub":   {"xpub_fan", "sub_fan"},
	"pushpull": {"pull_fair", "push_fair"},
}

// ManyCell is one many-peer cell: a kind of ManyKinds over a transport with N peers.
type ManyCell struct {
	Kind      string // a report.ManyKinds name
	Transport string
	Peers     int
}

func (c ManyCell) String() string {
	k, _ := manyKind(c.Kind)
	return fmt.Sprintf("%s %s N=%d", c.Transport, k.Title, c.Peers)
}

func manyKind(name string) (report.ManyKind, bool) {
	i := slices.IndexFunc(report.ManyKinds, func(k report.ManyKind) bool { return k.Name == name })
	if i < 0 {
		return report.ManyKind{}, false
	}
	return report.ManyKinds[i], true
}

// ManyPlan lists the many-peer cells: every kind over tcp and ipc (those of transports) with
// each N of peers.
func ManyPlan(transports []string, peers []int) []ManyCell {
	var cells []ManyCell
	for _, k := range report.ManyKinds {
		for _, t := range transports {
			if t != "tcp" && t != "ipc" {
				continue
			}
			for _, n := range peers {
				cells = append(cells, ManyCell{k.Name, t, n})
			}
		}
	}
	return cells
}

// ManyContenders is libzmq and purezmq, each with itself, of impls; with withCross, for the
// kinds of crossKinds, also purezmq's N sockets against libzmq's bound one and the other way
// round, which tell whose side a difference is on; with withPinned, for the kinds of
// pinnedKinds, also each with itself, its two sides on a processor each; with withOneProc, for
// the kinds of oneProcKinds, purezmq with itself, both sides with GOMAXPROCS=1; for the
// fan-out, purezmq with itself publishing with Send (report.OursSend); for the kinds of
// floorKinds, the same traffic with no messaging library on either side (report.GoNetFloor);
// for the ROUTER echo on Linux, also that with its server on epoll (report.GoEpollFloor), and
// that server answering purezmq's clients (report.GoEpollOurs).
func ManyContenders(impls []string, kind string, withCross, withPinned, withOneProc bool) []Contender {
	var cs []Contender
	for _, im := range manyImpls {
		if slices.Contains(impls, im) {
			cs = append(cs, same(im))
		}
	}
	both := len(cs) == 2
	if withCross && both && slices.Contains(crossKinds, kind) {
		cs = append(cs, cross("purezmq", "libzmq"), cross("libzmq", "purezmq"))
	}
	if withPinned && both && slices.Contains(pinnedKinds, kind) {
		cs = append(cs, pinned("libzmq"), pinned("purezmq"))
	}
	if withOneProc && both && slices.Contains(oneProcKinds, kind) {
		cs = append(cs, oneProc("purezmq"))
	}
	if both && kind == "pubsub" {
		cs = append(cs, Contender{Name: report.OursSend, Client: "purezmq", Server: "purezmq", NewPayload: true})
	}
	if both && slices.Contains(floorKinds, kind) {
		cs = append(cs, Contender{Name: report.GoNetFloor, Client: goNet, Server: goNet})
	}
	// The ROUTER echo's second floor (peer -impl goepoll) is its server alone, one goroutine on
	// an epoll instance of its own reading ready connections in the kernel's order, against the
	// first floor's clients: what a Go server takes off Go's scheduler by doing its own
	// readiness, as libzmq's I/O thread does.
	if both && kind == "router" && runtime.GOOS == "linux" {
		cs = append(cs, Contender{Name: report.GoEpollFloor, Client: goNet, Server: goEpoll})
		// The same server answering purezmq's DEALERs in ZMTP: set beside purezmq with itself,
		// what of the cell's tail a server can take off at all, purezmq's clients being what
		// they are.
		cs = append(cs, Contender{Name: report.GoEpollOurs, Client: "purezmq", Server: goEpoll, ServerZMTP: true})
	}
	return cs
}

// ManyColumns is every many-peer contender name in table order.
func ManyColumns() []string {
	var cols []string
	for _, k := range report.ManyKinds {
		for _, c := range ManyContenders(manyImpls, k.Name, true, true, true) {
			if !slices.Contains(cols, c.Name) {
				cols = append(cols, c.Name)
			}
		}
	}
	return cols
}

// crossKinds are the many-peer kinds measured crossed too: where the N sockets' process and the
// bound socket's share a difference (the ROUTER echo's tail and fairness, the N PUSH senders'
// fairness). A fan-out's crossing would measure one side's drops against the other's pace.
var crossKinds = []string{"router", "pushpull"}

// pinnedKinds are the many-peer kinds measured pinned too: the ROUTER echo, whose tail and
// fairness depend on how the server's and the clients' processes share the processors. On
// the bench machine (two processors) both processes otherwise run on both, and a Go process's
// ready goroutines wait behind whichever of its threads the kernel has just preempted to run
// the other process.
var pinnedKinds = []string{"router"}

// floorKinds are the many-peer kinds measured with no messaging library too (peer -impl
// gonet, Go's net package on both sides): what Go itself does with the cell's two processes,
// where purezmq's tail (the ROUTER echo) and fairness (both) depend on how Go schedules its
// goroutines. A fan-out has no such floor: what it drops is the library's.
var floorKinds = []string{"router", "pushpull"}

// oneProcKinds are the many-peer kinds measured with purezmq's runtimes on one processor each
// too (GOMAXPROCS=1), unpinned: on two processors two Go processes otherwise run four
// schedulers, each counting on processors the other is using (README, "Servers with many
// peers").
var oneProcKinds = []string{"router", "pubsub"}

// measureMany runs one many-peer cell as measure does a one-to-one cell, giving one record per
// metric of its kind (each run's failures on each).
func measureMany(ctx context.Context, r *runner, cell ManyCell, cs []Contender, runs int, target time.Duration) []report.Record {
	kind, _ := manyKind(cell.Kind)
	counts := map[string]int{}
	vals := map[string]map[string][]float64{}
	errs := map[string][]string{}
	skip := map[string]bool{}
	for _, c := range cs {
		vals[c.Name] = map[string][]float64{}
		n, err := calibrateMany(ctx, r, cell, c, target)
		counts[c.Name] = n
		if err != nil {
			errs[c.Name] = append(errs[c.Name], "calibration: "+err.Error())
			skip[c.Name] = errors.Is(err, errTimeout)
		}
	}
	if cell.Kind == "pubsub" {
		// One stream for all: what a publisher drops, and what its sends cost, depend on how
		// far the stream outruns the HWM.
		n := fanoutCount(cell, slices.Collect(maps.Values(counts)))
		for _, c := range cs {
			counts[c.Name] = n
		}
	}
	grace := 2*time.Second + 3*target
	for run := range runs {
		for _, c := range rotate(cs, run) {
			if skip[c.Name] || ctx.Err() != nil {
				continue
			}
			m, err := r.runMany(ctx, cell, c, counts[c.Name], grace)
			if err != nil {
				errs[c.Name] = append(errs[c.Name], fmt.Sprintf("run %d: %v", run+1, err))
				skip[c.Name] = errors.Is(err, errTimeout)
				continue
			}
			for k, v := range m.Values {
				vals[c.Name][k] = append(vals[c.Name][k], v)
			}
		}
	}
	var recs []report.Record
	for _, c := range cs {
		for _, mt := range kind.Metrics {
			rec := report.NewRecord(c.Name, cell.Transport, mt.Name, manySize, counts[c.Name], vals[c.Name][mt.Name], errs[c.Name])
			rec.Peers = cell.Peers
			recs = append(recs, rec)
		}
	}
	return recs
}

// calibrateMany finds the count that makes one run last about target, as calibrate does.
func calibrateMany(ctx context.Context, r *runner, cell ManyCell, c Contender, target time.Duration) (int, error) {
	var elapsed time.Duration
	n, err := growPilot(manyPilot(cell), manyMax(cell), target, func(n int) (time.Duration, error) {
		m, err := r.runMany(ctx, cell, c, n, 5*time.Second)
		elapsed = m.Elapsed
		return m.Elapsed, err
	})
	if err != nil {
		return n, err
	}
	return manyScaled(cell, n, elapsed, target), nil
}

// manyPilot is the count of the first calibration run: round trips in all, messages per
// subscriber, or messages in all (at least 20 per sender).
func manyPilot(cell ManyCell) int {
	switch cell.Kind {
	case "router":
		return 1000
	case "pubsub":
		return 1000
	}
	return max(5000, 20*cell.Peers)
}

// manyMax bounds a many-peer run's count.
func manyMax(cell ManyCell) int {
	switch cell.Kind {
	case "router":
		return 2_000_000
	case "pubsub":
		// Each message goes to every subscriber; but never below the fan-out's floor.
		return max(50_000_000/cell.Peers, fanoutSteady)
	}
	return 20_000_000
}

// manyScaled scales count n, whose run's measured part took elapsed, to last about target.
func manyScaled(cell ManyCell, n int, elapsed, target time.Duration) int {
	if elapsed <= 0 {
		return n
	}
	return clamp(int(float64(n)*target.Seconds()/elapsed.Seconds()), manyMin(cell), manyMax(cell))
}

// fanoutCount is the count every contender of a fan-out cell publishes, given their calibrated
// counts: the largest, but at most fanoutSpread times the smallest (so that the slower one's
// runs last at most about fanoutSpread × -target), and never less than fanoutMin.
func fanoutCount(cell ManyCell, calibrated []int) int {
	if len(calibrated) == 0 {
		return fanoutMin(cell)
	}
	n := min(slices.Max(calibrated), fanoutSpread*slices.Min(calibrated))
	return min(max(n, fanoutMin(cell)), manyMax(cell))
}

// fanoutSpread bounds how much longer than -target the slower contender's fan-out runs last.
const fanoutSpread = 4

// fanoutMin is the least count of the fan-out's runs (fanoutSteady).
func fanoutMin(cell ManyCell) int { return min(fanoutSteady, manyMax(cell)) }

// fanoutSteady is how many messages a fan-out run publishes at least, so that its figures are
// those of a steady stream rather than of its start. At the start every subscriber's
// connection takes all it can (the kernel's buffers grow to megabytes) and the publisher drops
// little, paying its connections' writers for nearly every copy; only once those buffers are
// full does it drop at the HWM as it will for the rest of the stream. Over tcp with 100
// subscribers that start lasts about the first million messages for either library: runs of
// 300,000 messages measured mostly the start, their CPU per message and subscriber varying
// 2× from run to run, for both.
const fanoutSteady = 2_000_000

// manyMin is the least count a many-peer run is given: 10 messages per sender of N PUSH →
// PULL, 100 otherwise.
func manyMin(cell ManyCell) int {
	if cell.Kind == "pushpull" {
		return 10 * cell.Peers
	}
	return 100
}
