package pgm

import (
	"math"
	"time"
)

// bucket is a token bucket over bytes on the wire (IP and UDP headers included, as OpenPGM
// counts them): RATE is a promise about the link, not about the payload.
//
// It holds two sizes of burst. After an idle spell (nothing waiting for idleSpell or longer)
// it holds burst, so a sender that starts sends no more than that above RATE. Otherwise it
// holds up to catchUp: time lost to the scheduler (a few ms at a stretch on a busy machine),
// by the sender's goroutine or by its producer's, is then sent late instead of never, and RATE
// is still what it averages from the end of the last idle spell.
type bucket struct {
	perSec  float64 // bytes a second; 0 means no limit
	burst   float64 // what it holds after an idle spell
	catchUp float64 // what it holds otherwise
	busy    bool    // data waited at the last refill
	tokens  float64
	last    time.Time
}

// idleSpell is how long a sender with nothing to send is idle, not merely waiting for its
// producer.
const idleSpell = 10 * time.Millisecond

func newBucket(bytesPerSec, burst, catchUp int) bucket {
	return bucket{perSec: float64(bytesPerSec), burst: float64(burst), catchUp: float64(max(burst, catchUp)),
		tokens: float64(burst)}
}

// max is what the bucket holds now, d after the last refill.
func (b *bucket) max(d time.Duration) float64 {
	if !b.busy && d >= idleSpell {
		return b.burst
	}
	return b.catchUp
}

func (b *bucket) refill(now time.Time) {
	if b.last.IsZero() {
		b.last = now
		return
	}
	if d := now.Sub(b.last); d > 0 {
		// An idle spell also trims what a busy one left: a restart gets burst at most.
		b.tokens = min(b.max(d), b.tokens+d.Seconds()*b.perSec)
		b.last = now
	}
}

// take spends n bytes if the bucket holds them.
func (b *bucket) take(now time.Time, n int) bool {
	if b.perSec == 0 {
		return true
	}
	b.refill(now)
	if b.tokens < float64(n) && b.tokens < b.max(0) {
		return false
	}
	// A packet bigger than the whole burst may go when the bucket is full: it then owes.
	b.tokens -= float64(n)
	return true
}

// when is the time at which n bytes will be there.
func (b *bucket) when(now time.Time, n int) time.Time {
	b.refill(now)
	need := min(float64(n), b.max(0)) - b.tokens
	if need <= 0 || b.perSec == 0 {
		return now
	}
	// Rounded up: a time the bucket is still a fraction short would come round again.
	return now.Add(time.Duration(math.Ceil(need/b.perSec*float64(time.Second))) + 1)
}
