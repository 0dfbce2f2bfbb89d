package pipe

import "slices"

// A peer that goes may leave messages queued, which the application reads in their turn, as
// libzmq's would: nothing a peer sent before it left is lost. But each connection comes with
// credit of its own, so peers that connect, send and leave, one after another, would grow the
// queue by RCVHWM messages each while the application does not read. So the messages departed
// peers left count against one allowance for them all, the RCVHWM of the last to leave: while
// they number that many or more, no pipe of the socket gets credit, and their producers wait as
// at their own HWM, until the application has read the departed peers' messages down to half
// of it. The last peer to leave may take them up to one RCVHWM over; no more come until then.
// A pipe without an HWM lifts the bound, as HWM 0 does.

// Abandon records that p's peer has gone for good: what p still has queued counts as left
// behind. For peers that come and go (a bound socket's connections), not for a peer the
// socket keeps across reconnections, nor for the program's own (inproc).
func (ib *Inbox) Abandon(p *Pipe) {
	ib.mu.Lock()
	defer ib.mu.Unlock()
	p.departed.Store(true)
	hwm := int(p.hwm.Load())
	if hwm == 0 || p.left > 0 {
		return
	}
	p.left = p.backlogLocked(true)
	ib.left += p.left
	ib.leftMax = hwm
	if ib.left >= ib.leftMax {
		ib.leftFull.Store(true)
	}
}

// tookLeftLocked counts one message taken from p, whose peer left it (p.left > 0), and
// returns the producers to wake if that brought the departed peers' messages down to half
// their allowance; with mu held.
func (ib *Inbox) tookLeftLocked(p *Pipe) []func() {
	p.left--
	ib.left--
	if !ib.leftFull.Load() || ib.left > lowWater(ib.leftMax) {
		return nil
	}
	ib.leftFull.Store(false)
	ib.smu.Lock()
	starved := ib.starved
	ib.starved = nil
	for _, q := range starved {
		q.starving = false
	}
	ib.smu.Unlock()
	var wake []func()
	for _, q := range starved {
		if q.onSpace != nil && q.blocked.CompareAndSwap(true, false) {
			wake = append(wake, q.onSpace)
		}
	}
	return wake
}

// starve reports whether p gets no credit because of what departed peers left, and then
// puts p in line to be woken when they have been read down; with p's producer lock held, after
// leftFull was seen set (the check a delivery makes inline).
func (ib *Inbox) starve(p *Pipe) bool {
	p.blocked.Store(true)
	ib.smu.Lock()
	defer ib.smu.Unlock()
	// Read again under smu: a receiver that cleared it has taken the line before, or takes
	// it after and finds p in it.
	if !ib.leftFull.Load() {
		return false
	}
	if !p.starving {
		if len(ib.starved) == cap(ib.starved) {
			// Before the line grows: pipes whose peers have gone wait for nothing.
			ib.starved = slices.DeleteFunc(ib.starved, func(q *Pipe) bool {
				if q.departed.Load() {
					q.starving = false
					return true
				}
				return false
			})
		}
		p.starving = true
		ib.starved = append(ib.starved, p)
	}
	return true
}
