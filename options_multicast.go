package zmq

import (
	"time"

	"github.com/purezmq/zmq/internal/zerr"
)

// The multicast transports' options (epgm, pgm): each applies to the endpoints opened after
// it is set, with libzmq's ranges and defaults.

// WithRate sets ZMQ_RATE: the most a multicast sender sends, data and repairs, in kbit/s.
// Default 100.
func WithRate(kbits int) Option {
	return func(o *socketOptions) error {
		if kbits <= 0 {
			return zerr.Option("RATE", "%d kbit/s is not positive", kbits)
		}
		o.Multicast.Rate = kbits
		return nil
	}
}

// WithRecoveryIvl sets ZMQ_RECOVERY_IVL: how long a multicast sender keeps what it sent, to
// repair a receiver's loss, in whole milliseconds. Default 10 s.
func WithRecoveryIvl(d time.Duration) Option {
	return func(o *socketOptions) error {
		if d < 0 || d.Milliseconds() > 1<<31-1 {
			return zerr.Option("RECOVERY_IVL", "%v not in 0..2^31-1 ms", d)
		}
		o.Multicast.RecoveryIvl = d.Truncate(time.Millisecond)
		return nil
	}
}

// WithMulticastHops sets ZMQ_MULTICAST_HOPS: the time-to-live of multicast packets, the
// routers they may cross. Default 1, the local network.
func WithMulticastHops(n int) Option {
	return func(o *socketOptions) error {
		if n <= 0 {
			return zerr.Option("MULTICAST_HOPS", "%d is not positive", n)
		}
		o.Multicast.Hops = n
		return nil
	}
}

// WithMulticastLoop sets ZMQ_MULTICAST_LOOP: whether receivers on the sender's own host hear
// it. Default true. libzmq 4.3 ignores it over epgm and pgm and never loops; purezmq honours
// it there too. A sender at a high rate does better with it off: with it on, its own socket
// hears every packet it sends (a fifth to a third of its CPU at 1 Gbit/s).
func WithMulticastLoop(on bool) Option {
	return func(o *socketOptions) error { o.Multicast.Loop = on; return nil }
}

// WithMulticastMaxTPDU sets ZMQ_MULTICAST_MAXTPDU: the largest multicast packet a sender
// makes, headers included, in bytes. Default 1500.
func WithMulticastMaxTPDU(n int) Option {
	return func(o *socketOptions) error {
		if n <= 0 {
			return zerr.Option("MULTICAST_MAXTPDU", "%d bytes is not positive", n)
		}
		o.Multicast.MaxTPDU = n
		return nil
	}
}

// multicastOption is WithOption for the multicast options.
func multicastOption(id OptionID, value any) (Option, bool) {
	fail := func(format string, args ...any) (Option, bool) {
		err := zerr.Option(id.String(), format, args...)
		return func(*socketOptions) error { return err }, true
	}
	switch id {
	case OptRate, OptMulticastHops, OptMulticastMaxTPDU:
		n, ok := asInt(value)
		if !ok {
			return fail("want an integer, got %T", value)
		}
		return map[OptionID]func(int) Option{
			OptRate: WithRate, OptMulticastHops: WithMulticastHops, OptMulticastMaxTPDU: WithMulticastMaxTPDU,
		}[id](n), true
	case OptRecoveryIvl:
		d, ok := asDuration(value, time.Millisecond)
		if !ok {
			return fail("want a time.Duration or an integer, got %T", value)
		}
		return WithRecoveryIvl(d), true
	case OptMulticastLoop:
		// As libzmq, any integer: non-zero is on.
		if b, ok := value.(bool); ok {
			return WithMulticastLoop(b), true
		}
		n, ok := asInt(value)
		if !ok {
			return fail("want a bool or an integer, got %T", value)
		}
		return WithMulticastLoop(n != 0), true
	}
	return nil, false
}
