package pgm

import (
	"fmt"
	"net/netip"
	"testing"
	"time"
)

// TestRateBurst: a source with more queued than RATE lets through sends at once no more than
// its 2 ms burst (OpenPGM's is 1 ms), and over 200 ms, polled often, RATE and that burst,
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
			if burst := bps / 500; sent > burst+1500 {
				t.Fatalf("%d bytes at once, want at most 2 ms of RATE (%d) and a packet", sent, burst)
			}
			end := now.Add(200 * time.Millisecond)
			for now.Before(end) {
				now = now.Add(100 * time.Microsecond)
				s.Poll(now, out)
			}
			if max := bps/5 + bps/500 + 1500; sent > max || sent < bps/5*95/100 {
				t.Fatalf("%d bytes in 200 ms at %d bytes/s, want at most %d and at least 95 %%", sent, bps, max)
			}
		})
	}
}
