package compare

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/purezmq/zmq/bench/report"
)

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
	var plain, curve, many, mem, rpc []report.Record
	for _, r := range recs {
		switch {
		case report.IsRPC(r):
			rpc = append(rpc, r)
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
	if len(rpc) > 0 {
		writeRPC(&b, rpc)
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
	b.WriteString("N sockets in one process (one thread each for libzmq, one goroutine each for purezmq through its ordinary API: no Recycle, a new payload per Send but for the publisher, below) against one bound socket in another, 64-byte messages stamped with sender and sequence number so that loss, repetition, reordering, misrouting and corruption fail a run. " +
		"Median (min–max) of the runs; metrics marked ↓ are better lower, and so is their ratio. The chart is `manypeer.svg`. " +
		"The crossed columns (ROUTER echo and N PUSH → PULL, with -cross) pair one implementation's N sockets with the other's bound socket, \"clients→server\": purezmq→libzmq is purezmq's N sockets against libzmq's bound one. " +
		"The pinned columns (ROUTER echo, with -pinned) run the same two processes with the bound socket's on one processor and the N sockets' on another (taskset), as a server and its clients on machines of their own; elsewhere both share every processor. " +
		"The GOMAXPROCS=1 column (ROUTER echo and PUB fan-out, with -oneproc) runs purezmq's two processes as its own column does, sharing both processors, but each Go runtime with one processor (GOMAXPROCS=1) instead of two: two Go processes otherwise run four schedulers on two processors, each counting on processors the other is using; its ratio is against libzmq's own column.\n")
	about := map[string]string{
		"router": "A ROUTER echoes every request; each DEALER makes sequential round trips (one outstanding). After 5 untimed round trips each, all start together; the window ends at the run's count-th round trip, every client running until then. " +
			"p50 and p99 are over all round trips of the window; fairness is the fewest round trips a client completed in the window over the most.",
		"pubsub": "An XPUB (XPUB_VERBOSER) starts once all N subscribers have subscribed, then sends count messages as fast as it can with the default SNDHWM, dropping at the HWM as PUB does. " +
			"Delivered msgs/s: all subscribers, from the first message any got to the last (each subscriber reads the clock at its first message, every 256th and the end marker). Publisher CPU: its process's user+system time (getrusage, I/O threads included) over the send loop, or up to the end of the stream, divided by count × N; per copy delivered: up to the end of the stream, divided by the copies the subscribers got. " +
			"The end of the stream is a marker repeated every millisecond until every subscriber has unsubscribed (which each does on seeing it), so drops never hang a run. " +
			"Both publish the same count (the larger calibrated, at most 4 × the smaller, at least 10 × SNDHWM), as what a publisher drops, and what its sends cost, depend on how far the stream outruns the HWM. " +
			"Each publisher rewrites one buffer for every message and sends a copy of it: libzmq's with zmq_send, purezmq's with SendCopy; the column purezmq (Send) publishes a new payload per message with Send instead, whose frames then belong to the library.",
		"pushpull": "Each PUSH connects and waits for its handshake, then all send count/N messages as fast as they can. The PULL checks each sender's order; msgs/s from its first message to its last; fairness when half of all had come: the fewest any sender had delivered over the most.",
	}
	for _, k := range report.ManyKinds {
		t := report.ManyTable(recs, k, ManyColumns())
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
	case report.IsRPC(r):
		return RPCCell{r.Callers}.String()
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
	if report.IsRPC(r) {
		return r.Metric == report.RPCMetrics[0]
	}
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

// writeRPC writes the RPC section.
func writeRPC(b *strings.Builder, recs []report.Record) {
	b.WriteString("\n## RPC: small calls\n\n")
	fmt.Fprintf(b, "%d-byte args and the same %d bytes back, over tcp on 127.0.0.1, the echo server in another process; 1 or 16 callers (goroutines) share one client. "+
		"Each call has a deadline (%v) and its reply is checked byte for byte. After 5 untimed calls per caller all start together; calls/s is the run's calls over the time to the last reply, "+
		"p50 and p99 are over every call's own time (nearest rank), not averaged. gRPC-Go: unary over plaintext HTTP/2, the payload a `wrapperspb.BytesValue`. "+
		"NATS: nats.go request-reply through a nats-server the harness starts (broker, responder and client: 3 processes). "+
		"Raw purezmq: a ROUTER echo and one DEALER shared by the callers, replies matched by an id in the payload — the ceiling of an RPC layer on purezmq. "+
		"purezmq rpc: `rpc.Client.Call` with the JSON codec, ids and deadlines on the wire. Median (min–max) of the runs; ↓ lower is better.\n\n", rpcSize, rpcSize, rpcCallTimeout)
	var impls []string
	for _, r := range recs {
		if !slices.Contains(impls, r.Impl) {
			impls = append(impls, r.Impl)
		}
	}
	slices.SortStableFunc(impls, func(a, b string) int { return rpcRank(a) - rpcRank(b) })
	b.WriteString(report.RPCTable(recs, impls))
}

// rpcRank is im's row in the RPC table: allRPCImpls' order, others after.
func rpcRank(im string) int {
	if i := slices.Index(allRPCImpls, im); i >= 0 {
		return i
	}
	return len(allRPCImpls)
}
