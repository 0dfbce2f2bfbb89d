package pgm

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"
)

// sim joins one Sender and one Receiver through a simulated network with a fixed latency
// and optional loss, on a simulated clock: the state machines run without sockets or timers.
type sim struct {
	t        *testing.T
	now      time.Time
	s        *Sender
	r        *Receiver
	latency  time.Duration
	drop     func(p *Packet) bool // loss, asked of every packet in flight
	wire     []flight
	got      [][][]byte
	nextS    time.Time
	nextR    time.Time
	packer   *packer
	recvOn   bool // the receiver listens; off, what is multicast misses it
	srcAddr  netip.Addr
	group    netip.Addr
	sentSPMs []time.Time
}

type flight struct {
	at       time.Time
	b        []byte
	toSender bool
}

func newSim(t *testing.T, rate int, ivl time.Duration, seed uint64) *sim {
	x := &sim{t: t, now: time.Unix(1000, 0), latency: time.Millisecond, recvOn: true,
		srcAddr: netip.MustParseAddr("10.77.0.1"), group: netip.MustParseAddr("239.192.1.1")}
	cfg := SenderConfig{TSI: TSI{GSI: GSI{1, 2, 3, 4, 5, 6}, Sport: 4242}, Dport: 5555, NLA: x.srcAddr,
		Group: x.group, MaxTPDU: 1500, IPHeader: 28, Rate: rate, RecoveryIvl: ivl}
	x.s = NewSender(cfg, x.now)
	x.packer = newPacker(cfg.MaxTSDU(), x.s.Queue)
	x.r = NewReceiver(ReceiverConfig{Dport: 5555, Group: x.group, MaxMsgSize: -1,
		RxwSqns: windowSqns(rate, ivl, 1500), Rand: rand.New(rand.NewPCG(seed, 7))},
		func(m [][]byte) { x.got = append(x.got, m) })
	x.nextS = x.now
	return x
}

// send queues messages as the engine would: packed into APDUs, then flushed.
func (x *sim) send(msgs ...[][]byte) {
	for _, m := range msgs {
		x.packer.add(m)
	}
	x.packer.flush()
	x.nextS = x.now
}

func (x *sim) fromSender(b []byte) {
	var p Packet
	if err := Parse(b, &p); err != nil {
		x.t.Fatalf("sender sent a bad packet: %v", err)
	}
	if p.Type == TypeSPM {
		x.sentSPMs = append(x.sentSPMs, x.now)
	}
	if x.recvOn && (x.drop == nil || !x.drop(&p)) {
		x.wire = append(x.wire, flight{at: x.now.Add(x.latency), b: append([]byte(nil), b...)})
	}
}

func (x *sim) fromReceiver(o Outbound) {
	var p Packet
	if err := Parse(o.B, &p); err != nil {
		x.t.Fatalf("receiver sent a bad packet: %v", err)
	}
	if o.To == x.group && p.Type != TypeSPMR {
		x.t.Fatalf("%v multicast", p.Type)
	}
	if x.drop == nil || !x.drop(&p) {
		x.wire = append(x.wire, flight{at: x.now.Add(x.latency), b: append([]byte(nil), o.B...), toSender: true})
	}
}

// run advances the clock event by event until d has passed or until stop says so.
func (x *sim) run(d time.Duration, stop func() bool) {
	end := x.now.Add(d)
	for x.now.Before(end) && (stop == nil || !stop()) {
		next := end
		for _, f := range x.wire {
			if f.at.Before(next) {
				next = f.at
			}
		}
		if !x.nextS.IsZero() && x.nextS.Before(next) {
			next = x.nextS
		}
		if !x.nextR.IsZero() && x.nextR.Before(next) {
			next = x.nextR
		}
		if next.After(x.now) {
			x.now = next
		}
		var due []flight
		rest := x.wire[:0]
		for _, f := range x.wire {
			if !f.at.After(x.now) {
				due = append(due, f)
			} else {
				rest = append(rest, f)
			}
		}
		x.wire = rest
		for _, f := range due {
			var p Packet
			if err := Parse(f.b, &p); err != nil {
				x.t.Fatal(err)
			}
			if f.toSender {
				x.s.Handle(&p)
				x.nextS = x.now
			} else {
				x.r.Handle(x.now, &p, x.srcAddr, x.fromReceiver)
				x.nextR = x.now
			}
		}
		if !x.nextS.IsZero() && !x.nextS.After(x.now) {
			x.nextS = x.s.Poll(x.now, x.fromSender)
		}
		if !x.nextR.IsZero() && !x.nextR.After(x.now) {
			x.nextR = x.r.Poll(x.now, x.fromReceiver)
		}
	}
}

func numbered(i, size int) [][]byte {
	head := binary.BigEndian.AppendUint32(nil, uint32(i))
	body := make([]byte, size)
	for k := range body {
		body[k] = byte(i * 7)
	}
	return [][]byte{head, body}
}

// checkMessages: every message delivered is whole and right, in increasing order, with no
// gaps when gapless.
func (x *sim) checkMessages(sizeOf func(int) int, gapless bool) (first, last int) {
	x.t.Helper()
	prev := -1
	for k, m := range x.got {
		if len(m) != 2 || len(m[0]) != 4 {
			x.t.Fatalf("message %d malformed: %d frames", k, len(m))
		}
		i := int(binary.BigEndian.Uint32(m[0]))
		if len(m[1]) != sizeOf(i) {
			x.t.Fatalf("message #%d: body of %d bytes, want %d", i, len(m[1]), sizeOf(i))
		}
		for _, c := range m[1] {
			if c != byte(i*7) {
				x.t.Fatalf("message #%d: body corrupt", i)
			}
		}
		if i <= prev || (gapless && prev >= 0 && i != prev+1) {
			x.t.Fatalf("message #%d after #%d", i, prev)
		}
		if k == 0 {
			first = i
		}
		prev = i
	}
	return first, prev
}

func (x *sim) String() string {
	return fmt.Sprintf("sender %+v receiver %+v", x.s.Stats, x.r.Stats)
}
