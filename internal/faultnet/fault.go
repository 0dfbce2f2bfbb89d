package faultnet

import (
	"sync/atomic"
	"time"
)

// fault is what the relay does to one direction. A cut and a corruption are taken up by each
// connection once, counting its bytes from then on; they are pointers so that a connection can
// tell a new command from the one it has already taken up.
type fault struct {
	delay   time.Duration
	rate    int64 // bytes per second, 0 for no limit
	hole    bool
	cut     *cut
	corrupt *corruption
}

type cut struct {
	after int64
	reset bool
}

// Corruption says which forwarded bytes Corrupt alters. Offsets count the bytes a connection
// forwards in the direction from when it takes the command up: at once for a connection that
// is open and idle, at its first byte for a new one.
type Corruption struct {
	Offset int64 // the first byte that may be altered
	Length int64 // how many bytes from Offset may be; 0 or less: every byte from Offset on
	// Prob, when strictly between 0 and 1, is the chance that each byte in the range is altered;
	// any other value alters every byte of it.
	Prob float64
	// Mask is XORed into each altered byte; 0 flips one bit chosen at random.
	Mask byte
	// Seed makes the choices repeatable: a connection draws from a generator seeded with Seed
	// and its own number (1 for the relay's first connection, and so on).
	Seed uint64
	// Limit, when above 0, is the most bytes this command alters over all connections; then it
	// is spent. A test that corrupts one byte of one message sets 1, so the connection the
	// peer makes after the damage is not damaged in turn.
	Limit int64
}

// corruption is a Corrupt command with the count of what it has altered.
type corruption struct {
	Corruption
	altered atomic.Int64
}

// take reports whether one more byte may be altered.
func (c *corruption) take() bool {
	return c.Limit <= 0 || c.altered.Add(1) <= c.Limit
}

// Delay holds every byte read in dir for d before it is forwarded: latency, not a rate
// limit, as what arrives meanwhile queues behind it. 0 lifts it.
func (r *Relay) Delay(dir Direction, d time.Duration) {
	r.set(dir, func(f *fault) { f.delay = d })
}

// Throttle limits each connection to bytesPerSec in dir; 0 lifts it. Bytes go out in slices
// of about a hundredth of a second's worth.
func (r *Relay) Throttle(dir Direction, bytesPerSec int64) {
	r.set(dir, func(f *fault) { f.rate = max(bytesPerSec, 0) })
}

// Cut makes each connection, open or new, forward exactly n more bytes in dir and then close
// both of its sockets, each with a FIN after what was written: a peer sees the stream end
// wherever n falls, inside a frame if need be. It stays armed until Normal, so connections
// made meanwhile are cut too.
func (r *Relay) Cut(dir Direction, n int64) {
	c := &cut{after: max(n, 0)}
	r.set(dir, func(f *fault) { f.cut = c })
}

// Reset is Cut ending in a reset: both sockets are closed with SO_LINGER 0, so each peer gets
// an RST, and bytes the kernel had not yet sent are lost as in a real reset. Reset(Both, 0)
// resets every connection at once and every new one as it arrives.
func (r *Relay) Reset(dir Direction, n int64) {
	c := &cut{after: max(n, 0), reset: true}
	r.set(dir, func(f *fault) { f.cut = c })
}

// Blackhole stops forwarding in dir and keeps the connections open, as a network partition
// does. The relay stops reading (beyond a few chunks it has in hand), so the sender's kernel
// buffers fill and its writes stall, and nothing is thrown away: when the blackhole lifts the
// held bytes flow on unaltered, as TCP would deliver them after a partition heals. Dropping
// bytes instead would desynchronise the framing of any connection that survived the
// partition, which no real network does to a TCP stream.
func (r *Relay) Blackhole(dir Direction) {
	r.set(dir, func(f *fault) { f.hole = true })
}

// Corrupt alters bytes forwarded in dir as c says, on each connection, open or new; with
// Both, the directions share c's Limit.
func (r *Relay) Corrupt(dir Direction, c Corruption) {
	cc := &corruption{Corruption: c}
	r.set(dir, func(f *fault) { f.corrupt = cc })
}

// Normal lifts every fault in dir.
func (r *Relay) Normal(dir Direction) {
	r.set(dir, func(f *fault) { *f = fault{} })
}

// set changes the faults of dir and wakes every connection to take the change up.
func (r *Relay) set(dir Direction, change func(*fault)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.dirs {
		if dir&(1<<i) != 0 {
			change(&r.dirs[i])
		}
	}
	close(r.changed)
	r.changed = make(chan struct{})
}

// faults returns the faults of direction i and a channel closed at the next change.
func (r *Relay) faults(i int) (fault, <-chan struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dirs[i], r.changed
}
