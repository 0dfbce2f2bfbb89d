package zmq

import (
	"strings"

	"github.com/purezmq/zmq/internal/zerr"
	"github.com/purezmq/zmq/zmtp"
)

// WithRouterNotify sets ZMQ_ROUTER_NOTIFY on a ROUTER: Recv returns [routing id, ""] when a
// peer's handshake completes (NotifyConnect) and when its connection ends (NotifyDisconnect),
// for connections from the next Bind or Connect. As in libzmq, the connection sends them, so
// inproc peers send none. Default 0.
func WithRouterNotify(flags int) Option {
	return func(o *socketOptions) error {
		if flags < 0 || flags > NotifyConnect|NotifyDisconnect {
			return zerr.Option("ROUTER_NOTIFY", "%d not in 0..3", flags)
		}
		onlyFor(o, OptRouterNotify)
		o.RouterNotify = flags
		return nil
	}
}

// WithMetadata sets ZMQ_METADATA: an application property announced to every peer in the
// handshake from the next Bind or Connect, which the peer reads with Msg.Property(name). The
// name must start with "X-" (as libzmq requires) and be a ZMTP property name (letters, digits,
// "-_.+", at most 255 bytes). Setting a name again replaces its value. Default: none.
func WithMetadata(name, value string) Option {
	return func(o *socketOptions) error {
		if err := checkMetadataName(name); err != nil {
			return err
		}
		for i, p := range o.Metadata {
			if strings.EqualFold(p.Name, name) {
				o.Metadata[i].Value = []byte(value)
				return nil
			}
		}
		o.Metadata = append(o.Metadata, zmtp.Property{Name: name, Value: []byte(value)})
		return nil
	}
}

func checkMetadataName(name string) error {
	if len(name) < 3 || len(name) > 255 || !strings.HasPrefix(strings.ToUpper(name), "X-") {
		return zerr.Option("METADATA", "name %q must be \"X-\" and 1 to 253 more bytes", name)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_.+", c) >= 0) {
			return zerr.Option("METADATA", "name %q has %q, not allowed in a ZMTP property name", name, c)
		}
	}
	return nil
}

// metaOption is WithOption for ROUTER_NOTIFY and METADATA ("X-key:value", as libzmq).
func metaOption(id OptionID, value any) (Option, bool) {
	fail := func(format string, args ...any) (Option, bool) {
		err := zerr.Option(id.String(), format, args...)
		return func(*socketOptions) error { return err }, true
	}
	switch id {
	case OptRouterNotify:
		n, ok := asInt(value)
		if !ok {
			return fail("want an integer, got %T", value)
		}
		return WithRouterNotify(n), true
	case OptMetadata:
		s, ok := asString(value)
		if !ok {
			return fail("want \"X-key:value\" as string or []byte, got %T", value)
		}
		name, val, ok := strings.Cut(s, ":")
		if !ok {
			return fail("%q is not \"X-key:value\"", s)
		}
		return WithMetadata(name, val), true
	}
	return nil, false
}
