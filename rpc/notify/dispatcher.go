package notify

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	zmq "github.com/purezmq/zmq"
)

// Bounds of a dispatcher's state, which peers create.
const (
	maxMembers = 1 << 12
	maxPools   = 1 << 12
)

// dispatcher hands each notification to one member of each pool that takes its topic, over a
// ROUTER: members announce themselves and their credit (READY), get at most that many
// notifications unacknowledged (NOTIFY), and acknowledge each (ACK: handled or requeue). A
// member that leaves or stays silent for misses heartbeats has its unacknowledged
// notifications handed to others.
type dispatcher struct {
	sock *zmq.Socket
	cfg  *config
	done chan struct{} // closed when both goroutines have ended
	stop chan struct{}

	mu      sync.Mutex
	pools   map[string]*pool
	members map[string]*member
	tag     uint64

	stats dispatchCounters

	// changed is closed at the next change of the counters, for tests waiting for one.
	chMu    sync.Mutex
	changed chan struct{}
}

// changes returns a channel closed at the next change of the counters.
func (d *dispatcher) changes() <-chan struct{} {
	d.chMu.Lock()
	defer d.chMu.Unlock()
	if d.changed == nil {
		d.changed = make(chan struct{})
	}
	return d.changed
}

func (d *dispatcher) signal() {
	d.chMu.Lock()
	if d.changed != nil {
		close(d.changed)
		d.changed = nil
	}
	d.chMu.Unlock()
}

type dispatchCounters struct {
	queued, delivered, handled, requeued, redelivered, overflow, exhausted, garbage, lateAcks atomic.Uint64
}

// outMsg is a message to send once the lock is released; member names who it is for, tag
// the delivery it carries (0: none).
type outMsg struct {
	member string
	tag    uint64
	frames [][]byte
}

func newDispatcher(zc *zmq.Context, bind string, cfg *config) (*dispatcher, error) {
	s, err := zc.NewSocket(zmq.ROUTER, zmq.WithRouterMandatory(true), zmq.WithLinger(0),
		zmq.WithSendHWM(maxCredit+16), zmq.WithMaxMsgSize(int64(64<<10)))
	if err != nil {
		return nil, err
	}
	if err := s.Bind(bind); err != nil {
		_ = s.Close()
		return nil, err
	}
	d := &dispatcher{sock: s, cfg: cfg, done: make(chan struct{}), stop: make(chan struct{}),
		pools: map[string]*pool{}, members: map[string]*member{}}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); d.recvLoop() }()
	go func() { defer wg.Done(); d.tickLoop() }()
	go func() { wg.Wait(); close(d.done) }()
	return d, nil
}

func (d *dispatcher) endpoint() string { return d.sock.LastEndpoint() }

func (d *dispatcher) close() {
	close(d.stop)
	_ = d.sock.Close()
	<-d.done
}

func (d *dispatcher) recvLoop() {
	for {
		m, err := d.sock.Recv(context.Background())
		if err != nil {
			if errors.Is(err, zmq.ErrClosed) {
				return
			}
			continue
		}
		d.send(d.handle(m.Frames, time.Now()))
		d.signal()
	}
}

func (d *dispatcher) tickLoop() {
	t := time.NewTicker(d.cfg.heartbeat)
	defer t.Stop()
	for {
		select {
		case <-d.stop:
			return
		case now := <-t.C:
			d.send(d.expire(now))
			d.signal()
		}
	}
}

// handle is one message from a member: READY or ACK; anything else is counted and dropped.
func (d *dispatcher) handle(f [][]byte, now time.Time) []outMsg {
	if len(f) < 2 {
		d.stats.garbage.Add(1)
		return nil
	}
	id := string(f[0])
	h, err := parseHeader(f[1])
	if err != nil {
		d.stats.garbage.Add(1)
		return nil
	}
	switch h.kind {
	case kindReady:
		r, err := parseReady(h, f[2:])
		if err != nil {
			d.stats.garbage.Add(1)
			return nil
		}
		return d.ready(id, r, now)
	case kindAck:
		if len(f) != 2 {
			d.stats.garbage.Add(1)
			return nil
		}
		return d.ack(id, h.id, h.status == statusRequeue, now)
	}
	d.stats.garbage.Add(1)
	return nil
}

func (d *dispatcher) ready(id string, r ready, now time.Time) []outMsg {
	d.mu.Lock()
	defer d.mu.Unlock()
	m := d.members[id]
	if r.leave {
		if m != nil {
			return d.dropLocked(m)
		}
		return nil
	}
	var out []outMsg
	if m != nil && m.pool.name != r.pool {
		out = d.dropLocked(m) // moved to another pool: a new member
		m = nil
	}
	if m == nil {
		p := d.pools[r.pool]
		if p == nil {
			if len(d.pools) >= maxPools || len(d.members) >= maxMembers {
				d.stats.garbage.Add(1)
				return nil
			}
			p = &pool{name: r.pool}
			d.pools[r.pool] = p
		}
		m = &member{id: id, pool: p, inflight: map[uint64]*delivery{}}
		d.members[id] = m
		p.members = append(p.members, m)
	}
	m.topics, m.credit, m.seen = r.topics, int(r.credit), now
	m.pool.addTopics(r.topics)
	out = append(out, outMsg{member: id, frames: [][]byte{[]byte(id), header{kind: kindReady}.marshal()}})
	return d.dispatchLocked(m.pool, out)
}

func (d *dispatcher) ack(id string, tag uint64, requeue bool, now time.Time) []outMsg {
	d.mu.Lock()
	defer d.mu.Unlock()
	m := d.members[id]
	if m == nil {
		d.stats.lateAcks.Add(1)
		return nil
	}
	m.seen = now
	dl := m.inflight[tag]
	if dl == nil {
		d.stats.lateAcks.Add(1)
		return nil
	}
	delete(m.inflight, tag)
	if !requeue {
		d.stats.handled.Add(1)
		return d.dispatchLocked(m.pool, nil)
	}
	d.stats.requeued.Add(1)
	if dl.attempts >= d.cfg.attempts {
		d.stats.exhausted.Add(1)
		return d.dispatchLocked(m.pool, nil)
	}
	dl.last = m
	d.requeueLocked(m.pool, dl)
	return d.dispatchLocked(m.pool, nil)
}

// requeueLocked puts dl back at the front of p's queue under a new tag.
func (d *dispatcher) requeueLocked(p *pool, dl *delivery) {
	d.tag++
	dl.tag = d.tag
	if p.push(dl, true, d.cfg.poolQueue) != nil {
		d.stats.overflow.Add(1)
	}
}

// dropLocked removes m, handing what it had not acknowledged to the pool's other members.
func (d *dispatcher) dropLocked(m *member) []outMsg {
	delete(d.members, m.id)
	p := m.pool
	p.remove(m)
	if len(p.members) == 0 {
		p.empty = time.Now()
	}
	for _, dl := range m.inflight {
		d.stats.redelivered.Add(1)
		d.requeueLocked(p, dl)
	}
	m.inflight = nil
	return d.dispatchLocked(p, nil)
}

// dispatchLocked hands p's queue to its free members.
func (d *dispatcher) dispatchLocked(p *pool, out []outMsg) []outMsg {
	for {
		dl, m := p.take()
		if dl == nil {
			return out
		}
		dl.attempts++
		m.inflight[dl.tag] = dl
		d.stats.delivered.Add(1)
		h := header{kind: kindNotify, id: dl.tag}.marshal()
		out = append(out, outMsg{member: m.id, tag: dl.tag, frames: [][]byte{[]byte(m.id), h, []byte(dl.topic), dl.body}})
	}
}

// publish queues a notification for every pool that takes its topic.
func (d *dispatcher) publish(topic string, body []byte) {
	d.mu.Lock()
	var out []outMsg
	for _, p := range d.pools {
		if !p.takes(topic) {
			continue
		}
		d.tag++
		d.stats.queued.Add(1)
		if p.push(&delivery{tag: d.tag, topic: topic, body: body}, false, d.cfg.poolQueue) != nil {
			d.stats.overflow.Add(1)
		}
		for d.queuedBytes() > d.cfg.queueBytes && p.n > 0 {
			p.dropOldest()
			d.stats.overflow.Add(1)
		}
		out = d.dispatchLocked(p, out)
	}
	d.mu.Unlock()
	d.send(out)
	d.signal()
}

// queuedBytes sums the pools' queues; they are few, and this runs only on publish.
func (d *dispatcher) queuedBytes() int {
	n := 0
	for _, p := range d.pools {
		n += p.bytes
	}
	return n
}

// expire drops the members silent too long, and pools empty too long.
func (d *dispatcher) expire(now time.Time) []outMsg {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []outMsg
	limit := time.Duration(d.cfg.misses) * d.cfg.heartbeat
	for _, m := range d.members {
		if now.Sub(m.seen) > limit {
			out = append(out, d.dropLocked(m)...)
		}
	}
	for name, p := range d.pools {
		if len(p.members) == 0 && now.Sub(p.empty) > poolLinger {
			d.stats.overflow.Add(uint64(p.n))
			delete(d.pools, name)
		}
	}
	return out
}

// send sends outside the lock. A member the ROUTER no longer knows (its connection is gone)
// gets nothing more; a delivery that did not go out is queued again at once. Its other
// deliveries wait for the member's expiry: acknowledgements it sent before it went may still
// be on their way in, and handing those deliveries to others now would handle them twice.
func (d *dispatcher) send(out []outMsg) {
	for len(out) > 0 {
		var lost []outMsg
		for _, o := range out {
			if err := d.sock.Send(doneCtx, zmq.NewMsg(o.frames...)); err != nil && !errors.Is(err, zmq.ErrClosed) {
				lost = append(lost, o)
			}
		}
		out = nil
		if len(lost) == 0 {
			return
		}
		d.mu.Lock()
		for _, o := range lost {
			m := d.members[o.member]
			if m == nil {
				continue
			}
			m.gone = true
			if dl := m.inflight[o.tag]; o.tag != 0 && dl != nil {
				delete(m.inflight, o.tag)
				dl.attempts-- // never delivered
				d.stats.delivered.Add(^uint64(0))
				d.requeueLocked(m.pool, dl)
			}
			out = d.dispatchLocked(m.pool, out)
		}
		d.mu.Unlock()
	}
}
