package pipe

// Intercept offers m to the pipe's Hook: true means the hook took it, and dst has what the
// owner's application must see in its place appended. An error means the peer must go: its
// connection ends with it.
func (p *Pipe) Intercept(m Msg, dst []Msg) ([]Msg, bool, error) {
	if p.Hook == nil {
		return dst, false, nil
	}
	return p.Hook(m, dst)
}

// CtlRoom reports whether the peer can take a subscription through Ctl now; when it cannot,
// the owner's senders are woken once it can. Always true unless CtlFull is set.
func (p *Pipe) CtlRoom() bool { return p.CtlFull == nil || !p.CtlFull() }

// HasRoom reports whether TryPush would accept a message now. When it would not, the Out's
// space callback fires once room frees, as after a failed TryPush.
func (p *Pipe) HasRoom() bool {
	o := p.out.Load()
	if o == nil {
		return false
	}
	if r, ok := (*o).(interface{ HasRoom() bool }); ok {
		return r.HasRoom()
	}
	return true
}

// HasCredit reports whether TryDeliver would accept a message now; when not, onSpace fires once
// credit frees.
func (p *Pipe) HasCredit() bool {
	p.pmu.Lock()
	defer p.pmu.Unlock()
	return p.conflate || p.creditLocked()
}

// HasRoom reports whether TryPush would accept a message now; when not, onSpace fires once the
// writer drains the queue. A producer: call it with the producers' lock held.
func (q *OutQueue) HasRoom() bool {
	if q.closed.Load() {
		q.full.Store(true)
		return false
	}
	return q.conflate || q.hwm == 0 || q.np-q.seen < q.hwm || q.room(false)
}

// SetConflate makes the pipe keep only the newest inbound message (CONFLATE), or not. Call it
// before the pipe receives anything, or while nothing delivers to it (an inproc pipe between
// peers). What it queued before conflating is read first; a message it kept conflated goes
// to the queue when it stops.
func (p *Pipe) SetConflate(on bool) {
	p.pmu.Lock()
	defer p.pmu.Unlock()
	p.conflate = on
	if !on && p.hasLast {
		p.q.put(p.last)
		p.q.publish()
		p.last, p.hasLast = nil, false
	}
}
