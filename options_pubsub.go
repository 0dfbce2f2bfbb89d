package zmq

import "github.com/purezmq/zmq/internal/zerr"

// WithXPubVerbose sets ZMQ_XPUB_VERBOSE: an XPUB passes every subscription to the application,
// not only the first for each topic. Default false.
func WithXPubVerbose(on bool) Option {
	return func(o *socketOptions) error { onlyFor(o, OptXPubVerbose); o.XPubVerbose = on; return nil }
}

// WithXPubVerboser sets ZMQ_XPUB_VERBOSER: as WithXPubVerbose, and every unsubscription too.
// Default false.
func WithXPubVerboser(on bool) Option {
	return func(o *socketOptions) error { onlyFor(o, OptXPubVerboser); o.XPubVerboser = on; return nil }
}

// WithXPubNoDrop sets ZMQ_XPUB_NODROP: a PUB or XPUB whose matching subscriber is at its HWM
// makes Send wait (or fail with the ctx's error) instead of dropping the message for it.
// Default false.
func WithXPubNoDrop(on bool) Option {
	return func(o *socketOptions) error { onlyFor(o, OptXPubNoDrop); o.XPubNoDrop = on; return nil }
}

// WithXPubWelcomeMsg sets ZMQ_XPUB_WELCOME_MSG: a message an XPUB sends each new subscriber as
// it connects (a SUB receives it only if subscribed to a prefix of it). Default none.
func WithXPubWelcomeMsg(msg []byte) Option {
	return func(o *socketOptions) error {
		onlyFor(o, OptXPubWelcomeMsg)
		o.XPubWelcomeMsg = append([]byte(nil), msg...)
		return nil
	}
}

// WithMaxSubscriptionBytes bounds what one peer's subscriptions may cost a PUB or XPUB: each
// subscription counts its topic's bytes and 256 more (its entry in the subscription tree). A
// peer that subscribes past it is disconnected and all its subscriptions dropped; the
// DISCONNECTED event's Err matches ErrSubscriptionLimit. purezmq's own option
// (MAX_SUBSCRIPTION_BYTES, OptMaxSubscriptionBytes): libzmq keeps whatever its subscribers send.
// Default 16 MiB, some 60,000 topics of 20 bytes a peer; -1 lifts the limit. Inproc peers,
// the program's own, are not counted. A change applies to the subscriptions that come after it.
func WithMaxSubscriptionBytes(n int64) Option {
	return func(o *socketOptions) error {
		onlyFor(o, OptMaxSubscriptionBytes)
		if n < -1 {
			return zerr.Option("MAX_SUBSCRIPTION_BYTES", "%d is below -1", n)
		}
		o.SubscriptionLimit = n
		return nil
	}
}

// WithInvertMatching sets ZMQ_INVERT_MATCHING: a PUB or XPUB sends each message to the
// subscribers with no matching subscription, and a SUB receives only messages matching none of
// its own. Set it on both sides. Default false.
func WithInvertMatching(on bool) Option {
	return func(o *socketOptions) error { o.InvertMatching = on; return nil }
}

// WithXPubManual sets ZMQ_XPUB_MANUAL: an XPUB applies no subscription by itself. Every request
// (\x01topic, \x00topic, duplicates included) reaches Recv, and Subscribe / Unsubscribe on the
// XPUB decide what the peer whose request was read last receives. Default false.
func WithXPubManual(on bool) Option {
	return func(o *socketOptions) error { onlyFor(o, OptXPubManual); o.XPubManual = on; return nil }
}

// WithOnlyFirstSubscribe sets ZMQ_ONLY_FIRST_SUBSCRIBE (XPUB, XSUB): only the first frame of a
// multipart message is taken as a subscription or unsubscription; the frames after it travel as
// an ordinary message (upstream from an XSUB, to the application of an XPUB), so a subscription
// can carry a payload through a proxy. Without it the frames after a subscription are dropped.
// Default false.
func WithOnlyFirstSubscribe(on bool) Option {
	return func(o *socketOptions) error { onlyFor(o, OptOnlyFirstSubscribe); o.OnlyFirstSubscribe = on; return nil }
}

// WithConflate sets ZMQ_CONFLATE: each peer's queue holds only the newest message, both ways,
// for state updates where only the latest matters. A PULL, SUB or DEALER keeps the newest
// message received from each peer, each new one replacing the one not yet read; a PUSH, PUB or
// DEALER keeps the newest message for each peer that it has not yet written, so a PUSH that
// queued ten messages before its peer connected delivers only the last. The HWMs do not apply.
// Other types (PAIR, REQ, REP, ROUTER, STREAM, XPUB, XSUB) ignore it, as libzmq. Unlike libzmq, which
// keeps only one frame, a multipart message is kept whole. Default false.
func WithConflate(on bool) Option {
	return func(o *socketOptions) error { o.Conflate = on; return nil }
}

// pubsubOption is WithOption for the publish-subscribe options.
func pubsubOption(id OptionID, value any) (Option, bool) {
	var set func(bool) Option
	switch id {
	case OptXPubVerbose:
		set = WithXPubVerbose
	case OptXPubVerboser:
		set = WithXPubVerboser
	case OptXPubNoDrop:
		set = WithXPubNoDrop
	case OptInvertMatching:
		set = WithInvertMatching
	case OptConflate:
		set = WithConflate
	case OptXPubManual:
		set = WithXPubManual
	case OptOnlyFirstSubscribe:
		set = WithOnlyFirstSubscribe
	case OptXPubWelcomeMsg:
		switch v := value.(type) {
		case []byte:
			return WithXPubWelcomeMsg(v), true
		case string:
			return WithXPubWelcomeMsg([]byte(v)), true
		}
		return nil, false
	default:
		return nil, false
	}
	b, ok := asBool(value)
	if !ok {
		return nil, false
	}
	return set(b), true
}
