// Package pipe holds the bounded queues between a socket and its peers.
//
// A socket has one Inbox. Each peer's Pipe queues its inbound messages there, up to the pipe's
// high-water mark, and the Inbox hands them out round-robin across the pipes that have any: one
// message from each in turn, which is libzmq's fair queueing, with no polling of idle peers.
// Outbound, each Pipe has an Out: an OutQueue drained by a connection's writer goroutine, or
// (inproc) the peer's own Pipe delivering straight into the peer socket's Inbox.
package pipe

import (
	"math"
	"sync"
	"sync/atomic"
)

// Msg is a multipart message: its frames in order.
type Msg = [][]byte

// Inbox is a socket's inbound queue.
type Inbox struct {
	// The receivers' side: the line of pipes with messages, and every pipe's consumer side.
	mu     sync.Mutex
	active ring[*Pipe] // pipes with queued messages, in round-robin order
	_      [64]byte    // the fields producers read on every delivery on a line of their own

	waiting  atomic.Int32 // receivers blocked in Wait; changed with mu held
	watchers atomic.Int32 // pollers waiting for a message (see Watch); changed with mu held
	leftFull atomic.Bool  // departed peers left their allowance or more (leave.go); changed with mu held
	notify   func()       // called, with mu held, on every delivery while watchers > 0
	wake     chan struct{}

	bufs *BufPool // frame buffers for the socket's connections to read into again

	// What departed peers left queued (leave.go), guarded by mu; and the pipes waiting for it
	// to be read down, guarded by smu, which a producer takes with its pipe's lock held.
	left, leftMax int
	smu           sync.Mutex
	starved       []*Pipe
}

// NewInbox returns an empty Inbox.
func NewInbox() *Inbox { return &Inbox{wake: NewWake(), bufs: new(BufPool)} }

// Len reports the number of queued messages.
func (ib *Inbox) Len() int {
	ib.mu.Lock()
	defer ib.mu.Unlock()
	n := 0
	for i := range ib.active.len() {
		n += ib.active.buf[ib.active.at(i)].backlogLocked(true)
	}
	return n
}

// Queued reports whether a message is queued: Len() > 0, without counting them (every pipe in
// line has one).
func (ib *Inbox) Queued() bool {
	ib.mu.Lock()
	defer ib.mu.Unlock()
	return ib.active.len() > 0
}

// Pop takes the next message: the oldest of the pipe whose turn it is. ok is false when the
// Inbox is empty. freed reports that taking it woke the pipe's producer (onSpace), which had
// waited for credit.
func (ib *Inbox) Pop() (p *Pipe, m Msg, freed, ok bool) {
	ib.mu.Lock()
	if ib.active.len() == 0 {
		ib.mu.Unlock()
		return nil, nil, false, false
	}
	p = ib.active.pop()
	m = p.takeLocked()
	var starved []func()
	if p.left > 0 {
		starved = ib.tookLeftLocked(p)
	}
	if p.unreadLocked() {
		ib.active.push(p) // back of the line
	} else {
		ib.leaveLocked(p)
	}
	// Wake a blocked producer only once the pipe has drained to its low-water mark, so it
	// comes back with room for a batch rather than ping-ponging one message at a time. The
	// backlog is read fresh: the one the receiver last saw may be from before the producer
	// filled the queue, and waking it then would bring it back to a queue still full.
	var onSpace func()
	if p.blocked.Load() && p.backlogLocked(true) <= lowWater(int(p.hwm.Load())) && p.blocked.CompareAndSwap(true, false) {
		p.q.release() // before the producer looks again
		onSpace = p.onSpace
	}
	more := ib.active.len() > 0 && ib.waiting.Load() > 0
	ib.mu.Unlock()
	if onSpace != nil {
		onSpace()
		freed = true
	}
	for _, f := range starved {
		f()
		freed = true
	}
	if more {
		Signal(ib.wake) // pass the baton to another blocked receiver
	}
	return p, m, freed, true
}

// leaveLocked takes p, which has nothing left to read, out of line; with mu held. Its
// producer puts it back with its next message, unless that message came in between: then
// whichever of the two sees it first puts p back.
func (ib *Inbox) leaveLocked(p *Pipe) {
	p.queued.Store(false)
	if p.unreadLocked() && p.queued.CompareAndSwap(false, true) {
		ib.active.push(p)
	}
}

// arrived is a producer's word that p has new messages; join says the producer set p.queued,
// so p goes to the back of the line. signal wakes a waiting receiver.
func (ib *Inbox) arrived(p *Pipe, join, signal bool) {
	if join || ib.watchers.Load() > 0 {
		ib.mu.Lock()
		if join {
			// Between the producer's publishing and its setting p.queued, the receivers may
			// have taken p's message and seen p leave: then nothing is left to line up for.
			if p.unreadLocked() {
				ib.active.push(p)
			} else {
				ib.leaveLocked(p)
			}
		}
		if ib.watchers.Load() > 0 {
			ib.notify()
		}
		ib.mu.Unlock()
	}
	if signal && ib.waiting.Load() > 0 {
		Signal(ib.wake)
	}
}

// BeginWait registers a receiver about to block on Wake; EndWait undoes it. Between the two, a
// delivery signals Wake, so a receiver that found the Inbox empty cannot miss a message.
func (ib *Inbox) BeginWait() (empty bool) {
	ib.mu.Lock()
	defer ib.mu.Unlock()
	if ib.active.len() > 0 {
		return false
	}
	ib.waiting.Add(1)
	return true
}

// EndWait ends a wait begun by BeginWait.
func (ib *Inbox) EndWait() {
	ib.mu.Lock()
	ib.waiting.Add(-1)
	ib.mu.Unlock()
}

// Nudge wakes a waiting receiver if a message is queued: for a receiver that read a message
// itself (Pipe.DeliverOwn) and then leaves without popping it.
func (ib *Inbox) Nudge() {
	ib.mu.Lock()
	wake := ib.active.len() > 0 && ib.waiting.Load() > 0
	ib.mu.Unlock()
	if wake {
		Signal(ib.wake)
	}
}

// Wake is signalled when a message arrives while a receiver waits.
func (ib *Inbox) Wake() <-chan struct{} { return ib.wake }

// Drop discards every queued message that came from p and returns how many there were.
func (ib *Inbox) Drop(p *Pipe) int {
	ib.mu.Lock()
	n, starved := ib.dropLocked(p)
	ib.mu.Unlock()
	for _, f := range starved {
		f()
	}
	return n
}

// dropLocked is Drop with mu held; it returns the producers to wake after.
func (ib *Inbox) dropLocked(p *Pipe) (int, []func()) {
	n := 0
	var starved []func()
	for p.unreadLocked() {
		p.takeLocked()
		if p.left > 0 {
			starved = append(starved, ib.tookLeftLocked(p)...)
		}
		n++
	}
	if n == 0 {
		return 0, nil
	}
	var keep ring[*Pipe]
	for ib.active.len() > 0 {
		if q := ib.active.pop(); q != p {
			keep.push(q)
		}
	}
	ib.active = keep
	ib.leaveLocked(p)
	return n, starved
}

// lowWater is the queue length at which a blocked producer is woken: half the HWM, as libzmq.
func lowWater(hwm int) int {
	if hwm == 0 {
		return math.MaxInt // no HWM: never blocked, any length is low enough
	}
	return hwm / 2
}

// Bufs is the pool of buffers the socket's receivers gave back. It is apart from the Inbox so
// that buffers on their way back (reclaim.go) keep only the pool alive.
func (ib *Inbox) Bufs() *BufPool { return ib.bufs }

// The consumer's side of a pipe: with the Inbox's lock held.

// takeLocked removes p's oldest message; p must have one (unreadLocked).
func (p *Pipe) takeLocked() Msg {
	if p.q.ready() {
		return p.q.take(releaseStep(p.hwm.Load()))
	}
	p.pmu.Lock()
	m := p.last
	p.last, p.hasLast = nil, false
	p.pmu.Unlock()
	return m
}

// unreadLocked reports whether p has a message to take.
func (p *Pipe) unreadLocked() bool {
	if p.q.ready() {
		return true
	}
	if !p.conflate {
		return false
	}
	p.pmu.Lock()
	defer p.pmu.Unlock()
	return p.hasLast
}

// backlogLocked is how many messages p has to take: exact when fresh is set, else as the
// consumer last looked.
func (p *Pipe) backlogLocked(fresh bool) int {
	n := int(p.q.backlog(fresh))
	if p.conflate {
		p.pmu.Lock()
		if p.hasLast {
			n++
		}
		p.pmu.Unlock()
	}
	return n
}
