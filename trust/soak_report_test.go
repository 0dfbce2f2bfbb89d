package trust_test

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	zmq "github.com/purezmq/zmq"
)

// What may differ between two samples taken in the same state (every lane connected and idle,
// or everything closed): a few goroutines and descriptors still on their way out (a relay's
// pumps, a lazy pirate's last closed socket) once settled() has waited for them, and some heap.
// Besides, an open socket keeps up to poolMax bytes of buffers that Recycle and the growing of
// big bodies gave back (internal/pipe/bufpool.go), for later frames: after the traffic each
// socket may hold that much more than before it. A leak of one goroutine, descriptor or read
// buffer per connection shows many times over: the run breaks hundreds of connections.
const (
	soakTolCount = 20
	soakTolHeap  = 32 << 20
	poolMax      = 16 << 20
)

// sample is the process's usage at one point of the run.
type sample struct {
	at       time.Duration
	label    string
	u        usage
	received int
	faults   int
}

// mark records and logs a sample; it returns its usage.
func (sk *soak) mark(label string, u usage) usage {
	s := sample{at: time.Since(sk.start), label: label, u: u}
	if sk.lanes == nil && len(sk.samples) > 0 { // let go of: the last counts stand
		last := sk.samples[len(sk.samples)-1]
		s.received, s.faults = last.received, last.faults
	}
	for _, l := range sk.lanes {
		for _, ls := range l.streams {
			s.received += ls.ta.state(dataStream).got
		}
		l.faults.note(func(f *faultLog) {
			for _, n := range f.n {
				s.faults += n
			}
		})
	}
	sk.mu.Lock()
	sk.samples = append(sk.samples, s)
	sk.mu.Unlock()
	sk.t.Logf("%7.1fs %-16s goroutines %5d  fds %4d  RSS %7.1f MiB  heap %7.1f MiB  received %9d  faults %5d",
		s.at.Seconds(), label, u.goroutines, u.fds, inMiB(u.rss), inMiB(u.heap), s.received, s.faults)
	return u
}

// inMiB is n bytes in MiB.
func inMiB(n int64) float64 { return float64(n) / (1 << 20) }

// sockets is how many sockets the lanes have open.
func (sk *soak) sockets() int {
	n := 0
	for _, l := range sk.lanes {
		for _, s := range []*zmq.Socket{l.bound, l.conn} {
			if s != nil {
				n++
			}
		}
	}
	return n
}

// checkGrowth fails the run if the process holds more at to than at from, beyond the
// tolerances (tolHeap for the live heap).
func (sk *soak) checkGrowth(what string, from, to usage, tolHeap int64) {
	if d := to.goroutines - from.goroutines; d > soakTolCount {
		sk.t.Errorf("%s: goroutines grew by %d (%d -> %d), tolerance %d", what, d, from.goroutines, to.goroutines, soakTolCount)
	}
	if d := to.fds - from.fds; d > soakTolCount {
		sk.t.Errorf("%s: file descriptors grew by %d (%d -> %d), tolerance %d", what, d, from.fds, to.fds, soakTolCount)
	}
	if d := to.heap - from.heap; d > tolHeap {
		sk.t.Errorf("%s: live heap grew by %.1f MiB (%.1f -> %.1f), tolerance %.0f MiB",
			what, inMiB(d), inMiB(from.heap), inMiB(to.heap), inMiB(tolHeap))
	}
}

// figures are a stream's counts at the end, and what its rule makes of them.
type figures struct {
	sent, got, lost, gaps, dups, runs, conns int64
	bad                                      []string
}

// verdict counts what ls sent and what arrived; lost and gaps are counted over the sequence
// numbers sent (an echo stream sends only the requests that reached it), a gap being a run of
// them lost back to back, a missing tail included.
func (l *lane) verdict(ls *laneStream) figures {
	st := ls.ta.state(dataStream)
	ls.mu.Lock()
	sent, distinct := slices.Clone(ls.seqs.have), ls.seqs.got
	ls.mu.Unlock()
	f := figures{sent: ls.sent.Load(), got: int64(st.got), dups: int64(st.dups) + ls.repeated.Load(),
		runs: int64(st.runs), conns: int64(ls.conns())}
	var phantom int64
	f.lost, f.gaps, phantom = missing(sent, ls.ta.spans(dataStream))
	bad := func(format string, args ...any) { f.bad = append(f.bad, fmt.Sprintf(format, args...)) }
	if phantom > 0 {
		bad("%d messages received that were never sent", phantom)
	}
	if n := ls.corrupted.Load(); n > 0 {
		bad("%d corrupted messages delivered", n)
	}
	if n := ls.repeated.Load(); n > 0 {
		bad("%d messages delivered twice", n)
	}
	switch ls.rule {
	case ruleExact:
		if f.lost != 0 || f.runs > 1 {
			bad("%d of %d lost in %d gaps, arrival in %d runs: want all, in order", f.lost, distinct, f.gaps, f.runs)
		}
	case ruleReliable:
		if f.gaps > f.conns-1 {
			bad("%d gaps for %d broken connections", f.gaps, f.conns-1)
		}
	case ruleAtLeastOnce:
		if f.lost != 0 {
			bad("%d of %d requests never reached REP", f.lost, distinct)
		}
	case ruleAnswered:
		if asked := l.streams[0].sent.Load(); f.got != asked || f.runs > 1 {
			bad("%d of %d requests answered, in %d runs: want every one, in order", f.got, asked, f.runs)
		}
	}
	if f.runs > f.conns {
		bad("the arrival order splits into %d increasing runs over %d connections", f.runs, f.conns)
	}
	return f
}

// missing counts the sequence numbers of sent (spans) that got lacks, and the gaps they make in
// sent's order; phantom counts those of got that sent lacks.
func missing(sent, got []span) (lost, gaps, phantom int64) {
	j, had, inSent := 0, true, int64(0)
	for _, s := range sent {
		for seq := s.lo; seq < s.hi; seq++ {
			for j < len(got) && got[j].hi <= seq {
				j++
			}
			have := j < len(got) && got[j].lo <= seq
			if !have {
				lost++
				if had {
					gaps++
				}
			} else {
				inSent++
			}
			had = have
		}
	}
	for _, g := range got {
		phantom += g.hi - g.lo
	}
	return lost, gaps, phantom - inSent
}

// checkLanes applies each stream's rule, and on control lanes checks that no connection broke
// and no request was retried.
func (sk *soak) checkLanes() {
	for _, l := range sk.lanes {
		for _, ls := range l.streams {
			for _, b := range l.verdict(ls).bad {
				sk.t.Errorf("%s: %s (%v): %s", l.name, ls.name, ls.rule, b)
			}
		}
		if l.w.faulty {
			continue
		}
		for _, e := range []*events{l.bev, l.cev} {
			for _, typ := range []zmq.EventType{zmq.EventDisconnected, zmq.EventHandshakeFailedNoDetail, zmq.EventHandshakeFailedProtocol} {
				if n := e.count(typ); n > 0 {
					sk.t.Errorf("%s: %d %v events on a lane without faults", l.name, n, typ)
				}
			}
		}
		if n := l.retries.Load(); n > 0 {
			sk.t.Errorf("%s: %d retries on a lane without faults", l.name, n)
		}
	}
}

// reportStreams logs what each stream sent and received.
func (sk *soak) reportStreams() {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "lane\tstream\trule\tsent\treceived\tlost\tcorrupted\tduplicated\tgaps\truns\tconnections ready\t"+
		"disconnects (bound/connect)\treconnects\tretries\tre-dials\t")
	for _, l := range sk.lanes {
		for i, ls := range l.streams {
			f := l.verdict(ls)
			ev := "\t\t\t\t"
			if i == 0 {
				ev = fmt.Sprintf("%d/%d\t%d\t%d\t%d\t", l.bev.count(zmq.EventDisconnected), l.cev.count(zmq.EventDisconnected),
					max(l.cev.count(zmq.EventHandshakeSucceeded)-1, 0), l.retries.Load(), l.redials.Load())
			}
			fmt.Fprintf(w, "%s\t%s\t%v\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n", l.name, ls.name, ls.rule,
				f.sent, f.got, f.lost, ls.corrupted.Load(), f.dups, f.gaps, f.runs, f.conns, ev)
		}
	}
	w.Flush()
	sk.t.Logf("streams (received: distinct messages; lost: distinct messages sent and never received; "+
		"gaps: runs of them, a missing tail included):\n%s", b.String())
}

// reportFaults logs what each relay's schedule injected and how the lane took it.
func (sk *soak) reportFaults() {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "lane\tcut\treset\tblackhole\tthrottle\tdelay\tcorrupt\tdetected (median / max)\t"+
		"resumed (median / max)\tcorrupt: dropped/kept/unreached\tgreetings refused\trelay: connections, bytes up/down\t")
	for _, l := range sk.lanes {
		if l.relay == nil {
			continue
		}
		st := l.relay.Stats()
		l.faults.note(func(f *faultLog) {
			fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%d/%d/%d\t%d\t%d, %.0f/%.0f MiB\t\n", l.name,
				f.n[fCut], f.n[fReset], f.n[fBlackhole], f.n[fThrottle], f.n[fDelay], f.n[fCorrupt],
				durations(f.detect), durations(f.recovery), f.dropped, f.survived, f.unreached, f.refused,
				st.Accepted, inMiB(st.Up), inMiB(st.Down))
		})
	}
	w.Flush()
	sk.t.Logf("faults:\n%s", b.String())
}

// reportSamples logs the process samples.
func (sk *soak) reportSamples() {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "time\tsample\tgoroutines\tfds\tRSS MiB\theap MiB\treceived\tfaults\t")
	for _, s := range sk.samples {
		fmt.Fprintf(w, "%.0fs\t%s\t%d\t%d\t%.1f\t%.1f\t%d\t%d\t\n", s.at.Seconds(), s.label, s.u.goroutines, s.u.fds,
			inMiB(s.u.rss), inMiB(s.u.heap), s.received, s.faults)
	}
	w.Flush()
	sk.t.Logf("process (heap: live after a GC; RSS includes the race detector's own memory under -race):\n%s", b.String())
}
