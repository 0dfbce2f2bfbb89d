package socket

import (
	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/internal/zerr"
)

func init() {
	newSub := func(sub bool) func(o *Options) pattern {
		return func(o *Options) pattern {
			return &xsub{sub: sub, invert: o.InvertMatching, onlyFirst: o.OnlyFirstSubscribe}
		}
	}
	register(SUB, newSub(true), Caps{Recv: true, Conflate: true, PubSub: true})
	register(XSUB, newSub(false), Caps{Send: true, Recv: true, PubSub: true})
}

// xsub subscribes at every publisher it is connected to and fair-queues what they send (RFC
// 29). Subscriptions are counted: an unsubscription goes upstream only when the last one of a
// topic is undone. Each new peer is sent every current subscription. SUB also filters what it
// receives (over inproc the publisher filters nothing it has not been told yet, and a message
// may cross an unsubscription on the wire) and takes subscriptions only through Subscribe; XSUB
// takes them as messages (\x01topic, \x00topic) and passes anything else upstream.
type xsub struct {
	dist
	sub    bool
	subs   trie
	invert bool // INVERT_MATCHING (SUB): deliver what does not match
	// onlyFirst is ONLY_FIRST_SUBSCRIBE: frames after a subscription go upstream as a message.
	onlyFirst bool
}

func (x *xsub) attach(p *pipe.Pipe) bool {
	x.add(p)
	if p.Ctl != nil {
		x.subs.each(func(prefix []byte) { p.Ctl(append([]byte{1}, prefix...)) })
	}
	return true
}

func (x *xsub) detach(p *pipe.Pipe) { x.remove(p) }

// appSubscribe adds or removes one count of the application's subscription to prefix.
func (x *xsub) appSubscribe(prefix []byte, on bool) error {
	sub := make([]byte, 1+len(prefix))
	if on {
		sub[0] = 1
	}
	copy(sub[1:], prefix)
	x.subscribe(sub)
	return nil
}

// subscribe applies a subscription in message form and tells every peer when it must.
func (x *xsub) subscribe(sub []byte) {
	topic := sub[1:]
	if sub[0] == 1 {
		// Every subscription goes upstream, duplicates included: the publisher's side
		// de-duplicates, and a forwarding XPUB_VERBOSE proxy must see them all (libzmq 4.3).
		x.subs.add(topic, nil, false)
	} else if _, gone, _ := x.subs.rm(topic, nil); !gone {
		return
	}
	for _, p := range x.pipes {
		if p.Ctl != nil {
			p.Ctl(append([]byte(nil), sub...))
		}
	}
}

func (x *xsub) send(m pipe.Msg) error {
	if x.sub {
		return zerr.ErrNotSupported
	}
	if f := m[0]; len(f) > 0 && f[0] <= 1 {
		if !x.ctlRoom() {
			return errAgain
		}
		x.subscribe(f)
		if x.onlyFirst && len(m) > 1 {
			x.sendAll(m[1:])
		}
		return nil
	}
	x.sendAll(m)
	return nil
}

// ctlRoom reports whether every peer can take a subscription now; those that cannot wake the
// senders when they can.
func (x *xsub) ctlRoom() bool {
	ok := true
	for _, p := range x.pipes {
		if !p.CtlRoom() {
			ok = false // ask the others too, so each one full signals when it drains
		}
	}
	return ok
}

func (x *xsub) canRecv() error { return nil }

func (x *xsub) recv(p *pipe.Pipe, m pipe.Msg) (pipe.Msg, bool) {
	if !x.sub {
		return m, true
	}
	return m, x.subs.matches(m[0]) != x.invert
}
