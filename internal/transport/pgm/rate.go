package pgm

import (
	"math"
	"time"
)

// bucket is a token bucket over bytes on the wire (IP and UDP headers included, as OpenPGM
// counts them): RATE is a promise about the link, not about the payload.
type bucket struct {
	perSec float64 // bytes a second; 0 means no limit
	max    float64 // the burst the bucket can hold
	tokens float64
	last   time.Time
}

func newBucket(bytesPerSec, burst int) bucket {
	return bucket{perSec: float64(bytesPerSec), max: float64(burst), tokens: float64(burst)}
}

func (b *bucket) refill(now time.Time) {
	if b.last.IsZero() {
		b.last = now
		return
	}
	if d := now.Sub(b.last); d > 0 {
		b.tokens = min(b.max, b.tokens+d.Seconds()*b.perSec)
		b.last = now
	}
}

// take spends n bytes if the bucket holds them.
func (b *bucket) take(now time.Time, n int) bool {
	if b.perSec == 0 {
		return true
	}
	b.refill(now)
	if b.tokens < float64(n) && b.tokens < b.max {
		return false
	}
	// A packet bigger than the whole burst may go when the bucket is full: it then owes.
	b.tokens -= float64(n)
	return true
}

// when is the time at which n bytes will be there.
func (b *bucket) when(now time.Time, n int) time.Time {
	b.refill(now)
	need := min(float64(n), b.max) - b.tokens
	if need <= 0 || b.perSec == 0 {
		return now
	}
	// Rounded up: a time the bucket is still a fraction short would come round again.
	return now.Add(time.Duration(math.Ceil(need/b.perSec*float64(time.Second))) + 1)
}
