package trust_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/internal/faultnet"
)

type faultKind int

const (
	fCut faultKind = iota
	fReset
	fBlackhole
	fThrottle
	fDelay
	fCorrupt // CURVE: bits anywhere; NULL: a byte of a new connection's greeting
	nFaultKinds
)

var faultNames = [nFaultKinds]string{"cut", "reset", "blackhole", "throttle", "delay", "corrupt"}

// faultWeights: how often each kind is drawn.
var faultWeights = [nFaultKinds]int{20, 15, 15, 15, 15, 20}

// faultLog is what a lane's schedule did.
type faultLog struct {
	mu       sync.Mutex
	n        [nFaultKinds]int
	detect   []time.Duration // blackholes: until both sides dropped the connection
	recovery []time.Duration // from a fault lifted to the stream moving again
	// CURVE corruption outcomes: the connection dropped, or not (a bit no one reads: a
	// MESSAGE's outer MORE or COMMAND flag), or the armed offset was never reached.
	dropped, survived, unreached int
	refused                      int // NULL: damaged greetings refused
	last                         []string
}

func (f *faultLog) add(k faultKind, desc string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n[k]++
	f.last = append(f.last, desc)
	if len(f.last) > 6 {
		f.last = f.last[1:]
	}
}

// recent lists the last faults, for a failure's report.
func (f *faultLog) recent() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.last) == 0 {
		return "none"
	}
	return strings.Join(f.last, "; ")
}

func (f *faultLog) note(do func(f *faultLog)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	do(f)
}

// schedule injects faults into the lane's relay, one at a time, at random times, until stop.
func (l *lane) schedule(rng *rand.Rand, stop <-chan struct{}) {
	total := 0
	for _, w := range faultWeights {
		total += w
	}
	for {
		tm := time.NewTimer(time.Duration(500+rng.IntN(4500)) * time.Millisecond)
		select {
		case <-tm.C:
		case <-stop:
			tm.Stop()
			return
		case <-l.sk.ctx.Done():
			tm.Stop()
			return
		}
		n, k := rng.IntN(total), faultKind(0)
		for ; n >= faultWeights[k]; k++ {
			n -= faultWeights[k]
		}
		progress, proto := l.progress(), l.cev.protocolErrors()
		desc, ok := l.inject(k, rng)
		l.relay.Normal(faultnet.Both)
		if ok {
			desc, ok = l.recovered(desc, progress, proto)
		}
		l.faults.add(k, fmt.Sprintf("%.1fs %s", time.Since(l.sk.start).Seconds(), desc))
		if !ok {
			return
		}
	}
}

// progress is how many data messages the lane's last receiver has had.
func (l *lane) progress() int { return l.final.state(dataStream).got }

// recovered waits until the stream moves again after a fault: a few more messages than before
// it began reach the lane's last receiver. A connect side that gave up on its endpoint after a
// protocol error (proto: how many it had seen before the fault) is connected again first,
// unless it is a lazy pirate's, which opens a new socket anyway.
func (l *lane) recovered(desc string, before, proto int) (string, bool) {
	start := time.Now()
	moved := func(st *stream) bool { return st != nil && st.got >= before+3 }
	for time.Since(start) < recoverBound && l.sk.ctx.Err() == nil {
		if n := l.cev.protocolErrors(); n > proto && l.fam.conn != zmq.REQ {
			proto = n
			if !l.redial() {
				return desc, false
			}
			desc += ", connected again"
		}
		if l.final.await(dataStream, moved, time.Second) {
			l.faults.note(func(f *faultLog) { f.recovery = append(f.recovery, time.Since(start)) })
			return desc, true
		}
	}
	if l.sk.ctx.Err() == nil {
		l.sk.hang("%s: the stream did not resume within %v after %s (relay %+v)", l.name, recoverBound, desc, l.relay.Stats())
	}
	return desc, false
}

// dir picks a direction the lane's traffic crosses.
func (l *lane) dir(rng *rand.Rand) faultnet.Direction {
	if l.fam.busy == faultnet.Both {
		return []faultnet.Direction{faultnet.Up, faultnet.Down}[rng.IntN(2)]
	}
	return l.fam.busy
}

func dirName(d faultnet.Direction) string {
	return map[faultnet.Direction]string{faultnet.Up: "up", faultnet.Down: "down", faultnet.Both: "both"}[d]
}

// inject applies one fault and waits for its effect (or its time); it returns what it did, and
// false after failing the run. The relay counts a cut, a reset or an altered byte before either
// peer can see it, and each peer's monitor reports what follows, so waiting on the monitors for
// the relay's counters is waiting on events.
func (l *lane) inject(k faultKind, rng *rand.Rand) (string, bool) {
	r := l.relay
	switch k {
	case fCut, fReset:
		dir, n := l.dir(rng), 1+rng.Int64N(192<<10)
		desc := fmt.Sprintf("%s %s after %d bytes", faultNames[k], dirName(dir), n)
		st := r.Stats()
		before := st.Cuts + st.Resets
		switch {
		case k == fCut:
			r.Cut(dir, n)
		case rng.IntN(4) == 0:
			desc = "reset both at once"
			r.Reset(faultnet.Both, 0)
		default:
			r.Reset(dir, n)
		}
		broke := func() bool { st := r.Stats(); return st.Cuts+st.Resets > before }
		if !l.bev.await(broke, faultBound) {
			l.sk.hang("%s: %s armed for %v, and the connection never broke", l.name, desc, faultBound)
			return desc, false
		}
		return desc, true
	case fBlackhole:
		return l.blackhole(rng)
	case fThrottle, fDelay:
		dir, hold := l.dir(rng), time.Duration(1000+rng.IntN(7000))*time.Millisecond
		var desc string
		if k == fThrottle {
			rate := int64(64<<10) << rng.IntN(6)
			desc = fmt.Sprintf("throttle %s to %d KiB/s for %v", dirName(dir), rate>>10, hold)
			r.Throttle(dir, rate)
		} else {
			d := time.Duration(5+rng.IntN(int(soakHbTimeout/time.Millisecond)/2)) * time.Millisecond
			desc = fmt.Sprintf("delay %s by %v for %v", dirName(dir), d, hold)
			r.Delay(dir, d)
		}
		return desc, l.sk.sleep(hold)
	case fCorrupt:
		if l.w.curve {
			return l.corruptSealed(rng)
		}
		return l.corruptGreeting(rng)
	}
	panic("unknown fault")
}

// blackhole partitions the link until heartbeats have dropped the connection on both sides:
// the bound side has no connection left up, and the connect side has seen it go (unless it is
// a lazy pirate's, which may have closed its socket first); then a little longer.
func (l *lane) blackhole(rng *rand.Rand) (string, bool) {
	cd := l.cev.count(zmq.EventDisconnected)
	start := time.Now()
	l.relay.Blackhole(faultnet.Both)
	okB := l.bev.await(func() bool { return l.bev.live() == 0 }, soakDetect)
	okC := l.fam.conn == zmq.REQ ||
		l.cev.await(func() bool { return l.cev.count(zmq.EventDisconnected) > cd }, soakDetect-time.Since(start))
	took := time.Since(start)
	hold := time.Duration(rng.IntN(3000)) * time.Millisecond
	desc := fmt.Sprintf("blackhole, detected in %v, held %v more", took.Round(time.Millisecond), hold)
	if !okB || !okC {
		l.sk.fail("%s: blackhole not detected within %v: by the bound side %v, by the connect side %v",
			l.name, soakDetect, okB, okC)
		return desc, false
	}
	l.faults.note(func(f *faultLog) { f.detect = append(f.detect, took) })
	return desc, l.sk.sleep(hold)
}

// corruptSealed flips random bits of a CURVE stream: the side that reads them must drop the
// connection as a protocol error (unless the bit is one nobody reads), and no damaged message
// may be delivered, which every receiver checks.
func (l *lane) corruptSealed(rng *rand.Rand) (string, bool) {
	dir := l.dir(rng)
	c := faultnet.Corruption{Offset: rng.Int64N(128 << 10), Length: 1, Seed: rng.Uint64(), Limit: 1}
	if rng.IntN(3) == 0 { // a burst: a few bits within 64 bytes
		c.Length, c.Prob, c.Limit = 64, 0.1, 1+rng.Int64N(4)
	}
	desc := fmt.Sprintf("corrupt %s: %d bits from byte %d", dirName(dir), c.Limit, c.Offset)
	altered := l.relay.Stats().Corrupted
	errs := func() int { return l.bev.protocolErrors() + l.cev.protocolErrors() }
	before := errs()
	reached := func() bool { return l.relay.Stats().Corrupted > altered }
	l.relay.Corrupt(dir, c)
	// The altered byte is counted before it is forwarded; then a protocol error, on the side
	// it went to, or nothing at all.
	hit := l.bev.await(reached, faultBound)
	if hit {
		events := l.bev
		if dir == faultnet.Down {
			events = l.cev
		}
		events.await(func() bool { return errs() > before }, soakDetect)
	}
	l.faults.note(func(f *faultLog) {
		switch {
		case errs() > before:
			f.dropped++
		case hit:
			f.survived++
			desc += ", connection kept"
		default:
			f.unreached++
			desc += ", never reached"
		}
	})
	return desc, true
}

// greetingDamage are bytes of a ZMTP 3 greeting a handshake must refuse whatever their damage
// (the signature's first and last bytes, the mechanism name), and the major version, which
// masks 1 to 3 take below 3; the rest (padding, minor version, as-server, filler) may be
// ignored by design.
var greetingDamage = append([]int64{0, 9, 10}, func() []int64 {
	var name []int64
	for i := int64(12); i < 32; i++ {
		name = append(name, i)
	}
	return name
}()...)

// corruptGreeting damages one byte of each new connection's greeting towards the bound side,
// under NULL, where nothing else has a known offset: the bound side must refuse every such
// handshake. First the open connection is reset and gone (damage counted from its current
// byte would fall in a message, which NULL cannot detect).
func (l *lane) corruptGreeting(rng *rand.Rand) (string, bool) {
	off := greetingDamage[rng.IntN(len(greetingDamage))]
	mask := byte(1 + rng.IntN(255))
	if off == 10 {
		mask = byte(1 + rng.IntN(3))
	}
	desc := fmt.Sprintf("corrupt greeting byte %d ^ %#02x", off, mask)
	l.relay.Reset(faultnet.Down, 0) // every connection, and each new one before its peer hears a byte
	if !l.bev.await(func() bool { return l.bev.live() == 0 }, faultBound) {
		l.sk.hang("%s: %s: connections still up %v after a reset", l.name, desc, faultBound)
		return desc, false
	}
	// A damaged greeting is a protocol error; the connections the reset ends fail otherwise.
	failed := func() int { return l.bev.count(zmq.EventHandshakeFailedProtocol) }
	hs, hf := l.bev.count(zmq.EventHandshakeSucceeded), failed()
	l.relay.Corrupt(faultnet.Up, faultnet.Corruption{Offset: off, Length: 1, Mask: mask})
	l.relay.Normal(faultnet.Down)
	refused := l.bev.await(func() bool { return failed() > hf }, faultBound)
	accepted := l.bev.count(zmq.EventHandshakeSucceeded) - hs
	l.relay.Normal(faultnet.Up)
	if !refused || accepted > 0 {
		l.sk.fail("%s: %s: %d handshakes refused, %d succeeded while it was armed; want every one refused",
			l.name, desc, failed()-hf, accepted)
		return desc, false
	}
	l.faults.note(func(f *faultLog) { f.refused++ })
	return desc, true
}

// durations summarises ds for the report: "n, median, max".
func durations(ds []time.Duration) string {
	if len(ds) == 0 {
		return "-"
	}
	s := slices.Sorted(slices.Values(ds))
	return fmt.Sprintf("%v / %v", s[len(s)/2].Round(time.Millisecond), s[len(s)-1].Round(time.Millisecond))
}
