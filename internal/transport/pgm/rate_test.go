package pgm

import (
	"fmt"
	"net/netip"
	"testing"
	"time"
)

// TestRateBurst: a source with more queued than RATE lets through sends at once no more than
// its 1 ms burst (OpenPGM's), and over 200 ms, polled often, RATE and that burst,
// IP and UDP headers counted: a short run cannot average above RATE by more than the burst.
func TestRateBurst(t *testing.T) {
	for _, kbit := range []int{100_000, 1_000_000} {
		t.Run(fmt.Sprintf("%d kbit/s", kbit), func(t *testing.T) {
			now := time.Unix(1000, 0)
			s := NewSender(SenderConfig{Dport: 1, NLA: netip.MustParseAddr("10.0.0.1"),
				Group: netip.MustParseAddr("239.192.1.1"), MaxTPDU: 1500, IPHeader: 28, Rate: kbit,
				RecoveryIvl: time.Second}, now)
			bps := kbit * 1000 / 8
			apdu := make([]byte, s.cfg.MaxTSDU()) // the sender never writes to it: shared
			for range bps / 4 / 1500 {            // more than 200 ms' worth
				s.Queue(apdu)
			}
			sent := 0
			out := func(b []byte) {
				if Type(b[4]) == TypeODATA {
					sent += s.cfg.IPHeader + len(b)
				}
			}
			s.Poll(now, out)
			if burst := bps / 1000; sent > burst+1500 {
				t.Fatalf("%d bytes at once, want at most 1 ms of RATE (%d) and a packet", sent, burst)
			}
			end := now.Add(200 * time.Millisecond)
			for now.Before(end) {
				now = now.Add(100 * time.Microsecond)
				s.Poll(now, out)
			}
			if max := bps/5 + bps/1000 + 1500; sent > max || sent < bps/5*95/100 {
				t.Fatalf("%d bytes in 200 ms at %d bytes/s, want at most %d and at least 95 %%", sent, bps, max)
			}
		})
	}
}

// TestRateWakesInBatches: a source held back by RATE asks to be polled again when a batch of
// packets can go, not each one (a wake every 12 µs at 1 Gbit/s), and polled at just the times
// it asks for it still sends at RATE: the batch never waits for more than the bucket holds.
func TestRateWakesInBatches(t *testing.T) {
	for _, kbit := range []int{10_000, 100_000, 1_000_000} {
		t.Run(fmt.Sprintf("%d kbit/s", kbit), func(t *testing.T) {
			now := time.Unix(1000, 0)
			s := NewSender(SenderConfig{Dport: 1, NLA: netip.MustParseAddr("10.0.0.1"),
				Group: netip.MustParseAddr("239.192.1.1"), MaxTPDU: 1500, IPHeader: 28, Rate: kbit,
				RecoveryIvl: time.Second}, now)
			bps := kbit * 1000 / 8
			apdu := make([]byte, s.cfg.MaxTSDU())
			for range bps / 2 / 1500 { // more than 400 ms' worth
				s.Queue(apdu)
			}
			sent, pkts := 0, 0
			out := func(b []byte) {
				if Type(b[4]) == TypeODATA {
					sent += s.cfg.IPHeader + len(b)
					pkts++
				}
			}
			next := s.Poll(now, out)
			start, before := now, sent // the first burst is the bucket's, not RATE's
			polls := 0
			for end := now.Add(400 * time.Millisecond); next.Before(end); polls++ {
				now = next
				next = s.Poll(now, out)
			}
			sent -= before
			if el := now.Sub(start).Seconds(); float64(sent) < 0.95*el*float64(bps) || float64(sent) > el*float64(bps)+1500 {
				t.Fatalf("%d bytes in %.3f s at %d bytes/s: want RATE", sent, el, bps)
			}
			// At most a poll per 8 packets, or per a quarter of the burst when it holds fewer,
			// and one per SPM (a steady stream carries one every heartbeatSPM[0]).
			perPoll := min(8, int(s.rate.burst)/1500/4)
			spms := int(now.Sub(start)/heartbeatSPM[0]) + 1
			if polls > pkts/max(1, perPoll)+spms {
				t.Fatalf("%d polls for %d packets and %d SPMs: want at most one per %d packets and one per SPM", polls, pkts, spms, perPoll)
			}
		})
	}
}

// TestRateCatchesUp: a busy source whose goroutine was held up for 8 ms (a scheduler's slice
// on a busy machine), or whose producer was, sends those 8 ms late instead of losing them, yet
// from an idle start it never runs ahead of RATE by more than its 1 ms burst, and after an
// idle spell it starts with that burst again, not with the credit of the busy spell.
func TestRateCatchesUp(t *testing.T) {
	now := time.Unix(1000, 0)
	const kbit = 1_000_000
	s := NewSender(SenderConfig{Dport: 1, NLA: netip.MustParseAddr("10.0.0.1"),
		Group: netip.MustParseAddr("239.192.1.1"), MaxTPDU: 1500, IPHeader: 28, Rate: kbit,
		RecoveryIvl: time.Second}, now)
	bps := kbit * 1000 / 8
	burst := bps / 1000
	apdu := make([]byte, s.cfg.MaxTSDU())
	queue := func() {
		for range bps / 10 / 1500 { // 100 ms' worth
			s.Queue(apdu)
		}
	}
	sent := 0
	out := func(b []byte) {
		if Type(b[4]) == TypeODATA {
			sent += s.cfg.IPHeader + len(b)
		}
	}
	start := now
	ahead := func(when string) {
		t.Helper()
		if allowed := int(now.Sub(start).Seconds()*float64(bps)) + burst + 1500; sent > allowed {
			t.Fatalf("%s: %d bytes by %v, more than RATE and the burst (%d)", when, sent, now.Sub(start), allowed)
		}
	}
	drain := func() {
		t.Helper()
		for s.Backlog() > 0 {
			next := s.Poll(now, out)
			ahead("draining")
			if s.Backlog() > 0 {
				now = next
			}
		}
	}
	queue()
	next := s.Poll(now, out)
	for range 10 {
		now = next
		next = s.Poll(now, out)
		ahead("polled on time")
	}
	stall := func(what string) {
		t.Helper()
		before := sent
		now = now.Add(8 * time.Millisecond)
		if what == "producer" { // the queue ran empty and refills only now
			queue()
		}
		s.Poll(now, out)
		ahead("after the stall")
		if got, want := sent-before, bps*8/1000; got < want*9/10 {
			t.Fatalf("%d bytes after an 8 ms stall of the %s, want the %d it missed", got, what, want)
		}
	}
	stall("sender")
	drain()
	stall("producer")
	drain()
	now = now.Add(50 * time.Millisecond) // idle: the queue ran empty
	s.Poll(now, out)
	queue()
	before := sent
	s.Poll(now, out)
	if got := sent - before; got > burst+1500 {
		t.Fatalf("%d bytes at once after an idle spell, want at most the %d-byte burst and a packet", got, burst)
	}
}
