package zmq

import (
	"strings"
	"time"

	"github.com/purezmq/zmq/internal/zerr"
)

// WithIPv6 sets ZMQ_IPV6: tcp endpoints may use IPv6. Without it, as in libzmq, a Bind or
// Connect to an IPv6 address fails with ErrEndpoint, host names resolve to IPv4 only and
// "tcp://*:port" binds IPv4 only; with it "*" binds both families. Default false.
func WithIPv6(on bool) Option {
	return func(o *socketOptions) error { o.TCP.IPv6 = on; return nil }
}

// WithBacklog sets ZMQ_BACKLOG: the queue of tcp connections not yet accepted, for the next
// Bind (on Linux; elsewhere the system's). Default 100.
func WithBacklog(n int) Option {
	return func(o *socketOptions) error {
		if n < 0 {
			return zerr.Option("BACKLOG", "%d is negative", n)
		}
		o.TCP.Backlog = n
		return nil
	}
}

// WithTOS sets ZMQ_TOS: the IP type-of-service byte (IPV6_TCLASS over IPv6) of tcp
// connections made or accepted from the next Bind or Connect, Linux only. 0, the default,
// leaves the system's.
func WithTOS(tos int) Option {
	return func(o *socketOptions) error {
		if tos < 0 || tos > 255 {
			return zerr.Option("TOS", "%d not in 0..255", tos)
		}
		o.TCP.TOS = tos
		return nil
	}
}

// WithTCPMaxRT sets ZMQ_TCP_MAXRT: how long data may stay unacknowledged before the
// connection is dropped, as TCP_USER_TIMEOUT on Linux (as libzmq; no effect elsewhere), in
// whole milliseconds. 0, the default, leaves the system's.
func WithTCPMaxRT(d time.Duration) Option {
	return func(o *socketOptions) error {
		if d < 0 || d.Milliseconds() > 1<<31-1 {
			return zerr.Option("TCP_MAXRT", "%v not in 0..2^31-1 ms", d)
		}
		o.TCP.MaxRT = d
		return nil
	}
}

// WithBindToDevice sets ZMQ_BINDTODEVICE: tcp connections and listeners of the next Bind or
// Connect use only the network interface named (SO_BINDTODEVICE, Linux only; older kernels
// want CAP_NET_RAW, else the Bind or the connection fails). "" (the default) for any.
func WithBindToDevice(name string) Option {
	return func(o *socketOptions) error {
		if len(name) > 15 || strings.IndexByte(name, 0) >= 0 {
			return zerr.Option("BINDTODEVICE", "%q is not an interface name (at most 15 bytes, no NUL)", name)
		}
		o.TCP.BindToDevice = name
		return nil
	}
}

// transportOption is WithOption for the tcp options.
func transportOption(id OptionID, value any) (Option, bool) {
	fail := func(format string, args ...any) (Option, bool) {
		err := zerr.Option(id.String(), format, args...)
		return func(*socketOptions) error { return err }, true
	}
	switch id {
	case OptIPv6, OptIPv4Only:
		b, ok := asBool(value)
		if !ok {
			return fail("want a bool or 0/1, got %v", value)
		}
		return WithIPv6(b == (id == OptIPv6)), true
	case OptBacklog, OptTOS:
		n, ok := asInt(value)
		if !ok {
			return fail("want an integer, got %T", value)
		}
		if id == OptTOS {
			return WithTOS(n), true
		}
		return WithBacklog(n), true
	case OptTCPMaxRT:
		d, ok := asDuration(value, time.Millisecond)
		if !ok {
			return fail("want a time.Duration or an integer, got %T", value)
		}
		return WithTCPMaxRT(d), true
	case OptBindToDevice:
		s, ok := asString(value)
		if !ok {
			return fail("want string or []byte, got %T", value)
		}
		return WithBindToDevice(s), true
	}
	return nil, false
}

func asString(v any) (string, bool) {
	switch s := v.(type) {
	case string:
		return s, true
	case []byte:
		return string(s), true
	}
	return "", false
}
