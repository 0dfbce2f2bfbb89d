package socket

import (
	"fmt"

	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/internal/zerr"
)

func init() {
	// PUB is XPUB keeping subscriptions to itself: RFC 29's cooked type on the raw one.
	register(PUB, func(o *Options) pattern { return newXPub(o, true) }, Caps{Send: true, Conflate: true, PubSub: true})
	register(XPUB, func(o *Options) pattern { return newXPub(o, false) }, Caps{Send: true, Recv: true, PubSub: true})
}

// xpub publishes each message to the peers subscribed to a prefix of its first frame, dropping
// it for a peer at its HWM (RFC 29). Subscriptions arrive through each pipe's Hook as they are
// received, whether or not anybody calls Recv; XPUB hands them to the application too
// (\x01topic, \x00topic), once per topic unless verbose, with any other upstream message.
// PUB is the same with no Recv.
type xpub struct {
	dist
	pub      bool
	subs     trie
	verbose  bool // XPUB_VERBOSE: every subscription reaches the application
	verboser bool // XPUB_VERBOSER: every unsubscription too
	nodrop   bool // XPUB_NODROP: wait (or fail) for room instead of dropping
	invert   bool // INVERT_MATCHING
	welcome  []byte

	// XPUB_MANUAL: what peers ask for only reaches the application, which decides with
	// Subscribe what the peer whose request it read last (last) gets. asked keeps the
	// requests, to report them as unsubscriptions when their peer goes.
	manual bool
	asked  trie
	last   *pipe.Pipe

	onlyFirst bool // ONLY_FIRST_SUBSCRIBE: frames after a subscription reach the application

	subLimit int64 // MAX_SUBSCRIPTION_BYTES: what one connection's subscriptions may cost; -1 none
}

func newXPub(o *Options, pub bool) *xpub {
	x := &xpub{pub: pub, nodrop: o.XPubNoDrop, invert: o.InvertMatching, subLimit: o.SubscriptionLimit}
	if !pub {
		x.verbose, x.verboser = o.XPubVerbose || o.XPubVerboser, o.XPubVerboser
		x.welcome = o.XPubWelcomeMsg
		x.manual = o.XPubManual
		x.onlyFirst = o.OnlyFirstSubscribe
	}
	return x
}

func (x *xpub) attach(p *pipe.Pipe) bool {
	x.add(p)
	if len(x.welcome) > 0 {
		p.TryPush(pipe.Msg{append([]byte(nil), x.welcome...)})
	}
	return true
}

func (x *xpub) detach(p *pipe.Pipe) {
	x.remove(p)
	if x.last == p {
		x.last = nil
	}
	if x.manual {
		x.subs.rmPipe(p, nil)
		x.asked.rmPipe(p, func(prefix []byte, _ bool) { p.Push(pipe.Msg{append([]byte{0}, prefix...)}) })
		return
	}
	x.subs.rmPipe(p, func(prefix []byte, last bool) {
		// As libzmq: the topics nobody wants any more, or with XPUB_VERBOSER all of them.
		if !x.pub && (last || x.verboser) {
			p.Push(pipe.Msg{append([]byte{0}, prefix...)})
		}
	})
	// Requests the peer made while XPUB_MANUAL was on (libzmq leaves them for good).
	x.asked.rmPipe(p, nil)
	p.SubBytes = 0
}

func (x *xpub) send(m pipe.Msg) error {
	if x.logsOnly() {
		x.sendMatching(&x.subs, m)
		return nil
	}
	x.match(&x.subs, m[0], x.invert)
	if x.nodrop && !x.roomy() {
		return errAgain
	}
	x.sendMatched(m)
	return nil
}

// logsOnly reports whether a send only writes the message into the log the connections
// share, for each matching one to take (sendMatching).
func (x *xpub) logsOnly() bool { return !x.nodrop && !x.invert && x.allLogged() }

func (x *xpub) sendLog() *pipe.Log {
	if x.logsOnly() {
		return x.log
	}
	return nil
}

func (x *xpub) canRecv() error {
	if x.pub {
		return zerr.ErrNotSupported
	}
	return nil
}

func (x *xpub) recv(p *pipe.Pipe, m pipe.Msg) (pipe.Msg, bool) {
	if x.manual && len(m[0]) > 0 && m[0][0] <= 1 {
		x.last = p // every upstream message starting so is a (un)subscription
	}
	return m, !x.pub
}

// appSubscribe applies the application's decision on the last request read (XPUB_MANUAL).
func (x *xpub) appSubscribe(prefix []byte, on bool) error {
	if !x.manual {
		return errNotManual
	}
	if x.last == nil {
		return nil
	}
	if on {
		x.subs.add(prefix, x.last, true)
	} else {
		x.subs.rm(prefix, x.last)
	}
	return nil
}

// intercept applies a subscription (\x01topic) or unsubscription (\x00topic) from p as it
// arrives. Anything else is consumed by PUB (which never reads) and queued for XPUB's Recv.
// What XPUB's application must see of a subscription is appended to dst, for the connection
// to queue within RCVHWM: a connection whose application's queue is full stops reading.
func (x *xpub) intercept(p *pipe.Pipe, m pipe.Msg, dst []pipe.Msg) ([]pipe.Msg, bool, error) {
	f := m[0]
	if len(f) == 0 || f[0] > 1 {
		return dst, x.pub, nil
	}
	topic := f[1:]
	held := &x.subs // what the peer's requests go into: with XPUB_MANUAL, the application decides
	if x.manual {
		held = &x.asked
	}
	var notify bool
	if f[0] == 1 {
		if err := x.admit(p, held, topic); err != nil {
			return dst, true, err
		}
		created, first := held.add(topic, p, true)
		charge(p, topic, created)
		notify = x.manual || first || x.verbose
	} else {
		found, gone, last := held.rm(topic, p)
		refund(p, topic, gone)
		notify = x.manual || !found || last || x.verboser
	}
	if notify && !x.pub {
		dst = append(dst, pipe.Msg{f})
	}
	if x.onlyFirst && len(m) > 1 {
		dst = append(dst, m[1:]) // after the subscription, as it came
	}
	return dst, true, nil
}

// A subscription costs its publisher its topic's bytes and a trie entry, about subEntryCost
// bytes however long the topic (the node, its map slot, its subscriber's count). What one
// connection's subscriptions cost is bounded by MAX_SUBSCRIPTION_BYTES (subLimit): a peer that
// would go past it is disconnected, its subscriptions all dropped, rather than let grow the
// publisher's memory without bound. Inproc peers are the program's own, and not limited.
const subEntryCost = 256

func subCost(topic []byte) int64 { return int64(len(topic)) + subEntryCost }

// admit refuses a subscription to topic that p does not hold yet in held and that would take
// its connection's subscriptions past the limit.
func (x *xpub) admit(p *pipe.Pipe, held *trie, topic []byte) error {
	if x.subLimit < 0 || !p.Encodes {
		return nil
	}
	cost := p.SubBytes + subCost(topic)
	if cost <= x.subLimit || held.has(topic, p) {
		return nil
	}
	return fmt.Errorf("%w: a subscription of %d bytes would take the peer's to %d bytes, over MAX_SUBSCRIPTION_BYTES %d",
		zerr.ErrSubscriptionLimit, len(topic), cost, x.subLimit)
}

// charge counts topic's cost against p's limit when p's subscription to it was created.
func charge(p *pipe.Pipe, topic []byte, created bool) {
	if created {
		p.SubBytes += subCost(topic)
	}
}

// refund gives topic's cost back to p when p's subscription to it is gone.
func refund(p *pipe.Pipe, topic []byte, gone bool) {
	if gone {
		p.SubBytes -= subCost(topic)
	}
}
