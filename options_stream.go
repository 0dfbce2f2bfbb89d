package zmq

import "github.com/purezmq/zmq/internal/zerr"

// OptStreamNotify is ZMQ_STREAM_NOTIFY, bool or 0/1.
const OptStreamNotify OptionID = 73

// WithStreamNotify sets ZMQ_STREAM_NOTIFY: a STREAM socket's application receives
// [routing id, empty frame] when a connection opens and when its peer closes it. Default true.
func WithStreamNotify(on bool) Option {
	return func(o *socketOptions) error { onlyFor(o, OptStreamNotify); o.StreamNotify = on; return nil }
}

func streamOption(id OptionID, value any) (Option, bool) {
	if id != OptStreamNotify {
		return nil, false
	}
	b, ok := asBool(value)
	if !ok {
		return func(*socketOptions) error { return zerr.Option(id.String(), "want a bool or 0/1, got %v", value) }, true
	}
	return WithStreamNotify(b), true
}
