package zmq

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/purezmq/zmq/internal/pipe"
)

// PollEvents says what a Poller waits for on a socket, and what it found.
type PollEvents int

// The events, libzmq's values (ZMQ_POLLIN, ZMQ_POLLOUT).
const (
	PollIn  PollEvents = 1 // a Recv would not block
	PollOut PollEvents = 2 // a Send would not block
)

// Polled is one ready socket and the events it is ready for.
type Polled struct {
	Socket *Socket    // the socket as given to Add
	Events PollEvents // what it is ready for now, within what Add asked for
}

// Poller waits on several sockets until one can be read or written (zmq_poll). Readiness is as
// libzmq's: PollIn when a message is queued and the socket's state allows Recv (a REQ waiting
// for its reply, a REP that has not replied yet); PollOut when the pattern could place a
// message now (a peer with room for PUSH, DEALER, REQ and PAIR; a pending request for REP;
// always for PUB, XSUB and ROUTER, which drop rather than block). Readiness is a hint when
// other goroutines use the same sockets: a message may be taken between Poll and Recv, so
// follow a Poll with a non-blocking Recv (a ctx that is already done) or a short one.
//
// Poll does not busy-wait and starts no goroutine: each socket signals the poller's wake-up
// channel from what it already does when a message arrives or room appears, and only while a
// Poll is waiting. A Poller is used by one goroutine at a time; Add may be called between
// Polls.
type Poller struct {
	mu    sync.Mutex
	items []Polled
	wake  chan struct{}
	poll  []Polled // Poll's copy of items, reused
	ready []Polled // Poll's result, reused
}

// NewPoller returns a Poller with no sockets (zmq_poller_new).
func NewPoller() *Poller { return &Poller{wake: pipe.NewWake()} }

// Add makes Poll watch s for events (PollIn, PollOut or both), as zmq_poller_add. Adding a
// socket again replaces its events (zmq_poller_modify); events 0 removes it.
func (p *Poller) Add(s *Socket, events PollEvents) {
	p.mu.Lock()
	defer p.mu.Unlock()
	i := slices.IndexFunc(p.items, func(it Polled) bool { return it.Socket == s })
	switch {
	case i >= 0 && events == 0:
		p.items = slices.Delete(p.items, i, i+1)
	case i >= 0:
		p.items[i].Events = events
	case events != 0:
		p.items = append(p.items, Polled{Socket: s, Events: events})
	}
}

// Remove stops watching s (zmq_poller_remove).
func (p *Poller) Remove(s *Socket) { p.Add(s, 0) }

// Poll waits until at least one socket is ready for an event it was added with, and returns
// every ready socket with its ready events, in the order they were added, as
// zmq_poller_wait_all; the slice is valid until the next Poll. It returns ctx's error when ctx
// ends first (an already-done ctx makes Poll a non-blocking check), and ErrClosed when a
// watched socket is closed.
func (p *Poller) Poll(ctx context.Context) ([]Polled, error) {
	p.mu.Lock()
	items := append(p.poll[:0], p.items...)
	p.poll = items
	p.mu.Unlock()
	if ready, err := p.check(items); len(ready) > 0 || err != nil {
		return ready, err
	}
	if len(items) == 0 {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	// Watch first, then look again: a change after the look signals wake.
	for _, it := range items {
		it.Socket.s.Watch(p.wake)
	}
	defer func() {
		for _, it := range items {
			it.Socket.s.Unwatch(p.wake)
		}
	}()
	for {
		select {
		case <-p.wake:
		default:
		}
		if ready, err := p.check(items); len(ready) > 0 || err != nil {
			return ready, err
		}
		select {
		case <-p.wake:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// check returns the items ready now, in p.ready.
func (p *Poller) check(items []Polled) ([]Polled, error) {
	dst := p.ready[:0]
	defer func() { p.ready = dst }()
	for _, it := range items {
		in, out, closed := it.Socket.s.Ready(it.Events&PollIn != 0, it.Events&PollOut != 0)
		if closed {
			return nil, ErrClosed
		}
		var ev PollEvents
		if in {
			ev |= PollIn
		}
		if out {
			ev |= PollOut
		}
		if ev != 0 {
			dst = append(dst, Polled{Socket: it.Socket, Events: ev})
		}
	}
	return dst, nil
}

// PollResult is one result of Poller.Channel: the sockets found ready, and the receiver's turn
// to act on them, which Done ends.
type PollResult struct {
	Polled []Polled // valid until Done
	turn   *pollTurn
	seq    uint64
}

// pollTurn is the hand-back between Channel's goroutine and its receiver.
type pollTurn struct {
	done atomic.Uint64 // the seq of the last result handed back
	wake chan struct{}
}

// Done hands the turn back: Channel's goroutine polls again only now, so the next result
// reflects what the receiver did with this one. Calling it again, or on an older result, does
// nothing.
func (r PollResult) Done() {
	if r.turn != nil && r.turn.done.CompareAndSwap(r.seq-1, r.seq) {
		pipe.Signal(r.turn.wake)
	}
}

// Channel composes a Poller with select: it starts one goroutine, for ctx's lifetime, that
// polls and sends each non-empty result on the returned channel, which closes when ctx ends or
// a watched socket closes. After each result the goroutine waits for its Done before it polls
// again, so a result means "ready now": a Recv on a socket reported PollIn, or a Send on one
// reported PollOut, does not block, as long as no other goroutine uses the socket in between.
// Readiness is level-triggered; without the hand-back the goroutine would poll while the
// receiver is still acting and report the same readiness again, stale by the time it is read.
//
//	for r := range p.Channel(ctx) {
//		for _, it := range r.Polled {
//			msg, err := it.Socket.Recv(ctx) // does not block
//			...
//		}
//		r.Done()
//	}
//
// Until Done no further result comes. Do not call Poll while the goroutine runs; cancel ctx to
// end it.
func (p *Poller) Channel(ctx context.Context) <-chan PollResult {
	c := make(chan PollResult)
	turn := &pollTurn{wake: pipe.NewWake()}
	go func() {
		defer close(c)
		for seq := uint64(1); ; seq++ {
			ready, err := p.Poll(ctx)
			if err != nil {
				return
			}
			select {
			case c <- PollResult{Polled: ready, turn: turn, seq: seq}:
			case <-ctx.Done():
				return
			}
			for turn.done.Load() != seq {
				select {
				case <-turn.wake:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return c
}
