package zmq

import (
	"time"

	"github.com/purezmq/zmq/internal/engine"
	"github.com/purezmq/zmq/internal/zerr"
)

// ErrHeartbeatTimeout is why a connection was dropped when its peer went silent: nothing arrived
// within HEARTBEAT_TIMEOUT of a PING, or within the TTL the peer's own PINGs asked for.
var ErrHeartbeatTimeout = engine.ErrHeartbeatTimeout

// WithHeartbeatIvl sets ZMQ_HEARTBEAT_IVL: how often each connection to a ZMTP 3.1 peer sends a
// PING (RFC 37). A peer that then sends nothing within HEARTBEAT_TIMEOUT is disconnected, and a
// connect-side endpoint reconnects. 0 sends none. Default 0.
func WithHeartbeatIvl(d time.Duration) Option {
	return func(o *socketOptions) error {
		if d < 0 {
			return zerr.Option("HEARTBEAT_IVL", "%v is negative", d)
		}
		o.HeartbeatIvl = d
		return nil
	}
}

// WithHeartbeatTTL sets ZMQ_HEARTBEAT_TTL: announced in our PINGs, it asks the peer to drop the
// connection when it hears nothing from us for this long. Carried in whole deciseconds, so
// anything under 100 ms means none; at most 6553.5 s. Default 0.
func WithHeartbeatTTL(d time.Duration) Option {
	return func(o *socketOptions) error {
		if d < 0 || d > 0xffff*100*time.Millisecond {
			return zerr.Option("HEARTBEAT_TTL", "%v is outside 0 to 6553.5s", d)
		}
		o.HeartbeatTTL = d
		return nil
	}
}

// WithHeartbeatTimeout sets ZMQ_HEARTBEAT_TIMEOUT: how long a peer may stay silent after a PING
// before the connection is dropped. 0 means HEARTBEAT_IVL, as in libzmq. Default 0.
func WithHeartbeatTimeout(d time.Duration) Option {
	return func(o *socketOptions) error {
		if d < 0 {
			return zerr.Option("HEARTBEAT_TIMEOUT", "%v is negative", d)
		}
		o.HeartbeatTimeout = d
		return nil
	}
}
