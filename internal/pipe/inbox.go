// Package pipe holds the bounded queues between a socket and its peers.
//
// A socket has one Inbox: every peer's messages land there in arrival order, each tagged with the
// Pipe it came from. Each Pipe holds credit for at most its high-water mark of messages in the
// Inbox, so one fast peer cannot crowd out the others and fair queueing needs no polling. Outbound,
// each Pipe has an Out: an OutQueue drained by a connection's writer goroutine, or (inproc) the
// peer's own Pipe delivering straight into the peer socket's Inbox.
package pipe

import "sync"

// Msg is a multipart message: its frames in order.
type Msg = [][]byte

type entry struct {
	p *Pipe
	m Msg
}

// Inbox is a socket's inbound queue.
type Inbox struct {
	mu      sync.Mutex
	q       ring[entry]
	waiting int // receivers blocked in Wait
	wake    chan struct{}
}

// NewInbox returns an empty Inbox.
func NewInbox() *Inbox { return &Inbox{wake: NewWake()} }

// Len reports the number of queued messages.
func (ib *Inbox) Len() int {
	ib.mu.Lock()
	defer ib.mu.Unlock()
	return ib.q.len()
}

// Pop takes the oldest message. ok is false when the Inbox is empty.
func (ib *Inbox) Pop() (p *Pipe, m Msg, ok bool) {
	ib.mu.Lock()
	if ib.q.len() == 0 {
		ib.mu.Unlock()
		return nil, nil, false
	}
	e := ib.q.pop()
	p = e.p
	p.inN--
	// Wake a blocked producer only once the pipe has drained to its low-water mark, so it
	// comes back with room for a batch rather than ping-ponging one message at a time.
	freed := p.blocked && p.inN <= lowWater(p.hwm)
	if freed {
		p.blocked = false
	}
	more := ib.q.len() > 0 && ib.waiting > 0
	ib.mu.Unlock()
	if freed && p.onSpace != nil {
		p.onSpace()
	}
	if more {
		Signal(ib.wake) // pass the baton to another blocked receiver
	}
	return p, e.m, true
}

// BeginWait registers a receiver about to block on Wake; EndWait undoes it. Between the two, a
// push signals Wake, so a receiver that found the Inbox empty cannot miss a message.
func (ib *Inbox) BeginWait() (empty bool) {
	ib.mu.Lock()
	defer ib.mu.Unlock()
	if ib.q.len() > 0 {
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

// Wake is signalled when a message arrives while a receiver waits.
func (ib *Inbox) Wake() <-chan struct{} { return ib.wake }

// Drop removes every queued message that came from p (used when a socket type must forget a
// peer's messages, e.g. CONFLATE); it returns how many were removed.
func (ib *Inbox) Drop(p *Pipe) int {
	ib.mu.Lock()
	var keep ring[entry]
	n := 0
	for ib.q.len() > 0 {
		e := ib.q.pop()
		if e.p == p {
			n++
			continue
		}
		keep.push(e)
	}
	ib.q = keep
	p.inN -= n
	ib.mu.Unlock()
	return n
}

// lowWater is the credit level at which a blocked producer is woken: half the HWM, as libzmq.
func lowWater(hwm int) int {
	if hwm == 0 {
		return 1 << 62
	}
	return hwm / 2
}
