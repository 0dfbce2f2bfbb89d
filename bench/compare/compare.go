// Package compare is the driver of `make bench-compare`: it builds the libzmq peers (../c),
// cmd/peer and cmd/connmem, runs the matrix — tcp, ipc and inproc; PUSH→PULL throughput at 16 B
// to 64 KiB and REQ/REP latency at 16 B and 4 KiB; every implementation with itself and, over
// tcp and ipc, purezmq and libzmq with each other, and purezmq's throughput without Recycle
// too — alternating implementations run by run; then tcp under CURVE (throughput at 16 B to
// 4 KiB and the rate of handshakes), the many-peer cells (ROUTER echo, PUB fan-out, N PUSH →
// PULL with N peers in one process, libzmq and purezmq) and memory per connection. It writes
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
	cellsFlag := fs.String("cells", strings.Join(cellGroups, ","), "what to measure: pair (one-to-one throughput and latency), curve (tcp under CURVE), manypeer (N peers in one process), connmem (memory per connection)")
	withCurve := fs.Bool("curve", true, "measure tcp secured by CURVE (transport "+CurveTransport+"): throughput at 16 B, 256 B and 4 KiB and the handshake rate, for libzmq, purezmq and pebbe; -curve=false skips it")
	withMany := fs.Bool("manypeer", true, "measure the many-peer cells (ROUTER echo, PUB fan-out, N PUSH → PULL) over tcp and ipc, libzmq and purezmq; -manypeer=false skips them")
	peersFlag := fs.String("peers", "10,100", "the many-peer cells' N (sockets in the connecting process)")
	withConnmem := fs.Bool("connmem", true, "measure memory per connection (bench/connmem) for libzmq and purezmq; -connmem=false skips it")
	connN := fs.Int("connmem-n", 2000, "connections of the memory measurement (-quick: default 500)")
	withCross := fs.Bool("cross", true, "also run purezmq→libzmq and libzmq→purezmq over tcp and ipc")
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
	// Naming tcp+curve in -transports asks for the CURVE cells, as it did before they were in
	// the default run.
	on := func(group string, flag bool) bool {
		return flag && (slices.Contains(groups, group) || group == "curve" && slices.Contains(transports, CurveTransport))
	}
	transports = slices.DeleteFunc(transports, IsCurve)
	var pairTransports []string
	if on("pair", true) {
		pairTransports = transports
	}
	if on("curve", *withCurve) {
		pairTransports = append(slices.Clone(pairTransports), CurveTransport)
	}
	var manyCells []ManyCell
	if on("manypeer", *withMany) {
		manyCells = ManyPlan(transports, peers)
	}
	doConnmem := on("connmem", *withConnmem)
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

	cells := Plan(pairTransports)
	steps := len(cells) + len(manyCells)
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
		got := measureMany(ctx, r, cell, ManyContenders(impls), *runs, *target)
		recs = append(recs, got...)
		fmt.Fprintf(stderr, "[%d/%d] %v: %s\n", len(cells)+i+1, steps, cell, progress(got))
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
	var svg bytes.Buffer
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
	if err := report.WriteThroughputSVG(&svg, "purezmq vs libzmq and Go alternatives: throughput", sub, panels); err != nil {
		return err
	}
	files := map[string][]byte{"compare.md": []byte(doc), "compare.json": js.Bytes(), "throughput.svg": svg.Bytes()}
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
var cellGroups = []string{"pair", "curve", "manypeer", "connmem"}

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

// calibrate finds the count that makes one run of c last about target: it grows a pilot run
// tenfold until the pilot lasts a quarter of target (a short pilot mostly measures how fast
// already-buffered messages drain), then scales.
func calibrate(ctx context.Context, r *runner, cell Cell, c Contender, target time.Duration) (int, error) {
	n := pilotCount(cell)
	for {
		m, err := r.run(ctx, cell, c, n, 5*time.Second)
		if err != nil {
			return n, err
		}
		if m.Elapsed >= target/4 || n >= maxCount(cell) {
			return scaledCount(cell, m.Value, target), nil
		}
		n = min(n*10, maxCount(cell))
	}
}

// progress is one cell's medians, for stderr.
func progress(recs []report.Record) string {
	var parts []string
	for _, r := range recs {
		if (report.IsMany(r) || isConnmem(r)) && !listsFailures(r) {
			continue
		}
		s := "FAILED"
		if r.OK() {
			switch r.Metric {
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

// marks are the footnote marks of the tables' column names.
var marks = map[string]string{"mangos": "†"}

// Meta is how a comparison was run.
type Meta struct {
	Env     []string // machine and versions, one item each
	Started time.Time
	Took    time.Duration
	Runs    int
	Target  time.Duration
	Hold    bool
}

// Document is compare.md: how it was measured, the tables, and every failure.
func Document(recs []report.Record, cols []string, m Meta) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# purezmq side by side with libzmq and the Go alternatives\n\n")
	fmt.Fprintf(&b, "`make bench-compare`, %s, took %v: %d run(s) per cell of about %v each, implementations alternating run by run; each implementation's count set by calibration runs (which count among the failures, when they fail). ",
		m.Started.Format("2006-01-02 15:04 MST"), m.Took.Round(time.Second), m.Runs, m.Target)
	if m.Hold {
		b.WriteString("Senders and repliers stay open until the measuring side is done (`-hold`), so messages lost at close do not show here.\n\n")
	} else {
		b.WriteString("Senders and repliers close right after their last message (`-hold=false`), so messages lost at close fail runs.\n\n")
	}
	for _, e := range m.Env {
		fmt.Fprintf(&b, "- %s\n", e)
	}
	var plain, curve, many, mem []report.Record
	for _, r := range recs {
		switch {
		case report.IsMany(r):
			many = append(many, r)
		case isConnmem(r):
			mem = append(mem, r)
		case IsCurve(r.Transport):
			curve = append(curve, r)
		default:
			plain = append(plain, r)
		}
	}
	if len(plain) > 0 {
		writePlain(&b, plain, cols)
	}
	if len(curve) > 0 {
		writeCurve(&b, curve, cols)
	}
	if len(many) > 0 {
		writeMany(&b, many)
	}
	if len(mem) > 0 {
		writeConnmem(&b, mem)
	}
	if f := Failures(recs); f != "" {
		b.WriteString("\n## Failures\n\n")
		b.WriteString(f)
	}
	return b.String()
}

// writePlain writes the tables of the transports without security.
func writePlain(b *strings.Builder, recs []report.Record, cols []string) {
	b.WriteString("\n## Throughput (messages/s)\n\n")
	b.WriteString("PUSH→PULL, one frame per message, between two processes (inproc: two threads of one), clocked by the receiver from the first message to the last as libzmq's `local_thr`. Median (min–max) of the runs.\n\n")
	b.WriteString(report.Table(recs, report.MsgsPerS, cols, marks))
	if slices.ContainsFunc(recs, func(r report.Record) bool { return r.Impl == report.OursNoRecycle }) {
		b.WriteString("\npurezmq's receiver gives each message back with `Socket.Recycle` once checked; purezmq (no Recycle) is the same receiver without it, as a program using only the ordinary API.\n")
	}
	b.WriteString("\n## Throughput (MB/s, medians)\n\n")
	b.WriteString("10^6 bytes per second. Over inproc no implementation copies the payload (the message is handed over by reference), so there MB/s counts bytes handed over, not bytes moved.\n\n")
	b.WriteString(report.MBTable(recs, cols, marks))
	b.WriteString("\n## Latency (µs, one way)\n\n")
	b.WriteString("REQ/REP round trips, half the mean round trip as libzmq's `remote_lat`. Median (min–max) of the runs; lower is better, and so is a ratio below 1.\n\n")
	b.WriteString(report.Table(recs, report.LatencyUS, cols, marks))
	b.WriteString("\nlibzmq: the C peers in `bench/c` against the system's libzmq. pebbe: the cgo binding (libzmq underneath). gozmq: go-zeromq/zmq4. " +
		"a→b: a sends (or requests), b receives (or replies), in two processes over the wire; there are none over inproc, which stays in one process. " +
		"† mangos speaks nanomsg's SP protocol, not ZMTP, so it is measured only with itself.\n")
}

// writeCurve writes the CURVE section: throughput and handshake rate over tcp+curve.
func writeCurve(b *strings.Builder, recs []report.Record, cols []string) {
	b.WriteString("\n## CURVE over tcp\n\n")
	b.WriteString("Every connection secured by CURVE (RFC 26) with fixed test key pairs, the receiver (or echo) the CURVE server and the sender (or requester) the client; " +
		"only libzmq (built with libsodium), pebbe (libzmq underneath) and purezmq speak it. a→b as above: the cross columns are purezmq and libzmq talking CURVE to each other.\n\n")
	b.WriteString("### Throughput (messages/s)\n\n")
	b.WriteString("PUSH→PULL as above, every message encrypted and authenticated by the sender and checked and decrypted by the receiver. Median (min–max) of the runs.\n\n")
	b.WriteString(report.Table(recs, report.MsgsPerS, cols, marks))
	b.WriteString("\n### Handshake rate (connections/s)\n\n")
	b.WriteString("One client process opens REQ sockets one after another, each connecting to a REP echo (the CURVE server), completing the ZMTP greeting and the CURVE handshake and one round trip of the size shown, then closing: " +
		"sockets per second over the whole loop, so TCP setup and teardown count too. Median (min–max) of the runs.\n\n")
	b.WriteString(report.Table(recs, report.HandshakesPerS, cols, marks))
}

// writeMany writes the many-peer section: one table per kind.
func writeMany(b *strings.Builder, recs []report.Record) {
	b.WriteString("\n## Many peers\n\n")
	b.WriteString("N sockets in one process (one thread each for libzmq, one goroutine each for purezmq through its ordinary API: no Recycle, a new payload per Send) against one bound socket in another, 64-byte messages stamped with sender and sequence number so that loss, repetition, reordering, misrouting and corruption fail a run. " +
		"Median (min–max) of the runs; metrics marked ↓ are better lower, and so is their ratio. The chart is `manypeer.svg`.\n")
	about := map[string]string{
		"router": "A ROUTER echoes every request; each DEALER makes sequential round trips (one outstanding). After 5 untimed round trips each, all start together; the window ends at the run's count-th round trip, every client running until then. " +
			"p50 and p99 are over all round trips of the window; fairness is the fewest round trips a client completed in the window over the most.",
		"pubsub": "An XPUB (XPUB_VERBOSER) starts once all N subscribers have subscribed, then sends count messages as fast as it can with the default SNDHWM, dropping at the HWM as PUB does. " +
			"Delivered msgs/s: all subscribers, from the first message any got to the last. Publisher CPU: its process's user+system time (getrusage, I/O threads included) over the send loop, or up to the end of the stream, divided by count × N. " +
			"The end of the stream is a marker repeated every millisecond until every subscriber has unsubscribed (which each does on seeing it), so drops never hang a run.",
		"pushpull": "Each PUSH connects and waits for its handshake, then all send count/N messages as fast as they can. The PULL checks each sender's order; msgs/s from its first message to its last; fairness when half of all had come: the fewest any sender had delivered over the most.",
	}
	cols := append([]string{}, manyImpls...)
	for _, k := range report.ManyKinds {
		t := report.ManyTable(recs, k, cols)
		if t == "" {
			continue
		}
		fmt.Fprintf(b, "\n### %s\n\n%s\n\n%s", k.Title, about[k.Name], t)
	}
}

// writeConnmem writes the memory-per-connection section.
func writeConnmem(b *strings.Builder, recs []report.Record) {
	t := connmemTable(recs)
	if t == "" {
		return // all failed: the failures say why
	}
	b.WriteString("\n## Memory per connection\n\n")
	fmt.Fprintf(b, "N DEALERs over tcp on one ROUTER process, the DEALERs spread over %d processes (libzmq needs two descriptors per socket), each sending one message so that every connection is known to be up: "+
		"how much each side's resident memory grew per connection (Go's after returning freed memory to the system). One run.\n\n", connmemProcs)
	b.WriteString(t)
}

// describe names the cell of r for the failures list.
func describe(r report.Record) string {
	switch {
	case report.IsMany(r):
		kind, _, _ := report.ManyKindOf(r.Metric)
		return ManyCell{kind.Name, r.Transport, r.Peers}.String()
	case isConnmem(r):
		return fmt.Sprintf("%s memory per connection, %d connections", r.Transport, r.Count)
	}
	return Cell{r.Metric, r.Transport, r.Size}.String()
}

// listsFailures reports whether r is where its cell's failures are listed: a many-peer or
// memory run gives several records, each with the run's errors, listed once.
func listsFailures(r report.Record) bool {
	if report.IsMany(r) {
		kind, _, _ := report.ManyKindOf(r.Metric)
		return len(kind.Metrics) > 0 && kind.Metrics[0].Name == r.Metric
	}
	return r.Metric != ConnDealerKB
}

// Failures lists every cell with failed runs, each distinct error once with how often it came.
func Failures(recs []report.Record) string {
	var b strings.Builder
	for _, r := range recs {
		if r.Failed == 0 || !listsFailures(r) {
			continue
		}
		fmt.Fprintf(&b, "- %s, %s: %d of %d runs failed\n", r.Impl, describe(r), r.Failed, r.Failed+len(r.Runs))
		var seen []string
		n := map[string]int{}
		for _, e := range r.Errors {
			// "run 3: x" and "run 4: x" are the same error.
			_, msg, ok := strings.Cut(e, ": ")
			if !ok {
				msg = e
			}
			if n[msg] == 0 {
				seen = append(seen, msg)
			}
			n[msg]++
		}
		slices.Sort(seen)
		for _, msg := range seen {
			fmt.Fprintf(&b, "  - %d× `%s`\n", n[msg], strings.ReplaceAll(msg, "`", "'"))
		}
	}
	return b.String()
}
