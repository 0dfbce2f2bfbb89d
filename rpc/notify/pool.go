package notify

import (
	"strings"
	"time"
)

// delivery is one notification queued for, or in flight to, one pool.
type delivery struct {
	tag      uint64 // unique per dispatcher, per attempt
	topic    string
	body     []byte
	attempts int
	last     *member // the member that requeued it, avoided next time when another can take it
}

// member is one pool member's connection to the dispatcher.
type member struct {
	id       string // ROUTER routing id
	pool     *pool
	topics   []string
	credit   int
	gone     bool // unreachable: nothing more is sent to it; it expires
	seen     time.Time
	inflight map[uint64]*delivery
}

func (m *member) takes(topic string) bool {
	for _, t := range m.topics {
		if strings.HasPrefix(topic, t) {
			return true
		}
	}
	return false
}

func (m *member) free() bool { return !m.gone && len(m.inflight) < m.credit }

// pool is one pool's queue and members. The queue is a ring bounded by the dispatcher's
// poolQueue: a full one drops its oldest.
type pool struct {
	name    string
	members []*member
	next    int       // round robin over members
	topics  []string  // union of what its members took, kept while it has none
	empty   time.Time // when its last member left
	queue   []*delivery
	head    int
	n       int
	bytes   int // of the bodies queued
}

func (p *pool) takes(topic string) bool {
	for _, t := range p.topics {
		if strings.HasPrefix(topic, t) {
			return true
		}
	}
	return false
}

func (p *pool) addTopics(ts []string) {
	for _, t := range ts {
		found := false
		for _, u := range p.topics {
			if u == t {
				found = true
				break
			}
		}
		if !found && len(p.topics) < maxTopics {
			p.topics = append(p.topics, t)
		}
	}
}

// push queues d at the back, or the front (a requeue goes first); it returns the delivery
// dropped to make room, if any.
func (p *pool) push(d *delivery, front bool, limit int) (dropped *delivery) {
	if p.n == len(p.queue) && len(p.queue) < limit {
		grown := make([]*delivery, min(max(2*len(p.queue), 16), limit))
		for i := range p.n {
			grown[i] = p.queue[(p.head+i)%len(p.queue)]
		}
		p.queue, p.head = grown, 0
	}
	if p.n == len(p.queue) { // full: drop the oldest
		dropped = p.dropOldest()
	}
	p.bytes += len(d.body)
	if front {
		p.head = (p.head - 1 + len(p.queue)) % len(p.queue)
		p.queue[p.head] = d
	} else {
		p.queue[(p.head+p.n)%len(p.queue)] = d
	}
	p.n++
	return dropped
}

// take removes the first queued delivery some free member takes, with that member.
func (p *pool) take() (*delivery, *member) {
	if !p.anyFree() {
		return nil, nil
	}
	for i := range p.n {
		idx := (p.head + i) % len(p.queue)
		d := p.queue[idx]
		m := p.pick(d)
		if m == nil {
			continue
		}
		// Close the gap: shift the ones before it one place on.
		for j := i; j > 0; j-- {
			p.queue[(p.head+j)%len(p.queue)] = p.queue[(p.head+j-1)%len(p.queue)]
		}
		p.queue[p.head] = nil
		p.head = (p.head + 1) % len(p.queue)
		p.n--
		p.bytes -= len(d.body)
		return d, m
	}
	return nil, nil
}

// dropOldest removes the delivery queued longest.
func (p *pool) dropOldest() *delivery {
	d := p.queue[p.head]
	p.queue[p.head] = nil
	p.head = (p.head + 1) % len(p.queue)
	p.n--
	p.bytes -= len(d.body)
	return d
}

// pick is the next free member, round robin, that takes d, preferring one that did not
// requeue it.
func (p *pool) pick(d *delivery) *member {
	var fallback *member
	for i := range len(p.members) {
		m := p.members[(p.next+i)%len(p.members)]
		if !m.free() || !m.takes(d.topic) {
			continue
		}
		if m == d.last && len(p.members) > 1 {
			if fallback == nil {
				fallback = m
			}
			continue
		}
		p.next = (p.next + i + 1) % len(p.members)
		return m
	}
	// Only the member that requeued it can take it: it waits while another, busy now, may
	// take it later; unless the requeuer is the only one taking the topic.
	if fallback != nil && !p.othersTake(d) {
		return fallback
	}
	return nil
}

func (p *pool) othersTake(d *delivery) bool {
	for _, m := range p.members {
		if m != d.last && !m.gone && m.takes(d.topic) {
			return true
		}
	}
	return false
}

func (p *pool) remove(m *member) {
	for i, x := range p.members {
		if x == m {
			p.members = append(p.members[:i], p.members[i+1:]...)
			break
		}
	}
	if p.next >= len(p.members) {
		p.next = 0
	}
}

func (p *pool) anyFree() bool {
	for _, m := range p.members {
		if m.free() {
			return true
		}
	}
	return false
}
