// Package compare is the driver of `make bench-compare`: it builds the libzmq peers (../c),
// cmd/peer and cmd/connmem, runs the matrix — tcp, ipc and inproc; PUSH→PULL throughput at 16 B
// to 64 KiB and REQ/REP latency at 16 B and 4 KiB; every implementation with itself and, over
// tcp and ipc, purezmq and libzmq with each other, and purezmq's throughput without Recycle
// too — alternating implementations run by run; then tcp under CURVE (throughput at 16 B to
// 4 KiB and the rate of handshakes), the many-peer cells (ROUTER echo, PUB fan-out, N PUSH →
// PULL with N peers in one process, libzmq and purezmq), memory per connection and the RPC
// cells (small calls: gRPC-Go, NATS, raw DEALER→ROUTER, purezmq rpc). It writes
// out/compare.md, out/compare.json, out/throughput.svg and out/manypeer.svg.
package compare

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/purezmq/zmq/bench/report"
)

// Main parses args and runs the comparison. Progress goes to stderr, the report to stdout.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	runs := fs.Int("runs", 5, "runs per cell, implementations alternating run by run (-quick: default 1)")
	quick := fs.Bool("quick", false, "a quick look: 1 run per cell of about 0.1 s")
	target := fs.Duration("target", 500*time.Millisecond, "about how long each run lasts (-quick: default 100ms); counts are scaled from a calibration run")
	timeout := fs.Duration("timeout", 30*time.Second, "a run whose processes have not finished by then is killed and counted as failed")
	implsFlag := fs.String("impls", strings.Join(allImpls, ","), "implementations to measure")
	transFlag := fs.String("transports", "tcp,ipc,inproc", "transports to measure")
	hold := fs.Bool("hold", true, "keep senders and repliers open until the measuring side is done; -hold=false closes them right after their last message, as libzmq's perf tools do, and shows who loses messages at close")
	cellsFlag := fs.String("cells", strings.Join(cellGroups, ","), "what to measure: pair (one-to-one throughput and latency), curve (tcp under CURVE), manypeer (N peers in one process), connmem (memory per connection), rpc (small calls: gRPC-Go, NATS, raw DEALER→ROUTER, purezmq rpc)")
	rpcImplsFlag := fs.String("rpc-impls", strings.Join(allRPCImpls, ","), "the rpc cells' implementations")
	withCurve := fs.Bool("curve", true, "measure tcp secured by CURVE (transport "+CurveTransport+"): throughput at 16 B, 256 B and 4 KiB and the handshake rate, for libzmq, purezmq and pebbe; -curve=false skips it")
	withMany := fs.Bool("manypeer", true, "measure the many-peer cells (ROUTER echo, PUB fan-out, N PUSH → PULL) over tcp and ipc, libzmq and purezmq; -manypeer=false skips them")
	peersFlag := fs.String("peers", "10,100", "the many-peer cells' N (sockets in the connecting process)")
	withConnmem := fs.Bool("connmem", true, "measure memory per connection (bench/connmem) for libzmq and purezmq; -connmem=false skips it")
	connN := fs.Int("connmem-n", 2000, "connections of the memory measurement (-quick: default 500)")
	withCross := fs.Bool("cross", true, "also run purezmq→libzmq and libzmq→purezmq over tcp and ipc")
	withOneProc := fs.Bool("oneproc", true, "also run purezmq's ROUTER echo and fan-out with GOMAXPROCS=1 in both processes, unpinned")
	withPinned := fs.Bool("pinned", true, "also run the ROUTER echo with its two processes on a processor each (libzmq pinned, purezmq pinned), when two processors and taskset are there")
	dir := fs.String("dir", ".", "the bench directory (holding c/, cmd/peer and go.mod)")
	out := fs.String("out", "", "output directory (default DIR/out); the peers are built into its bin/")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("compare: unexpected arguments %q", fs.Args())
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *quick {
		if !set["runs"] {
			*runs = 1
		}
		if !set["target"] {
			*target = 100 * time.Millisecond
		}
		if !set["connmem-n"] {
			*connN = 500
		}
	}
	if *runs < 1 || *target <= 0 || *timeout <= 0 || *connN < 1 {
		return errors.New("compare: -runs, -target, -timeout and -connmem-n must be positive")
	}
	groups, err := parseList("cells", *cellsFlag, cellGroups)
	if err != nil {
		return err
	}
	peers, err := parsePeers(*peersFlag)
	if err != nil {
		return err
	}
	impls, err := parseList("impls", *implsFlag, allImpls)
	if err != nil {
		return err
	}
	transports, err := parseList("transports", *transFlag, []string{"tcp", "ipc", "inproc", CurveTransport})
	if err != nil {
		return err
	}
	rpcImpls, err := parseList("rpc-impls", *rpcImplsFlag, allRPCImpls)
	if err != nil {
		return err
	}
	var rpcCells []RPCCell
	if slices.Contains(groups, "rpc") {
		rpcCells = RPCPlan()
	}
	pairTransports, manyCells, doConnmem := parts(groups, transports, peers, *withCurve, *withMany, *withConnmem)
	if *out == "" {
		*out = filepath.Join(*dir, "out")
	}

	started := time.Now()
	loadBefore := loadAverage()
	if err := limitMemory(8 << 30); err != nil {
		fmt.Fprintf(stderr, "compare: cannot limit memory: %v\n", err)
	}
	bin := filepath.Join(*out, "bin")
	if err := build(ctx, *dir, bin, stderr); err != nil {
		return err
	}
	ipcDir, err := os.MkdirTemp("", "zbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(ipcDir)
	r := &runner{bin: bin, ipcDir: ipcDir, timeout: *timeout, hold: *hold}
	if *withPinned && len(manyCells) > 0 {
		if r.pins, err = findPins(); err != nil {
			fmt.Fprintf(stderr, "compare: no pinned cells: %v\n", err)
		}
	}

	cells := Plan(pairTransports)
	steps := len(cells) + len(manyCells) + len(rpcCells)
	if doConnmem {
		steps++
	}
	var recs []report.Record
	for i, cell := range cells {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		cs := Contenders(cell, impls, *withCross)
		got := measure(ctx, r, cell, cs, *runs, *target)
		recs = append(recs, got...)
		fmt.Fprintf(stderr, "[%d/%d] %v: %s\n", i+1, steps, cell, progress(got))
	}
	for i, cell := range manyCells {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		got := measureMany(ctx, r, cell, ManyContenders(impls, cell.Kind, *withCross, r.pins != nil, *withOneProc), *runs, *target)
		recs = append(recs, got...)
		fmt.Fprintf(stderr, "[%d/%d] %v: %s\n", len(cells)+i+1, steps, cell, progress(got))
	}
	for i, cell := range rpcCells {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		got := measureRPC(ctx, r, cell, rpcImpls, *runs, *target)
		recs = append(recs, got...)
		fmt.Fprintf(stderr, "[%d/%d] %v: %s\n", len(cells)+len(manyCells)+i+1, steps, cell, progress(got))
	}
	if doConnmem && ctx.Err() == nil {
		got := measureConnmem(ctx, bin, impls, *connN)
		recs = append(recs, got...)
		fmt.Fprintf(stderr, "[%d/%d] tcp memory per connection, %d connections: %s\n", steps, steps, *connN, progress(got))
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	took := time.Since(started)

	cols := Columns(impls, *withCross)
	env := append(Environment(*dir), fmt.Sprintf("load average (1 min) %s at the start, %s at the end: other work on the machine adds noise", loadBefore, loadAverage()))
	doc := Document(recs, cols, Meta{Env: env, Started: started, Took: took, Runs: *runs, Target: *target, Hold: *hold})
	var js bytes.Buffer
	if err := report.WriteJSON(&js, recs); err != nil {
		return err
	}
	files := map[string][]byte{"compare.md": []byte(doc), "compare.json": js.Bytes()}
	sub := fmt.Sprintf("PUSH→PULL, one frame per message; median of %d run(s); %s", *runs, started.Format("2006-01-02"))
	var plain []report.Record
	for _, r := range recs {
		if !IsCurve(r.Transport) && r.Metric == report.MsgsPerS && !report.IsMany(r) {
			plain = append(plain, r)
		}
	}
	panels := report.ThroughputPanels(plain, cols)
	for i := range panels {
		for j := range panels[i].Series {
			if s := &panels[i].Series[j]; s.Name == "mangos" {
				s.Name = "mangos (SP protocol, not ZMTP)"
			}
		}
	}
	if len(plain) > 0 {
		// Without one-to-one throughput (-cells rpc, say) the chart would be empty.
		var svg bytes.Buffer
		if err := report.WriteThroughputSVG(&svg, "purezmq vs libzmq and Go alternatives: throughput", sub, panels); err != nil {
			return err
		}
		files["throughput.svg"] = svg.Bytes()
	}
	if bars := report.ManyBars(recs); len(bars) > 0 {
		var many bytes.Buffer
		sub := fmt.Sprintf("N peers in one process, 64 B messages; medians of %d run(s); %s", *runs, started.Format("2006-01-02"))
		if err := report.WriteManySVG(&many, "purezmq vs libzmq with many peers", sub, bars); err != nil {
			return err
		}
		files["manypeer.svg"] = many.Bytes()
	}
	var names []string
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(*out, name), b, 0o644); err != nil {
			return err
		}
		names = append(names, name)
	}
	slices.Sort(names)
	fmt.Fprintf(stderr, "took %v; wrote %s to %s\n", took.Round(time.Second), strings.Join(names, ", "), *out)
	_, err = io.WriteString(stdout, doc)
	return err
}

// cellGroups are the parts of the run -cells can name, in order.
var cellGroups = []string{"pair", "curve", "manypeer", "connmem", "rpc"}

// parts resolves what to run from -cells (groups), -transports and the flags that skip parts:
// the transports of the one-to-one cells (CurveTransport for the CURVE ones), the many-peer
// cells and whether to measure memory. Naming tcp+curve in -transports asks for the CURVE
// cells, as it did before they were in the default run.
func parts(groups, transports []string, peers []int, curve, many, mem bool) (pair []string, manyCells []ManyCell, connmem bool) {
	plain := slices.DeleteFunc(slices.Clone(transports), IsCurve)
	if slices.Contains(groups, "pair") {
		pair = plain
	}
	if curve && (slices.Contains(groups, "curve") || slices.Contains(transports, CurveTransport)) {
		pair = append(slices.Clone(pair), CurveTransport)
	}
	if many && slices.Contains(groups, "manypeer") {
		manyCells = ManyPlan(plain, peers)
	}
	return pair, manyCells, mem && slices.Contains(groups, "connmem")
}

// parsePeers reads -peers: a comma-separated list of N from 1 to 10,000.
func parsePeers(v string) ([]int, error) {
	var out []int
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 10000 {
			return nil, fmt.Errorf("compare: -peers: %q is not a number from 1 to 10000", s)
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("compare: -peers is empty")
	}
	return out, nil
}

// measure runs one cell: calibration runs per contender (which also warm up and set its
// count), then runs rounds, each running every contender once, in an order rotated round by
// round so that drift in the machine falls on all alike.
func measure(ctx context.Context, r *runner, cell Cell, cs []Contender, runs int, target time.Duration) []report.Record {
	counts := map[string]int{}
	vals := map[string][]float64{}
	errs := map[string][]string{}
	skip := map[string]bool{}
	for _, c := range cs {
		n, err := calibrate(ctx, r, cell, c, target)
		counts[c.Name] = n
		if err != nil {
			// Measure anyway with the pilot's count, unless it hung: that would only hang again.
			errs[c.Name] = append(errs[c.Name], "calibration: "+err.Error())
			skip[c.Name] = errors.Is(err, errTimeout)
		}
	}
	grace := 2*time.Second + 3*target
	for run := range runs {
		for _, c := range rotate(cs, run) {
			if skip[c.Name] || ctx.Err() != nil {
				continue
			}
			m, err := r.run(ctx, cell, c, counts[c.Name], grace)
			if err != nil {
				errs[c.Name] = append(errs[c.Name], fmt.Sprintf("run %d: %v", run+1, err))
				skip[c.Name] = errors.Is(err, errTimeout)
				continue
			}
			vals[c.Name] = append(vals[c.Name], m.Value)
		}
	}
	var recs []report.Record
	for _, c := range cs {
		recs = append(recs, report.NewRecord(c.Name, cell.Transport, cell.Metric, cell.Size, counts[c.Name], vals[c.Name], errs[c.Name]))
	}
	return recs
}

// calibrate finds the count that makes one run of c last about target (growPilot), then scales.
func calibrate(ctx context.Context, r *runner, cell Cell, c Contender, target time.Duration) (int, error) {
	var value float64
	n, err := growPilot(pilotCount(cell), maxCount(cell), target, func(n int) (time.Duration, error) {
		m, err := r.run(ctx, cell, c, n, 5*time.Second)
		value = m.Value
		return m.Elapsed, err
	})
	if err != nil {
		return n, err
	}
	return scaledCount(cell, value, target), nil
}

// growPilot runs try with a pilot count grown tenfold from pilot, up to most, until a run lasts
// a quarter of target (a short pilot mostly measures how fast already-buffered messages drain),
// and returns that last run's count, or the count of the run that failed.
func growPilot(pilot, most int, target time.Duration, try func(n int) (time.Duration, error)) (int, error) {
	n := pilot
	for {
		elapsed, err := try(n)
		if err != nil || elapsed >= target/4 || n >= most {
			return n, err
		}
		n = min(n*10, most)
	}
}

// progress is one cell's medians, for stderr.
func progress(recs []report.Record) string {
	var parts []string
	for _, r := range recs {
		if (report.IsMany(r) || isConnmem(r) || report.IsRPC(r)) && !listsFailures(r) {
			continue
		}
		s := "FAILED"
		if r.OK() {
			switch r.Metric {
			case report.RPCCallsPerS:
				s = fmt.Sprintf("%.3g calls/s", r.Median)
			case report.RTTPerS:
				s = fmt.Sprintf("%.3g round trips/s", r.Median)
			case report.DeliveredPerS:
				s = fmt.Sprintf("%.3g delivered/s", r.Median)
			case report.FanInPerS:
				s = fmt.Sprintf("%.3g msg/s", r.Median)
			case ConnRouterKB:
				s = fmt.Sprintf("%.1f KiB/conn at the ROUTER", r.Median)
			case report.LatencyUS:
				s = fmt.Sprintf("%.1f µs", r.Median)
			case report.HandshakesPerS:
				s = fmt.Sprintf("%.3g handshakes/s", r.Median)
			default:
				s = fmt.Sprintf("%.3g msg/s", r.Median)
			}
		}
		if r.Failed > 0 {
			s += fmt.Sprintf(" (%d failed)", r.Failed)
		}
		parts = append(parts, r.Impl+" "+s)
	}
	return strings.Join(parts, ", ")
}
