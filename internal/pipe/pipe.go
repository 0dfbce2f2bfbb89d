package pipe

import (
	"sync"
	"sync/atomic"
)

// Out is where a socket writes messages for one peer.
type Out interface {
	// TryPush queues m unless the peer's high-water mark is reached; it never blocks. The
	// message belongs to the queue once accepted.
	TryPush(m Msg) bool
}

// Pipe is one peer as its socket sees it: credit in the socket's Inbox for inbound messages,
// an Out for outbound ones, and what the handshake told about the peer.
//
// Inbound, the pipe has one producer at a time (the peer's sender over inproc, a connection's
// reader), serialized by pmu, and the socket's receivers as consumer, serialized by the
// Inbox's lock; the two sides share no lock (inqueue.go). The producer takes the Inbox's lock
// only to put the pipe in line when its first message arrives, or for a poller.
type Pipe struct {
	inbox *Inbox
	pmu   sync.Mutex // the producers': q's producer side, last, conflate
	q     inQueue

	hwm     atomic.Int64 // inbound credit, 0 = unlimited
	queued  atomic.Bool  // in the Inbox's round-robin, or being put there by whoever set it
	blocked atomic.Bool  // a delivery failed for lack of credit
	onSpace func()       // guarded by inbox.mu

	departed atomic.Bool // its peer has gone for good (Inbox.Abandon)
	left     int         // messages queued when its peer went, not yet taken; guarded by inbox.mu
	starving bool        // in the Inbox's starved line; guarded by inbox.smu

	conflate bool // CONFLATE: a new inbound message replaces the one queued; guarded by pmu
	last     Msg  // CONFLATE: the newest message, not yet taken; guarded by pmu
	hasLast  bool // last is set; guarded by pmu

	out atomic.Pointer[Out]

	// Set before the pipe is attached to its socket, read-only afterwards.
	PeerType     string // the peer's Socket-Type
	PeerIdentity []byte // the peer's announced Identity / Routing-Id
	Meta         any    // the connection's metadata, handed to received messages

	// Kick, if set, drops the peer's connection (ROUTER_HANDOVER evicting the old holder of a
	// routing id). Set before attach.
	Kick func()

	// Hook, if set, sees each inbound message before it is queued and returns true to consume
	// it (a publisher takes subscriptions this way), with what the application must see in
	// its place appended to dst, for the caller to queue within credit; an error ends the
	// peer's connection (a subscriber over its subscriptions' limit). Ctl, if set, carries a
	// subscription in message form (\x01topic, \x00topic) to the peer out of band; CtlFull,
	// if set, reports that the peer cannot take one now (an inproc XPUB whose queue is full)
	// and arranges for onSpace of the peer's pipe to fire when it can. All are set before the
	// pipe is attached or linked.
	Hook    func(m Msg, dst []Msg) ([]Msg, bool, error)
	Ctl     func(sub []byte)
	CtlFull func() bool

	// RoutingID is owned by the socket type (ROUTER assigns it); guarded by the socket's lock.
	RoutingID []byte
	// Mark is the socket type's too: a publisher marks the pipes a message matched, so a pipe
	// matched by several subscriptions gets it once. Guarded by the socket's lock.
	Mark uint64
	// SubBytes is what the peer's subscriptions cost its publisher (xpub.go's charge): the
	// socket type's, guarded by the socket's lock.
	SubBytes int64
	// Shared, set before attach, is an Encodes pipe's queue when it holds runs of its socket's
	// Log (OutQueue.SetLog): a publisher appends a message for many such pipes to the log once
	// and pushes each its place. Next to Mark: a send reads both.
	Shared *OutQueue
	// AtHWM is Shared's flag for being at its HWM (OutQueue.FlagHWMIn), here for a publisher
	// to drop for this pipe without reading the queue's memory: with a hundred subscribers,
	// their writers in between, that is a cache miss each per message.
	AtHWM atomic.Bool

	// Encodes, set before attach, says the pipe's Out only reads what it takes: a
	// connection's writer encodes a message's frames and lets go of them, never changing or
	// recycling the list or a frame, and never handing them to an application. A publisher
	// queues one message, list and frames, to every such pipe; any other pipe (inproc) hands
	// what it takes to an application that owns it, and gets a copy of its own.
	Encodes bool
}

// New returns a Pipe delivering into inbox with credit for hwm messages (0 = unlimited).
// onSpace, if set, is called once credit frees after a failed delivery.
func New(inbox *Inbox, hwm int, onSpace func()) *Pipe {
	p := &Pipe{inbox: inbox, onSpace: onSpace}
	p.q.init()
	p.hwm.Store(int64(hwm))
	return p
}

// SetOut sets where messages for the peer go.
func (p *Pipe) SetOut(o Out) { p.out.Store(&o) }

// TryPush writes m towards the peer without blocking; false means the peer is at its HWM or the
// pipe has no way out yet.
func (p *Pipe) TryPush(m Msg) bool {
	o := p.out.Load()
	return o != nil && (*o).TryPush(m)
}

// TakeBuffer returns a recycled buffer of length n from the socket, or nil (see BufPool).
func (p *Pipe) TakeBuffer(n int) []byte { return p.inbox.bufs.Get(n) }

// NewBuffer returns a new buffer of length n that comes back to the socket's pool once
// unreachable, or nil (see BufPool.NewBuffer).
func (p *Pipe) NewBuffer(n int) []byte { return p.inbox.bufs.NewBuffer(n) }

// KeepBuffer offers b, which nobody uses any more, to the socket's pool.
func (p *Pipe) KeepBuffer(b []byte) { p.inbox.bufs.Put(b) }

// SetOnSpace replaces the callback for freed credit.
func (p *Pipe) SetOnSpace(f func()) {
	p.inbox.mu.Lock()
	p.onSpace = f
	p.inbox.mu.Unlock()
}

// SetHWM changes the inbound credit (0 = unlimited), as when an inproc peer links a pipe
// that was created before the peer's SNDHWM was known.
func (p *Pipe) SetHWM(hwm int) { p.hwm.Store(int64(hwm)) }

// TryDeliver queues an inbound message in the owner's Inbox if the pipe has credit.
func (p *Pipe) TryDeliver(m Msg) bool {
	one := [1]Msg{m}
	return p.deliver(one[:], true, true) == 1
}

// DeliverBatch queues as many of ms as credit allows, in order, and returns how many it took.
func (p *Pipe) DeliverBatch(ms []Msg) int { return p.deliver(ms, true, true) }

// DeliverOwn is DeliverBatch for a receiver that read ms itself and pops next: it wakes no
// other receiver, whose wake-up would only find that message gone (a cross-thread wake-up per
// message, the largest cost of a small request served by a pool of receivers). If it queued
// more than one, the receiver's Pop passes the baton to a waiting receiver.
func (p *Pipe) DeliverOwn(ms []Msg) int { return p.deliver(ms, true, false) }

// Push queues m in the owner's Inbox regardless of credit: for messages the socket already
// accepted elsewhere (an inproc connect-before-bind queue handed over at bind time).
func (p *Pipe) Push(m Msg) {
	one := [1]Msg{m}
	p.deliver(one[:], false, true)
}

// deliver queues ms, as many as credit allows when credit is set, publishes them to the
// receivers at once, and returns how many it queued. The pipe's first message puts it in the
// Inbox's line; signal wakes a waiting receiver.
func (p *Pipe) deliver(ms []Msg, credit, signal bool) int {
	p.pmu.Lock()
	n := 0
	if p.conflate {
		if len(ms) > 0 {
			p.last, p.hasLast = ms[len(ms)-1], true
			n = len(ms)
		}
	} else {
		for _, m := range ms {
			if credit && !p.creditLocked() {
				break
			}
			p.q.put(m)
			n++
		}
		if n > 0 {
			p.q.publish()
		}
	}
	join := n > 0 && !p.queued.Load() && p.queued.CompareAndSwap(false, true)
	p.pmu.Unlock()
	if n > 0 {
		p.inbox.arrived(p, join, signal)
	}
	return n
}

// creditLocked reports whether one more message is within the pipe's credit; with pmu held.
// When it is not, the pipe is marked blocked, for the receiver that frees credit to call
// onSpace.
func (p *Pipe) creditLocked() bool {
	hwm := uint64(p.hwm.Load())
	if hwm == 0 {
		return true
	}
	if p.inbox.leftFull.Load() && p.inbox.starve(p) {
		return false
	}
	if p.q.queued(false) < hwm || p.q.queued(true) < hwm {
		return true
	}
	p.blocked.Store(true)
	// The receiver may have freed some meanwhile: then the message goes ahead, and the mark
	// stays, for another producer of the pipe may be waiting on it (the receiver's next
	// onSpace is at worst one nobody waits for).
	return p.q.queued(true) < hwm
}

// Deliver queues m, waiting for credit until done is closed. space must be the channel the
// pipe's onSpace signals. It reports whether m was queued.
func (p *Pipe) Deliver(m Msg, space <-chan struct{}, done <-chan struct{}) bool {
	for !p.TryDeliver(m) {
		select {
		case <-space:
		case <-done:
			return false
		}
	}
	return true
}
