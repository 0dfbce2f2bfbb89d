package socket

import (
	"slices"

	"github.com/purezmq/zmq/internal/pipe"
)

// dist sends each message to a set of pipes: all of them, or those a trie matched (RFC 29).
//
// A message goes out once for every connection (pipe.Pipe.Encodes): their writers only read
// it, so they all queue the same frame list, with no copy and no allocation however many there
// are. An inproc peer's application owns what it receives, and may change or recycle it, so
// when the message goes anywhere else too, each inproc peer gets a copy of its own.
type dist struct {
	pipes   []*pipe.Pipe
	matched []*pipe.Pipe // the pipes one send goes to, reused
	epoch   uint64       // marks the pipes matched by the current send (pipe.Pipe.Mark)
	log     *pipe.Log    // shared by the connections' queues (pipe.Pipe.Shared)
	logged  int          // pipes holding runs of log
}

// sharedLog returns the log the socket's connections' queues may hold runs of.
func (d *dist) sharedLog() *pipe.Log {
	if d.log == nil {
		d.log = pipe.NewLog()
	}
	return d.log
}

func (d *dist) add(p *pipe.Pipe) {
	d.pipes = append(d.pipes, p)
	if p.Shared != nil {
		d.logged++
	}
}

func (d *dist) remove(p *pipe.Pipe) {
	if i := slices.Index(d.pipes, p); i >= 0 {
		d.pipes = slices.Delete(d.pipes, i, i+1)
		if p.Shared != nil {
			d.logged--
		}
	}
	// matched is overwritten, not cleared, per send: forget p here instead.
	clear(d.matched[:cap(d.matched)])
	d.matched = d.matched[:0]
}

// match sets matched to the pipes subs has for data, each once however many of its
// subscriptions match; with invert, to the pipes that did not match instead.
func (d *dist) match(subs *trie, data []byte, invert bool) {
	d.epoch++
	d.matched = d.matched[:0]
	subs.match(data, func(p *pipe.Pipe) {
		if p.Mark != d.epoch {
			p.Mark = d.epoch
			d.matched = append(d.matched, p)
		}
	})
	if invert {
		d.matched = d.matched[:0]
		for _, p := range d.pipes {
			if p.Mark != d.epoch {
				d.matched = append(d.matched, p)
			}
		}
	}
}

// allLogged reports whether the pipes are several, every one a connection holding runs of the
// log: a send can then go to each as the trie finds it (sendMatching).
func (d *dist) allLogged() bool { return d.logged > 1 && d.logged == len(d.pipes) }

// sendMatching gives m to each pipe subs has for data, once however many of its subscriptions
// match, dropping it for those at their HWM, as the trie finds them: what match and deliver do
// for allLogged pipes without building the list of them, a pointer written per subscriber and
// message, which the garbage collector's write barrier taxes whenever it marks. Per subscriber
// it reads the trie's entry and the pipe, and the queue only when it takes the message: a
// range over the trie's prefixes, not a callback per subscriber (with 100 subscribers over ipc
// the callback and the queue's flag were two thirds of the publisher's CPU per message).
func (d *dist) sendMatching(subs *trie, m pipe.Msg) {
	d.epoch++
	epoch := d.epoch
	var ref pipe.Ref
	logged := false
	for refs := range subs.prefixes(m[0]) {
		for _, r := range refs {
			p := r.p
			if p.Mark == epoch {
				continue
			}
			p.Mark = epoch
			if p.AtHWM.Load() {
				continue // dropped, with nothing read but the pipe
			}
			if !logged {
				ref, logged = d.log.Append(m), true
			}
			p.Shared.TryPushRef(ref)
		}
	}
}

// roomy reports whether every matched pipe can take a message now.
func (d *dist) roomy() bool {
	ok := true
	for _, p := range d.matched {
		if !p.HasRoom() {
			ok = false // keep asking the others, so each one full signals when it drains
		}
	}
	return ok
}

// sendMatched gives m to every matched pipe that has room and drops it for the others.
func (d *dist) sendMatched(m pipe.Msg) { d.deliver(m, d.matched) }

// sendAll gives m to every pipe that has room.
func (d *dist) sendAll(m pipe.Msg) { d.deliver(m, d.pipes) }

// deliver gives m to each of to that has room. The connections share m: those whose queues hold
// runs of the log find it there, written once. m itself goes to an inproc peer only when no
// connection took it, and to the last such peer, once every copy for the others is made: from
// then on its application may change it.
func (d *dist) deliver(m pipe.Msg, to []*pipe.Pipe) {
	shared := false
	inproc := 0
	var ref pipe.Ref
	logged := false
	for _, p := range to {
		switch {
		case p.Shared != nil && len(to) > 1:
			// One peer alone goes through its link, which may write it from this goroutine.
			if p.AtHWM.Load() {
				continue
			}
			if !logged {
				ref, logged = d.log.Append(m), true
			}
			if p.Shared.TryPushRef(ref) {
				shared = true
			}
		case p.Encodes:
			if p.TryPush(m) {
				shared = true
			}
		default:
			inproc++
		}
	}
	if inproc == 0 {
		return
	}
	var spare pipe.Msg // a copy a full peer did not take, for the next one
	for _, p := range to {
		if p.Encodes {
			continue
		}
		inproc--
		if inproc == 0 && !shared {
			p.TryPush(m)
			return
		}
		if spare == nil {
			spare = pipe.CopyMsg(m)
		}
		if p.TryPush(spare) {
			spare = nil
		}
	}
}

// shareLog makes the queue of l, a new connection's, hold runs of the pattern's log when it
// has one (a publisher's), so one message sent to many connections is written once. Not with
// CONFLATE, whose queue replaces what it holds. With s.mu held, before anything is pushed.
func (s *Socket) shareLog(l *link, o *Options) {
	d, ok := s.pat.(interface{ sharedLog() *pipe.Log })
	if !ok || s.conflates(o) {
		return
	}
	l.q.SetLog(d.sharedLog())
	l.q.FlagHWMIn(&l.p.AtHWM)
	l.p.Shared = l.q
}
