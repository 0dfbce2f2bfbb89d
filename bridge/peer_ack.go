package bridge

import (
	"context"
	"encoding/binary"
	"sync"
	"time"
)

// peerAcks tracks the deliveries a DEALER sent with PeerAck until their peer answers with
// the id the bridge put in front: a delivery is acknowledged on the answer, or given back
// (requeued) after AckTimeout. Ids are never reused, so an answer to a delivery of a lost
// connection, or a late one, is ignored.
type peerAcks struct {
	x       *runner
	timeout time.Duration
	mu      sync.Mutex
	seq     uint64
	waiting map[uint64]*awaited
	order   []uint64    // ids in sending order, so deadlines in order; stale ids skipped
	timer   *time.Timer // fires at the first deadline
	// settling counts deliveries taken out of waiting whose ack or requeue is under way: drain
	// waits for those too, as the route disconnects from the broker once it returns.
	settling int
	idle     chan struct{} // closed when nothing waits or settles, while drain waits
}

type awaited struct {
	d        Delivery
	deadline time.Time
}

func newPeerAcks(x *runner) *peerAcks {
	t := x.r.AckTimeout
	if t <= 0 {
		t = DefaultAckTimeout
	}
	p := &peerAcks{x: x, timeout: t, waiting: map[uint64]*awaited{}}
	p.timer = time.AfterFunc(time.Hour, p.expire)
	p.timer.Stop()
	return p
}

// add registers d and returns its id and frames to send: [id, frames...].
func (p *peerAcks) add(d Delivery, frames [][]byte) (uint64, [][]byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seq++
	id := p.seq
	p.waiting[id] = &awaited{d: d, deadline: time.Now().Add(p.timeout)}
	p.order = append(p.order, id)
	if len(p.order) == 1 {
		p.timer.Reset(p.timeout)
	}
	return id, append([][]byte{binary.BigEndian.AppendUint64(nil, id)}, frames...)
}

// forget drops id: it was not sent.
func (p *peerAcks) forget(id uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.remove(id) != nil {
		p.settling-- // nothing to settle: it was never sent
		p.wakeIdle()
	}
}

// remove deletes id from waiting; with p.mu held. A delivery it returns is settling: the
// caller settles it and then calls settled.
func (p *peerAcks) remove(id uint64) *awaited {
	a := p.waiting[id]
	delete(p.waiting, id)
	if a != nil {
		p.settling++
	}
	if len(p.waiting) == 0 {
		p.order = p.order[:0]
	}
	p.wakeIdle()
	return a
}

// settled ends the settling of n deliveries remove returned.
func (p *peerAcks) settled(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.settling -= n
	p.wakeIdle()
}

// wakeIdle releases drain once nothing waits or settles; with p.mu held.
func (p *peerAcks) wakeIdle() {
	if len(p.waiting) == 0 && p.settling == 0 && p.idle != nil {
		close(p.idle)
		p.idle = nil
	}
}

// read takes the peers' answers until ctx ends.
func (p *peerAcks) read(ctx context.Context) {
	for {
		msg, err := p.x.sock.Recv(ctx)
		if err != nil {
			return
		}
		if len(msg.Frames) != 1 || len(msg.Frames[0]) != 8 {
			p.x.log.Warn("ignored an answer that is not one 8-byte id", "frames", len(msg.Frames))
			continue
		}
		p.mu.Lock()
		a := p.remove(binary.BigEndian.Uint64(msg.Frames[0]))
		p.mu.Unlock()
		if a != nil {
			p.x.ack(ctx, a.d)
			p.settled(1)
		}
	}
}

// expire gives back the deliveries whose deadline passed.
func (p *peerAcks) expire() {
	p.mu.Lock()
	var late []*awaited
	now := time.Now()
	for len(p.order) > 0 {
		id := p.order[0]
		a, ok := p.waiting[id]
		if ok && a.deadline.After(now) {
			p.timer.Reset(a.deadline.Sub(now))
			break
		}
		p.order = p.order[1:]
		if ok {
			late = append(late, p.remove(id))
		}
	}
	p.mu.Unlock()
	for _, a := range late {
		p.x.log.Info("no answer from the peer in time: requeued")
		p.x.settleDelivery(context.Background(), a.d, true)
	}
	if len(late) > 0 {
		p.settled(len(late))
	}
}

// drain waits until every delivery is answered or ctx ends.
func (p *peerAcks) drain(ctx context.Context) {
	p.mu.Lock()
	if len(p.waiting) == 0 && p.settling == 0 {
		p.mu.Unlock()
		return
	}
	if p.idle == nil {
		p.idle = make(chan struct{})
	}
	idle := p.idle
	p.mu.Unlock()
	select {
	case <-idle:
	case <-ctx.Done():
	}
}

// reset forgets every delivery: their connection is gone, the broker delivers them again.
func (p *peerAcks) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for range p.waiting {
		p.x.m.pending.Dec()
	}
	clear(p.waiting)
	p.order = p.order[:0]
	p.timer.Stop()
	if p.idle != nil {
		close(p.idle)
		p.idle = nil
	}
}

func (p *peerAcks) close() { p.timer.Stop() }
