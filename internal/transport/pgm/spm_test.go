package pgm

import (
	"net/netip"
	"testing"
	"time"
)

// TestSPMWhileSending: a source sending steadily sends an SPM every 100 ms (the heartbeat's
// first interval, which data does not put off once due), and every ambient interval whatever
// it does: a receiver that lost the SPMs of its join (libzmq's asks once, with an SPMR) cannot
// ask for repairs until an SPM names the source's address, and every loss until then is beyond
// repair. With the one SPM timer reset by every ODATA, a source sending more often than every
// 100 ms sent no SPM at all (as OpenPGM's heartbeat, whose ambient SPM comes every 30 s).
func TestSPMWhileSending(t *testing.T) {
	now := time.Unix(1000, 0)
	s := NewSender(SenderConfig{Dport: 1, NLA: netip.MustParseAddr("10.0.0.1"),
		Group: netip.MustParseAddr("239.192.1.1"), MaxTPDU: 1500, IPHeader: 28, Rate: 10_000,
		RecoveryIvl: time.Second}, now)
	var spms []time.Time
	out := func(b []byte) {
		if Type(b[4]) == TypeSPM {
			spms = append(spms, now)
		}
	}
	s.Poll(now, out) // the opening SPMs
	opening := len(spms)
	end := now.Add(65 * time.Second)
	for now.Before(end) {
		now = now.Add(20 * time.Millisecond)
		s.Queue([]byte{0, 0, 2, 0, 'x'}) // a message, every 20 ms
		s.Poll(now, out)
	}
	got := spms[opening:]
	if len(got) < 2 {
		t.Fatalf("%d SPMs in 65 s of data every 20 ms, want one every %v", len(got), heartbeatSPM[0])
	}
	last := spms[opening-1]
	for _, at := range got {
		if gap := at.Sub(last); gap > heartbeatSPM[0]+20*time.Millisecond {
			t.Fatalf("%v without an SPM while sending, want at most %v", gap, heartbeatSPM[0])
		}
		last = at
	}
	// Idle, the heartbeat backs off to the ambient interval: no SPM storm.
	idleFrom, before := now, len(spms)
	for now.Before(idleFrom.Add(2 * time.Minute)) {
		now = now.Add(100 * time.Millisecond)
		s.Poll(now, out)
	}
	if n := len(spms) - before; n > len(heartbeatSPM)+2*int(2*time.Minute/ambientSPM) {
		t.Errorf("%d SPMs in two idle minutes", n)
	}
}
