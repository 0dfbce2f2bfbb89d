package norm

import (
	"testing"
	"time"
)

// The receive rate reported in CC feedback: a sender that pauses is not reported slower (NORM-CC
// would cut its rate, and NRL's GRTT with it), one that sends slower is.
func TestReceivedRate(t *testing.T) {
	const pkt = 100 // bytes a datagram, as received() counts them
	tests := []struct {
		name     string
		pause    time.Duration // silence after the first second
		every2   time.Duration // the interval between datagrams after it
		n2       int           // datagrams after it
		min, max float64       // the rate then, bytes/s
	}{
		{"steady", 0, time.Millisecond / 3, 2, 250e3, 350e3},
		{"pause 200ms", 200 * time.Millisecond, time.Millisecond / 3, 2, 250e3, 350e3},
		{"pause 1s", time.Second, time.Millisecond / 3, 2, 250e3, 350e3},
		{"pause 200ms, then on", 200 * time.Millisecond, time.Millisecond / 3, 300, 250e3, 350e3},
		{"slower", 0, time.Millisecond, 100, 80e3, 120e3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sn := &rxSender{grtt: 3 * time.Millisecond}
			now := time.Unix(1000, 0)
			for end := now.Add(time.Second); now.Before(end); now = now.Add(time.Millisecond / 3) {
				sn.received(pkt, now)
			}
			now = now.Add(tt.pause)
			for range tt.n2 {
				sn.received(pkt, now)
				now = now.Add(tt.every2)
			}
			if sn.recvRate < tt.min || sn.recvRate > tt.max {
				t.Fatalf("rate %.0f B/s, want %.0f to %.0f", sn.recvRate, tt.min, tt.max)
			}
		})
	}
}
