package socket

import (
	"fmt"

	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/internal/zerr"
)

// interceptor is a pattern that takes inbound messages as they arrive (a publisher's
// subscriptions), whether or not anybody calls Recv.
type interceptor interface {
	intercept(p *pipe.Pipe, m pipe.Msg, dst []pipe.Msg) ([]pipe.Msg, bool, error)
}

// subscriber is a pattern its application subscribes through (Socket.Subscribe).
type subscriber interface {
	appSubscribe(prefix []byte, on bool) error
}

// hookPipe prepares a new pipe of s: with CONFLATE it keeps only the newest inbound message
// (conflate.go), and a publisher's pipe hands inbound messages to its pattern as they arrive, so
// subscriptions take effect whether or not anybody calls Recv.
func (s *Socket) hookPipe(p *pipe.Pipe, o *Options) {
	if s.conflates(o) {
		p.SetConflate(true)
	}
	x, ok := s.pat.(interceptor)
	if !ok {
		return
	}
	p.Hook = func(m pipe.Msg, dst []pipe.Msg) ([]pipe.Msg, bool, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.closed {
			return dst, true, nil
		}
		return x.intercept(p, m, dst)
	}
}

// linkInprocSubs prepares two new inproc pipes (hookPipe) and wires them for subscriptions:
// each side's Ctl hands the message form straight to the other side's pattern. a owns local,
// b owns remote; local may be a's persistent pipe, prepared already.
func linkInprocSubs(a, b *Socket, ao, bo *Options, local, remote *pipe.Pipe, fresh bool) {
	if fresh {
		a.hookPipe(local, ao)
	}
	b.hookPipe(remote, bo)
	if !a.caps.PubSub {
		return
	}
	if fresh {
		// Nothing queued to hand over first: a connecting XPUB's welcome message can go
		// as soon as its pattern takes the pipe.
		local.SetOut(inprocOut{remote})
	}
	local.Ctl = func(sub []byte) { ctlInproc(remote, sub) }
	remote.Ctl = func(sub []byte) { ctlInproc(local, sub) }
	local.CtlFull = func() bool { return !remote.HasCredit() }
	remote.CtlFull = func() bool { return !local.HasCredit() }
}

// ctlInproc hands a subscription to the peer's pipe p, and what its application must see of it
// to p's queue. An XSUB's Send waits for room there first (CtlFull); SUB's Subscribe, which
// cannot wait, may go past RCVHWM.
func ctlInproc(p *pipe.Pipe, sub []byte) {
	out, _, _ := p.Intercept(pipe.Msg{append([]byte(nil), sub...)}, nil) // inproc: never limited
	for _, m := range out {
		p.Push(m)
	}
}

// Subscribing where libzmq's ZMQ_SUBSCRIBE does not apply is its EINVAL (ErrOption); it
// matches ErrNotSupported too, what these errors were before.
var errNotManual = fmt.Errorf("%w: %w: only an XPUB with XPUB_MANUAL subscribes its peers", zerr.ErrOption, zerr.ErrNotSupported)

// Subscribe adds (on) or removes one count of a SUB or XSUB subscription to prefix; on an
// XPUB_MANUAL XPUB, it subscribes the peer whose request was read last.
func (s *Socket) Subscribe(prefix []byte, on bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return s.closeErr
	}
	x, ok := s.pat.(subscriber)
	if !ok {
		return fmt.Errorf("%w: %w: %v cannot subscribe", zerr.ErrOption, zerr.ErrNotSupported, s.typ)
	}
	return x.appSubscribe(prefix, on)
}

// inprocOut's HasRoom lets XPUB_NODROP wait on an inproc subscriber's credit.
func (o inprocOut) HasRoom() bool { return o.peer.HasCredit() }
