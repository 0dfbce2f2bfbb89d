package bridge

import (
	"testing"
	"time"
)

// TestBackoff: each wait is in the upper half of the route's Backoff doubled per failure,
// capped at maxBackoff; reset starts again.
func TestBackoff(t *testing.T) {
	for _, first := range []time.Duration{0, time.Millisecond, 7 * time.Second} {
		b := newBackoff(first)
		want := b.first
		for i := range 20 {
			d := b.next()
			if d < want/2 || d > want {
				t.Fatalf("first %v, wait %d: %v, want within [%v, %v]", first, i, d, want/2, want)
			}
			want = min(2*want, maxBackoff)
		}
		b.reset()
		if d := b.next(); d > b.first {
			t.Errorf("after reset: %v, want at most %v", d, b.first)
		}
	}
}
