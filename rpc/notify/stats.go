package notify

import (
	"slices"
	"strings"
)

// Stats counts what a Notifier (direct) or a Hub did.
type Stats struct {
	Received  uint64 // hub: notifications received from notifiers
	Published uint64 // notifications published to listeners outside pools
	Welcomes  uint64 // listeners' handshakes answered
	Garbage   uint64 // malformed messages dropped (from notifiers, listeners or pool members)

	// Pools.
	Queued      uint64      // copies queued for pools (one per pool taking the topic)
	Delivered   uint64      // deliveries to members, redeliveries included
	Handled     uint64      // acknowledged Handled
	Requeued    uint64      // acknowledged Requeue
	Redelivered uint64      // unacknowledged when their member left or went silent: queued again
	Overflow    uint64      // dropped from a full pool queue (the oldest), or with a pool that stayed empty
	Exhausted   uint64      // requeued once too often: dropped
	LateAcks    uint64      // acknowledgements of deliveries no longer awaited
	Pools       []PoolStats // each pool now, by name
}

// PoolStats is one pool now.
type PoolStats struct {
	Name     string // the pool's name, as members give it
	Members  int    // joined and not expired
	Queued   int    // waiting for a member
	InFlight int    // delivered, not yet acknowledged
}

func statsOf(p *publisher, d *dispatcher, h *Hub) Stats {
	var s Stats
	if p != nil {
		s.Published, s.Welcomes, s.Garbage = p.sent.Load(), p.welcomes.Load(), p.garbage.Load()
	}
	if h != nil {
		s.Received = h.received.Load()
		s.Garbage += h.garbage.Load()
	}
	if d == nil {
		return s
	}
	c := &d.stats
	s.Queued, s.Delivered, s.Handled, s.Requeued = c.queued.Load(), c.delivered.Load(), c.handled.Load(), c.requeued.Load()
	s.Redelivered, s.Overflow, s.Exhausted, s.LateAcks = c.redelivered.Load(), c.overflow.Load(), c.exhausted.Load(), c.lateAcks.Load()
	s.Garbage += c.garbage.Load()
	d.mu.Lock()
	for _, pl := range d.pools {
		ps := PoolStats{Name: pl.name, Members: len(pl.members), Queued: pl.n}
		for _, m := range pl.members {
			ps.InFlight += len(m.inflight)
		}
		s.Pools = append(s.Pools, ps)
	}
	d.mu.Unlock()
	slices.SortFunc(s.Pools, func(a, b PoolStats) int { return strings.Compare(a.Name, b.Name) })
	return s
}
