package socket

import (
	"slices"
	"sync"
	"sync/atomic"

	"github.com/purezmq/zmq/internal/pipe"
)

// readiness is the set of pollers waiting on a socket. Send and Recv never touch it; what they
// already signal (a push into the Inbox, wakeSenders) checks n first, so a socket nobody polls
// pays one atomic load per wake-up.
type readiness struct {
	n       atomic.Int32
	mu      sync.Mutex // a leaf lock: taken under the Inbox's lock by notifyReady
	waiters []chan struct{}
	once    sync.Once
	notify  func() // s.notifyReady, bound once
}

// Watch makes c (a 1-slot wake-up channel) be signalled whenever the socket may have become
// readable or writable, or has closed, until Unwatch(c).
func (s *Socket) Watch(c chan struct{}) {
	s.ready.once.Do(func() { s.ready.notify = s.notifyReady }) // Close notifies too
	s.ready.mu.Lock()
	s.ready.waiters = append(s.ready.waiters, c)
	s.ready.n.Add(1)
	s.ready.mu.Unlock()
	s.inbox.Watch(s.ready.notify)
	s.mu.Lock()
	s.updateSoleLocked() // a watched socket's connections read themselves: see direct.go
	s.mu.Unlock()
}

// Unwatch ends a Watch.
func (s *Socket) Unwatch(c chan struct{}) {
	s.inbox.Unwatch()
	s.ready.mu.Lock()
	if i := slices.Index(s.ready.waiters, c); i >= 0 {
		last := len(s.ready.waiters) - 1
		s.ready.waiters[i] = s.ready.waiters[last]
		s.ready.waiters[last] = nil
		s.ready.waiters = s.ready.waiters[:last]
		s.ready.n.Add(-1)
	}
	s.ready.mu.Unlock()
	s.mu.Lock()
	s.updateSoleLocked()
	s.mu.Unlock()
}

func (s *Socket) notifyReady() {
	s.ready.mu.Lock()
	for _, c := range s.ready.waiters {
		pipe.Signal(c)
	}
	s.ready.mu.Unlock()
}

// Ready reports whether a Recv (in) or a Send (out) would not block now, as libzmq's POLLIN and
// POLLOUT do: readable when a message is queued and the pattern's state allows Recv (REQ/REP
// filtering may still drop it), writable when the pattern could place a message now. closed
// reports a closed socket. A poller must Watch before it asks, so no change is missed.
func (s *Socket) Ready(in, out bool) (readable, writable, closed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false, false, true
	}
	if in {
		readable = s.pat.canRecv() == nil && s.inbox.Queued()
	}
	if out {
		writable = s.canSendLocked()
	}
	return readable, writable, false
}

// canSendLocked reports whether pat.send would place a message now; with s.mu held. Where the
// answer is no for lack of room, asking arms the pipes' space callbacks (HasRoom), which call
// wakeSenders and so notify pollers when room appears.
func (s *Socket) canSendLocked() bool {
	switch p := s.pat.(type) {
	case *pair:
		return p.peer != nil && p.peer.HasRoom()
	case *push:
		return p.lb.hasRoom()
	case *dealer:
		return p.lb.hasRoom()
	case *req:
		return (!p.waiting || p.relaxed) && p.lb.hasRoom()
	case *rep:
		return p.replying
	case *router:
		return true // unroutable messages are dropped, or fail at once with ROUTER_MANDATORY
	case *xpub:
		if p.nodrop {
			return roomAll(p.pipes)
		}
		return true // PUB drops for a subscriber at its HWM
	case *xsub:
		return !p.sub
	}
	return false
}

func (l *lb) hasRoom() bool {
	for _, p := range l.pipes {
		if p.HasRoom() {
			return true
		}
	}
	return false
}

// roomAll reports whether every pipe has room, asking all of them so each full one signals.
func roomAll(ps []*pipe.Pipe) bool {
	ok := true
	for _, p := range ps {
		if !p.HasRoom() {
			ok = false
		}
	}
	return ok
}
