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
)

// Msg is a multipart message: its frames in order.
type Msg = [][]byte

// Inbox is a socket's inbound queue.
type Inbox struct {
	mu      sync.Mutex
	active  ring[*Pipe] // pipes with queued messages, in round-robin order
	n       int         // queued messages in all
	waiting int         // receivers blocked in Wait
	wake    chan struct{}

	bufs *BufPool // frame buffers for the socket's connections to read into again

	watchers int    // pollers waiting for a message (see Watch)
	notify   func() // called, with mu held, on every push while watchers > 0
}

// NewInbox returns an empty Inbox.
func NewInbox() *Inbox { return &Inbox{wake: NewWake(), bufs: new(BufPool)} }

// Len reports the number of queued messages.
func (ib *Inbox) Len() int {
	ib.mu.Lock()
	defer ib.mu.Unlock()
	return ib.n
}

// Pop takes the next message: the oldest of the pipe whose turn it is. ok is false when the
// Inbox is empty. freed reports that taking it woke the pipe's producer (onSpace), which had
// waited for credit.
func (ib *Inbox) Pop() (p *Pipe, m Msg, freed, ok bool) {
	ib.mu.Lock()
	if ib.n == 0 {
		ib.mu.Unlock()
		return nil, nil, false, false
	}
	p = ib.active.pop()
	m = p.q.pop()
	ib.n--
	if p.q.len() > 0 {
		ib.active.push(p) // back of the line
	} else {
		p.queued = false
	}
	// Wake a blocked producer only once the pipe has drained to its low-water mark, so it
	// comes back with room for a batch rather than ping-ponging one message at a time.
	wake := p.blocked && p.q.len() <= lowWater(p.hwm)
	if wake {
		p.blocked = false
	}
	more := ib.n > 0 && ib.waiting > 0
	ib.mu.Unlock()
	if wake && p.onSpace != nil {
		p.onSpace()
		freed = true
	}
	if more {
		Signal(ib.wake) // pass the baton to another blocked receiver
	}
	return p, m, freed, true
}

// push queues m from p; with ib.mu held.
func (ib *Inbox) push(p *Pipe, m Msg) {
	p.q.push(m)
	ib.n++
	if !p.queued {
		p.queued = true
		ib.active.push(p)
	}
	if ib.watchers > 0 {
		ib.notify()
	}
}

// BeginWait registers a receiver about to block on Wake; EndWait undoes it. Between the two, a
// push signals Wake, so a receiver that found the Inbox empty cannot miss a message.
func (ib *Inbox) BeginWait() (empty bool) {
	ib.mu.Lock()
	defer ib.mu.Unlock()
	if ib.n > 0 {
		return false
	}
	ib.waiting++
	return true
}

// EndWait ends a wait begun by BeginWait.
func (ib *Inbox) EndWait() {
	ib.mu.Lock()
	ib.waiting--
	ib.mu.Unlock()
}

// Nudge wakes a waiting receiver if a message is queued: for a receiver that read a message
// itself (Pipe.DeliverOwn) and then leaves without popping it.
func (ib *Inbox) Nudge() {
	ib.mu.Lock()
	wake := ib.n > 0 && ib.waiting > 0
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
	defer ib.mu.Unlock()
	n := p.q.len()
	if n == 0 {
		return 0
	}
	p.q = ring[Msg]{}
	ib.n -= n
	p.queued = false
	var keep ring[*Pipe]
	for ib.active.len() > 0 {
		if q := ib.active.pop(); q != p {
			keep.push(q)
		}
	}
	ib.active = keep
	return n
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
