package socket

import (
	"github.com/purezmq/zmq/internal/mechanism"
	"github.com/purezmq/zmq/internal/pipe"
	"github.com/purezmq/zmq/zmtp"
)

// SetOptions changes the options as set does to a copy of them, then publishes the copy:
// connection goroutines keep the snapshot they started with (copy on write), so neither they
// nor Send and Recv ever take a lock to read an option. What libzmq applies at once (the routing
// rules of ROUTER, REQ, XPUB and SUB, LINGER at Close) the pattern takes from the new copy here;
// everything else applies from the next Bind or Connect (each new pipe for the HWMs).
func (s *Socket) SetOptions(set func(*Options) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return s.closeErr
	}
	o := *s.opts()
	o.RoutingID = clone(o.RoutingID)
	o.XPubWelcomeMsg = clone(o.XPubWelcomeMsg)
	o.Metadata = append(zmtp.Metadata(nil), o.Metadata...)
	if err := set(&o); err != nil {
		return err
	}
	s.optp.Store(&o)
	if c, ok := s.pat.(configurer); ok {
		c.configure(&o)
	}
	return nil
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

// snapshot returns the options a new endpoint starts with: the current ones, with the CURVE
// keys checked and the public key derived, as NewSocket does for the options it is given.
func (s *Socket) snapshot() (*Options, error) {
	o := s.opts()
	if o.Security.Name() != mechanism.Curve {
		return o, nil
	}
	c := *o
	if err := c.Security.Prepare(); err != nil {
		return nil, err
	}
	return &c, nil
}

// configurer is a pattern with options that apply at once, as libzmq's do.
type configurer interface{ configure(o *Options) }

func (s *router) configure(o *Options) {
	s.mandatory, s.handover = o.RouterMandatory, o.RouterHandover
}

func (s *req) configure(o *Options) { s.correlate, s.relaxed = o.ReqCorrelate, o.ReqRelaxed }

func (x *xpub) configure(o *Options) {
	x.nodrop, x.invert = o.XPubNoDrop, o.InvertMatching
	x.subLimit = o.SubscriptionLimit // for subscriptions to come: those held stay
	if !x.pub {
		x.verbose, x.verboser = o.XPubVerbose || o.XPubVerboser, o.XPubVerboser
		x.welcome = o.XPubWelcomeMsg
		x.manual = o.XPubManual
		x.onlyFirst = o.OnlyFirstSubscribe
	}
}

func (x *xsub) configure(o *Options) { x.invert, x.onlyFirst = o.InvertMatching, o.OnlyFirstSubscribe }

// notify pushes ROUTER_NOTIFY's empty message from the peer of l, which the ROUTER receives
// as [routing id, ""], when o asks for the event (NotifyConnect, NotifyDisconnect). As in
// libzmq, the connection's engine sends it, so inproc peers send none.
func (s *Socket) notify(o *Options, l *link, event int) {
	if s.typ == ROUTER && o.RouterNotify&event != 0 {
		l.p.Push(pipe.Msg{{}})
	}
}
