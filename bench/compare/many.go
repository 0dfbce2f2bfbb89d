package compare

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/purezmq/zmq/bench/report"
)

// The many-peer cells: N sockets of one kind in one process against one bound socket in
// another, 64-byte messages, libzmq (the C peers) and purezmq (cmd/peer).
const manySize = 64

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

// ManyContenders is libzmq and purezmq, each with itself, of impls.
func ManyContenders(impls []string) []Contender {
	var cs []Contender
	for _, im := range manyImpls {
		if slices.Contains(impls, im) {
			cs = append(cs, same(im))
		}
	}
	return cs
}

// manyCommand is the command line of impl playing a many-peer role.
func (r *runner) manyCommand(impl, role, endpoint string, count, peers int) (string, []string) {
	if impl == "libzmq" {
		args := []string{endpoint, fmt.Sprint(manySize), fmt.Sprint(count), fmt.Sprint(peers)}
		if r.held(role) {
			args = append(args, "hold")
		}
		return filepath.Join(r.bin, role), args
	}
	args := []string{"-impl", impl, "-role", role, "-endpoint", endpoint, "-size", fmt.Sprint(manySize),
		"-count", fmt.Sprint(count), "-peers", fmt.Sprint(peers)}
	if r.held(role) {
		args = append(args, "-hold")
	}
	return filepath.Join(r.bin, "peer"), args
}

// ManyMeasurement is what one many-peer run gives: every metric of its kind.
type ManyMeasurement struct {
	Values  map[string]float64
	Elapsed time.Duration // the measured part, for calibration
}

// runMany measures contender c once on cell with count messages (or round trips). The
// measuring sides are the clients of the ROUTER echo, both sides of the fan-out and the PULL of
// N PUSH → PULL; grace is how long a measuring side may still run after a partner exited on
// its own (see run).
func (r *runner) runMany(ctx context.Context, cell ManyCell, c Contender, count int, grace time.Duration) (ManyMeasurement, error) {
	roles, ok := manyRoles[cell.Kind]
	if !ok {
		return ManyMeasurement{}, fmt.Errorf("compare: unknown many-peer kind %q", cell.Kind)
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	ep, err := r.endpoint(cell.Transport)
	if err != nil {
		return ManyMeasurement{}, err
	}
	path, args := r.manyCommand(c.Server, roles[0], ep, count, cell.Peers)
	server, err := r.launch(ctx, c.Server+" "+roles[0], roles[0], path, args)
	if err != nil {
		return ManyMeasurement{}, err
	}
	defer func() { cancel(); <-server.done }()
	if err := server.awaitReady(ctx, r.timeout); err != nil {
		return ManyMeasurement{}, err
	}
	path, args = r.manyCommand(c.Client, roles[1], ep, count, cell.Peers)
	client, err := r.launch(ctx, c.Client+" "+roles[1], roles[1], path, args)
	if err != nil {
		return ManyMeasurement{}, err
	}
	defer func() { cancel(); <-client.done }()

	var measuring, others []*proc
	switch cell.Kind {
	case "router":
		measuring, others = []*proc{client}, []*proc{server}
	case "pubsub":
		measuring = []*proc{server, client}
	default:
		measuring, others = []*proc{server}, []*proc{client}
	}
	if err := r.awaitMeasuring(ctx, measuring, others, grace); err != nil {
		return ManyMeasurement{}, err
	}
	m, err := parseMany(cell, count, server, client)
	if err != nil {
		return ManyMeasurement{}, err
	}
	for _, p := range others {
		p.release()
		<-p.done
		if p.err != nil {
			return ManyMeasurement{}, p.failure(ctx, r.timeout)
		}
	}
	return m, nil
}

// awaitMeasuring waits until every measuring process has ended well. A partner that fails
// first fails the run; one that ends well first leaves the measuring ones grace to end.
func (r *runner) awaitMeasuring(ctx context.Context, measuring, others []*proc, grace time.Duration) error {
	ended := make(chan *proc, len(measuring)+len(others))
	for _, p := range append(slices.Clone(measuring), others...) {
		// Each ends when its process does, which the run's cancel ensures.
		go func() { <-p.done; ended <- p }()
	}
	var after <-chan time.Time
	for left := len(measuring); left > 0; {
		select {
		case p := <-ended:
			if p.err != nil {
				return p.failure(ctx, r.timeout)
			}
			if slices.Contains(measuring, p) {
				left--
			} else if after == nil {
				after = time.After(grace)
			}
		case <-after:
			return fmt.Errorf("a partner exited, and %v later the measuring side had not finished: lost at close", grace)
		}
	}
	return nil
}

// manyResult is the part of a many-peer role's JSON line the driver reads.
type manyResult struct {
	Role          string   `json:"role"`
	Size          int      `json:"size"`
	Count         int      `json:"count"`
	Peers         int      `json:"peers"`
	ElapsedS      float64  `json:"elapsed_s"`
	RTTPerS       float64  `json:"rtt_per_s"`
	P50US         float64  `json:"p50_us"`
	P99US         float64  `json:"p99_us"`
	FairnessPct   *float64 `json:"fairness_pct"`
	SendPerS      float64  `json:"send_per_s"`
	CPUNs         float64  `json:"cpu_ns_per_msg_sub"`
	CPUNsDrained  float64  `json:"cpu_ns_per_msg_sub_drained"`
	Delivered     int      `json:"delivered"`
	DeliveredPerS float64  `json:"delivered_per_s"`
	Drops         *int     `json:"drops"`
	MsgsPerS      float64  `json:"msgs_per_s"`
}

// readMany reads p's last JSON line.
func readMany(p *proc) (manyResult, error) {
	var res manyResult
	found := false
	for _, line := range strings.Split(p.stdout.String(), "\n") {
		if strings.HasPrefix(line, "{") {
			res = manyResult{}
			if err := json.Unmarshal([]byte(line), &res); err != nil {
				return res, fmt.Errorf("%s: result %q: %w", p.name, line, err)
			}
			found = true
		}
	}
	if !found {
		return res, fmt.Errorf("%s: printed no result line (stdout %q)", p.name, p.stdout.String())
	}
	return res, nil
}

var errImplausible = errors.New("implausible result")

// parseMany reads the results of a many-peer run into its kind's metrics, checking they are
// the run's and plausible.
func parseMany(cell ManyCell, count int, server, client *proc) (ManyMeasurement, error) {
	positive := func(vs ...float64) bool {
		for _, v := range vs {
			if !(v > 0) || math.IsInf(v, 0) {
				return false
			}
		}
		return true
	}
	read := func(p *proc) (manyResult, error) {
		res, err := readMany(p)
		if err != nil {
			return res, err
		}
		if res.Size != manySize || res.Peers != cell.Peers || !positive(res.ElapsedS) {
			return res, fmt.Errorf("%s: %w %+v for %v", p.name, errImplausible, res, cell)
		}
		return res, nil
	}
	pct := func(p *float64) bool { return p != nil && *p >= 0 && *p <= 100 }
	var m ManyMeasurement
	switch cell.Kind {
	case "router":
		res, err := read(client)
		if err != nil {
			return m, err
		}
		if res.Count != count || !positive(res.RTTPerS, res.P50US, res.P99US) || res.P99US < res.P50US || !pct(res.FairnessPct) {
			return m, fmt.Errorf("%s: %w %+v", client.name, errImplausible, res)
		}
		m.Values = map[string]float64{report.RTTPerS: res.RTTPerS, report.P50US: res.P50US, report.P99US: res.P99US, report.RTTFairness: *res.FairnessPct}
		m.Elapsed = time.Duration(res.ElapsedS * float64(time.Second))
	case "pubsub":
		pub, err := read(server)
		if err != nil {
			return m, err
		}
		sub, err := read(client)
		if err != nil {
			return m, err
		}
		copies := count * cell.Peers
		if pub.Count != count || !positive(pub.SendPerS, pub.CPUNs, pub.CPUNsDrained) {
			return m, fmt.Errorf("%s: %w %+v", server.name, errImplausible, pub)
		}
		if sub.Count != count || sub.Drops == nil || sub.Delivered < 1 || sub.Delivered+*sub.Drops != copies || !positive(sub.DeliveredPerS) {
			return m, fmt.Errorf("%s: %w %+v (want delivered + drops = %d)", client.name, errImplausible, sub, copies)
		}
		m.Values = map[string]float64{report.DeliveredPerS: sub.DeliveredPerS, report.SendPerS: pub.SendPerS,
			report.CPUNsPerMsgSub: pub.CPUNs, report.CPUNsDrained: pub.CPUNsDrained,
			report.Drops: float64(*sub.Drops), report.DropsPct: 100 * float64(*sub.Drops) / float64(copies)}
		m.Elapsed = time.Duration(sub.ElapsedS * float64(time.Second))
	case "pushpull":
		res, err := read(server)
		if err != nil {
			return m, err
		}
		if res.Count != count/cell.Peers*cell.Peers || !positive(res.MsgsPerS) || !pct(res.FairnessPct) {
			return m, fmt.Errorf("%s: %w %+v", server.name, errImplausible, res)
		}
		m.Values = map[string]float64{report.FanInPerS: res.MsgsPerS, report.FanInFairness: *res.FairnessPct}
		m.Elapsed = time.Duration(res.ElapsedS * float64(time.Second))
	}
	return m, nil
}

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
		// far the stream outruns the HWM, so every contender publishes the same count, the
		// most any calibrated, and never less than fanoutMin.
		n := fanoutMin(cell)
		for _, c := range cs {
			n = max(n, counts[c.Name])
		}
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
	n := manyPilot(cell)
	for {
		m, err := r.runMany(ctx, cell, c, n, 5*time.Second)
		if err != nil {
			return n, err
		}
		if m.Elapsed >= target/4 || n >= manyMax(cell) {
			return manyScaled(cell, n, m.Elapsed, target), nil
		}
		n = min(n*10, manyMax(cell))
	}
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
		// Each message goes to every subscriber.
		return 50_000_000 / cell.Peers
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

// fanoutMin is the least count of the fan-out's runs: ten times the default SNDHWM (1000), so
// that the stream runs well past the point where the publisher starts dropping, but no more
// than manyMax.
func fanoutMin(cell ManyCell) int { return min(10_000, manyMax(cell)) }

// manyMin is the least count a many-peer run is given: 10 messages per sender of N PUSH →
// PULL, 100 otherwise.
func manyMin(cell ManyCell) int {
	if cell.Kind == "pushpull" {
		return 10 * cell.Peers
	}
	return 100
}
