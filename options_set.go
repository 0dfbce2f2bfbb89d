package zmq

import "github.com/purezmq/zmq/internal/zerr"

// SetOption sets option id on an open socket, as zmq_setsockopt, with values typed as for
// WithOption. As in libzmq, a change applies from the next Bind or Connect (each new
// connection, and each new peer's queues for SNDHWM, RCVHWM and CONFLATE), except what libzmq
// applies at once: SUBSCRIBE and UNSUBSCRIBE, LINGER (read by Close), ROUTER_MANDATORY,
// ROUTER_HANDOVER, REQ_RELAXED, REQ_CORRELATE, XPUB_VERBOSE(R), XPUB_NODROP, XPUB_MANUAL,
// XPUB_WELCOME_MSG, INVERT_MATCHING and ONLY_FIRST_SUBSCRIBE. Connections already made keep
// the options they started with, reconnections of an endpoint included. An invalid value is
// ErrOption and changes nothing.
func (s *Socket) SetOption(id OptionID, value any) error {
	switch id {
	case OptSubscribe, OptUnsubscribe, OptConnectRoutingID:
		str, ok := asString(value)
		if !ok {
			return zerr.Option(id.String(), "want []byte or string, got %T", value)
		}
		b := []byte(str)
		switch id {
		case OptSubscribe:
			return s.Subscribe(b)
		case OptUnsubscribe:
			return s.Unsubscribe(b)
		}
		return s.SetConnectRoutingID(b)
	}
	return s.SetOptions(WithOption(id, value))
}

// SetOptions applies construction options to an open socket, as SetOption does by number:
// s.SetOptions(zmq.WithLinger(0), zmq.WithSendHWM(10)) is the typed way to change options.
// They apply together or, when one fails, not at all.
func (s *Socket) SetOptions(opts ...Option) error {
	return s.s.SetOptions(func(o *socketOptions) error {
		for _, opt := range opts {
			if err := opt(o); err != nil {
				return err
			}
		}
		return checkOptionTypes(o, s.Type())
	})
}
