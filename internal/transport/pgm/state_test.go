package pgm

import (
	"math/rand/v2"
	"testing"
	"time"
)

func sizeOf(i int) int { return []int{10, 300, 2000, 0, 5000}[i%5] }

func TestDeliveryInOrder(t *testing.T) {
	x := newSim(t, 10000, 10*time.Second, 1)
	const n = 500
	for i := range n {
		x.send(numbered(i, sizeOf(i)))
	}
	x.run(time.Minute, func() bool { return len(x.got) == n })
	if len(x.got) != n {
		t.Fatalf("%d of %d messages; %v", len(x.got), n, x)
	}
	x.checkMessages(sizeOf, true)
	if x.s.Stats.RDATA != 0 || x.r.Stats.NAKs != 0 {
		t.Fatalf("repairs without loss: %v", x)
	}
}

// 5% loss each way, data and repairs, NAKs and NCFs alike: every message arrives, in order.
func TestRepairUnderLoss(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		x := newSim(t, 10000, 10*time.Second, seed)
		r := rand.New(rand.NewPCG(seed, 99))
		x.drop = func(*Packet) bool { return r.IntN(100) < 5 }
		const n = 2000
		for i := range n {
			x.send(numbered(i, sizeOf(i)))
		}
		x.run(10*time.Minute, func() bool { return len(x.got) == n })
		if len(x.got) != n {
			t.Fatalf("seed %d: %d of %d messages; %v", seed, len(x.got), n, x)
		}
		x.checkMessages(sizeOf, true)
		if x.s.Stats.RDATA == 0 || x.r.Stats.Lost != 0 || x.r.Stats.Resets != 0 {
			t.Fatalf("seed %d: %v", seed, x)
		}
		t.Logf("seed %d: %v", seed, x)
	}
}

// The loss of the last packets is found from the heartbeat SPMs' lead and repaired.
func TestTailLossRepairedAfterHeartbeat(t *testing.T) {
	x := newSim(t, 10000, 10*time.Second, 1)
	x.send(numbered(0, 10))
	x.run(time.Second, nil)
	x.drop = func(p *Packet) bool { return p.Type == TypeODATA }
	x.send(numbered(1, 10))
	x.run(10*time.Millisecond, nil)
	x.drop = nil
	x.run(5*time.Second, func() bool { return len(x.got) == 2 })
	if len(x.got) != 2 {
		t.Fatalf("tail not repaired: %v", x)
	}
	x.checkMessages(sizeOf0, true)
}

func sizeOf0(int) int { return 10 }

// A receiver that joins late starts at a message start: whole messages only, a suffix.
func TestLateJoiner(t *testing.T) {
	x := newSim(t, 10000, 10*time.Second, 1)
	x.recvOn = false
	for i := range 50 {
		x.send(numbered(i, sizeOf(i)))
	}
	x.run(time.Second, nil)
	x.recvOn = true
	for i := 50; i < 100; i++ {
		x.send(numbered(i, sizeOf(i)))
	}
	x.run(10*time.Second, func() bool { return len(x.got) > 0 && binaryIndex(x.got[len(x.got)-1]) == 99 })
	first, last := x.checkMessages(sizeOf, true)
	if len(x.got) == 0 || first < 50 || last != 99 {
		t.Fatalf("late joiner got #%d..#%d (%d); %v", first, last, len(x.got), x)
	}
	if x.r.Stats.Resets != 0 || x.r.Stats.Lost != 0 {
		t.Fatalf("late join counted as loss: %v", x)
	}
}

// A receiver cut off for longer than the sender's window cannot be repaired: it resets
// cleanly (drops the partial message, counts the loss, resynchronises) and never delivers
// garbage. The cut starts and ends inside messages: without the reset, the head of one
// message would be completed with the tail of another.
func TestBeyondWindowReset(t *testing.T) {
	x := newSim(t, 1000, 200*time.Millisecond, 1) // a 16-packet window
	size := func(int) int { return 2000 }         // two packets each, flushed per message
	x.drop = func(p *Packet) bool {
		return (p.Type == TypeODATA || p.Type == TypeRDATA) && p.Sqn >= 41 && p.Sqn < 141
	}
	const n = 100
	for i := range n {
		x.send(numbered(i, size(i)))
	}
	x.run(time.Minute, func() bool { return len(x.got) > 0 && binaryIndex(x.got[len(x.got)-1]) == n-1 })
	first, last := x.checkMessages(size, false)
	if first != 0 || last != n-1 {
		t.Fatalf("got #%d..#%d; %v", first, last, x)
	}
	if x.r.Stats.Resets != 1 || x.r.Stats.Lost != 100 {
		t.Fatalf("want one data-loss reset of 100 packets: %v", x)
	}
	for k, m := range x.got {
		if i := binaryIndex(m); i >= 20 && i <= 70 {
			t.Fatalf("message #%d (delivered %d-th) was cut by the loss", i, k)
		}
	}
	t.Logf("%d of %d delivered; %v", len(x.got), n, x)
}

func binaryIndex(m [][]byte) int {
	return int(m[0][0])<<24 | int(m[0][1])<<16 | int(m[0][2])<<8 | int(m[0][3])
}

// Close with data still in the rate limiter: it all goes, at the rate, then OPT_FIN, and
// the receiver lets the source go.
func TestCloseDrainsRateLimiterThenFIN(t *testing.T) {
	x := newSim(t, 100, 10*time.Second, 1) // 12.5 kB/s: 40 × 1 kB takes seconds
	const n = 40
	for i := range n {
		x.send(numbered(i, 1000))
	}
	x.run(100*time.Millisecond, nil)
	if x.s.Backlog() == 0 {
		t.Fatal("nothing left in the rate limiter: the test does not test closing with a backlog")
	}
	x.s.Close()
	x.nextS = x.now
	start := x.now
	x.run(time.Minute, func() bool { return x.s.Done() && x.r.Peers() == 0 })
	if !x.s.Done() || len(x.got) != n {
		t.Fatalf("done %v, %d of %d; %v", x.s.Done(), len(x.got), n, x)
	}
	if x.r.Peers() != 0 {
		t.Fatal("receiver kept the source after OPT_FIN")
	}
	if el := x.now.Sub(start); el < 2*time.Second {
		t.Fatalf("backlog went in %v: faster than RATE", el)
	}
	x.checkMessages(func(int) int { return 1000 }, true)
}

// The rate limiter holds the bytes on the wire to RATE, with a small burst.
func TestRateLimit(t *testing.T) {
	x := newSim(t, 800, 10*time.Second, 1) // 100 kB/s
	var bytes int
	x.r = NewReceiver(ReceiverConfig{Dport: 1}, func([][]byte) {}) // ignores everything
	for i := range 300 {
		x.send(numbered(i, 1400))
	}
	start := x.now
	x.run(time.Second, nil)
	_ = bytes
	sent := int(x.s.Stats.ODATA) * (28 + 24 + 1448)
	limit := 100_000 + x.s.cfg.MaxTPDU*2 + int(x.s.rate.burst)
	if sent > limit || sent < 80_000 {
		t.Fatalf("%d bytes in %v at 100 kB/s", sent, x.now.Sub(start))
	}
}

// SPMs: three at the start, a heartbeat backing off after data (100 ms ×4, then 1.3 s, ...).
func TestSPMSchedule(t *testing.T) {
	x := newSim(t, 10000, 10*time.Second, 1)
	x.run(time.Millisecond, nil)
	if len(x.sentSPMs) != 3 {
		t.Fatalf("%d SPMs at the start", len(x.sentSPMs))
	}
	x.send(numbered(0, 10))
	sent := x.now
	x.run(3*time.Second, nil)
	var gaps []time.Duration
	for _, at := range x.sentSPMs[3:] {
		gaps = append(gaps, at.Sub(sent).Round(time.Millisecond))
		sent = at
	}
	want := []time.Duration{100, 100, 100, 100, 1300}
	if len(gaps) != len(want) {
		t.Fatalf("heartbeat gaps %v", gaps)
	}
	for i := range want {
		if gaps[i] != want[i]*time.Millisecond {
			t.Fatalf("heartbeat gaps %v", gaps)
		}
	}
}

// An SPMR is answered with an SPM; a receiver that has data but no SPM asks for one.
func TestSPMRAnswered(t *testing.T) {
	x := newSim(t, 10000, 10*time.Second, 1)
	x.drop = func(p *Packet) bool { return p.Type == TypeSPM }
	x.run(10*time.Millisecond, nil)
	x.send(numbered(0, 10))
	x.run(50*time.Millisecond, nil)
	if x.r.Stats.SPMRs == 0 {
		t.Fatalf("receiver with no SPM sent no SPMR: %v", x)
	}
	before := len(x.sentSPMs)
	x.drop = nil
	x.r.peers[x.s.cfg.TSI].nextSPMR = x.now
	x.nextR = x.now
	x.run(10*time.Millisecond, nil)
	if len(x.sentSPMs) == before {
		t.Fatal("SPMR not answered")
	}
	if !x.r.peers[x.s.cfg.TSI].nla.IsValid() {
		t.Fatal("receiver did not learn the source's address")
	}
}

// Two sources on one group: the receiver keeps a peer for each and delivers both streams
// whole, each in order, messages interleaved only at message boundaries.
func TestTwoSources(t *testing.T) {
	now := time.Unix(1000, 0)
	x := newSim(t, 10000, 10*time.Second, 1)
	var senders []*Sender
	var packers []*packer
	for k := range 2 {
		cfg := x.s.cfg
		cfg.TSI.Sport = uint16(1000 + k)
		s := NewSender(cfg, now)
		senders = append(senders, s)
		packers = append(packers, newPacker(cfg.MaxTSDU(), s.Queue))
	}
	got := map[uint16][]int{}
	r := NewReceiver(ReceiverConfig{Dport: 5555, Group: x.group, MaxMsgSize: -1}, func(m [][]byte) {
		got[uint16(m[0][0])<<8|uint16(m[0][1])] = append(got[uint16(m[0][0])<<8|uint16(m[0][1])], binaryIndex(m[1:]))
	})
	const n = 200
	for i := range n {
		for k, pk := range packers {
			pk.add([][]byte{{byte((1000 + k) >> 8), byte(1000 + k)}, numbered(i, sizeOf(i))[0], make([]byte, sizeOf(i))})
		}
	}
	for _, pk := range packers {
		pk.flush()
	}
	for step := 0; step < 2000 && (len(got[1000]) < n || len(got[1001]) < n); step++ {
		now = now.Add(time.Millisecond)
		for _, s := range senders {
			s.Poll(now, func(b []byte) {
				var p Packet
				if err := Parse(b, &p); err != nil {
					t.Fatal(err)
				}
				r.Handle(now, &p, x.srcAddr, func(Outbound) {})
			})
		}
		r.Poll(now, func(Outbound) {})
	}
	for _, sport := range []uint16{1000, 1001} {
		if len(got[sport]) != n {
			t.Fatalf("source %d: %d of %d messages", sport, len(got[sport]), n)
		}
		for i, idx := range got[sport] {
			if idx != i {
				t.Fatalf("source %d: message #%d at %d", sport, idx, i)
			}
		}
	}
	if r.Peers() != 2 {
		t.Fatalf("%d peers", r.Peers())
	}
}
