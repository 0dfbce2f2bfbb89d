package zmq

import (
	"math"
	"time"

	"github.com/purezmq/zmq/internal/socket"
	"github.com/purezmq/zmq/internal/zerr"
)

// Option configures a socket at creation. Each documents its libzmq name and default; an
// out-of-range value makes NewSocket fail with ErrOption.
type Option func(*socketOptions) error

type socketOptions = socket.Options

// WithSendHWM sets ZMQ_SNDHWM: messages queued per peer before Send blocks (PUSH, DEALER, REQ,
// PAIR) or drops (ROUTER). 0 means no limit. Default 1000.
func WithSendHWM(n int) Option {
	return func(o *socketOptions) error {
		if n < 0 {
			return zerr.Option("SNDHWM", "%d is negative", n)
		}
		o.SendHWM = n
		return nil
	}
}

// WithRecvHWM sets ZMQ_RCVHWM: messages received from one peer and not yet read before the
// socket stops reading from it. 0 means no limit. Default 1000.
func WithRecvHWM(n int) Option {
	return func(o *socketOptions) error {
		if n < 0 {
			return zerr.Option("RCVHWM", "%d is negative", n)
		}
		o.RecvHWM = n
		return nil
	}
}

// WithLinger sets ZMQ_LINGER: how long a closed socket keeps writing, in the background, the
// messages it had queued. Close never waits for it; Context.Close and Shutdown do. A negative
// value keeps trying until they are written, 0 drops them at Close. Default 30 s, where
// libzmq's is infinite (-1): with it a peer that never comes makes Context.Close hang, as it
// does zmq_ctx_term, and keeps a closed socket's goroutines and reconnects alive for as long
// as the program runs; set -1 for libzmq's behaviour.
func WithLinger(d time.Duration) Option {
	return func(o *socketOptions) error {
		if d < 0 {
			d = -1
		}
		o.Linger = d
		return nil
	}
}

// WithReconnectIvl sets ZMQ_RECONNECT_IVL: the wait before reconnecting. Negative disables
// reconnection. Default 100 ms.
func WithReconnectIvl(d time.Duration) Option {
	return func(o *socketOptions) error {
		if d < 0 {
			d = -1
		}
		o.ReconnectIvl = d
		return nil
	}
}

// WithReconnectIvlMax sets ZMQ_RECONNECT_IVL_MAX: when above the reconnect interval, failed
// attempts double the wait up to this. 0 (the default) keeps the interval fixed.
func WithReconnectIvlMax(d time.Duration) Option {
	return func(o *socketOptions) error {
		if d < 0 {
			return zerr.Option("RECONNECT_IVL_MAX", "%v is negative", d)
		}
		o.ReconnectIvlMax = d
		return nil
	}
}

// WithRoutingID sets ZMQ_ROUTING_ID: the identity this socket announces, by which a ROUTER peer
// addresses it. 1 to 255 bytes, not starting with a zero byte. Default: none (the ROUTER makes
// one up).
func WithRoutingID(id []byte) Option {
	return func(o *socketOptions) error {
		if err := checkRoutingID("ROUTING_ID", id); err != nil {
			return err
		}
		o.RoutingID = append([]byte(nil), id...)
		return nil
	}
}

func checkRoutingID(name string, id []byte) error {
	if len(id) == 0 || len(id) > 255 {
		return zerr.Option(name, "length %d not in 1..255", len(id))
	}
	if id[0] == 0 {
		return zerr.Option(name, "must not start with a zero byte")
	}
	return nil
}

// WithMaxMsgSize sets ZMQ_MAXMSGSIZE: the largest inbound message in bytes (all frames
// together; libzmq bounds each frame); a peer sending a bigger one is disconnected. A frame
// costs memory whatever its size, so a message's frames past its 64th count 64 bytes each
// besides their own. Under CURVE the limit is on what the frames open to. A multicast receiver
// drops a message over it. -1, the default, means no limit.
func WithMaxMsgSize(n int64) Option {
	return func(o *socketOptions) error {
		if n < -1 {
			return zerr.Option("MAXMSGSIZE", "%d is below -1", n)
		}
		o.MaxMsgSize = n
		return nil
	}
}

// WithImmediate sets ZMQ_IMMEDIATE: queue messages only to peers whose connection is complete.
// Default false: a connect-side peer queues messages before it connects.
func WithImmediate(on bool) Option {
	return func(o *socketOptions) error { o.Immediate = on; return nil }
}

// WithRouterMandatory sets ZMQ_ROUTER_MANDATORY: a ROUTER fails Send with ErrHostUnreachable
// for an unknown routing id, and blocks at a peer's HWM, instead of dropping. Default false.
func WithRouterMandatory(on bool) Option {
	return func(o *socketOptions) error { onlyFor(o, OptRouterMandatory); o.RouterMandatory = on; return nil }
}

// WithRouterHandover sets ZMQ_ROUTER_HANDOVER: a peer connecting with a routing id already in
// use takes it over, instead of being refused. Default false.
func WithRouterHandover(on bool) Option {
	return func(o *socketOptions) error { onlyFor(o, OptRouterHandover); o.RouterHandover = on; return nil }
}

// WithProbeRouter sets ZMQ_PROBE_ROUTER: a ROUTER or DEALER sends an empty message to each new
// peer, so a ROUTER peer learns its routing id at once. Default false.
func WithProbeRouter(on bool) Option {
	return func(o *socketOptions) error { onlyFor(o, OptProbeRouter); o.ProbeRouter = on; return nil }
}

// WithReqCorrelate sets ZMQ_REQ_CORRELATE: a REQ prefixes each request with an id and accepts
// only the reply carrying it. Default false.
func WithReqCorrelate(on bool) Option {
	return func(o *socketOptions) error { onlyFor(o, OptReqCorrelate); o.ReqCorrelate = on; return nil }
}

// WithReqRelaxed sets ZMQ_REQ_RELAXED: a REQ may send a new request before the reply to the
// last one came (which is then ignored). Use with WithReqCorrelate. Default false.
func WithReqRelaxed(on bool) Option {
	return func(o *socketOptions) error { onlyFor(o, OptReqRelaxed); o.ReqRelaxed = on; return nil }
}

// WithTCPKeepalive sets ZMQ_TCP_KEEPALIVE: -1 keeps the system default, 0 turns keepalive off,
// 1 on. Default -1.
func WithTCPKeepalive(v int) Option {
	return func(o *socketOptions) error {
		if v < -1 || v > 1 {
			return zerr.Option("TCP_KEEPALIVE", "%d not in -1..1", v)
		}
		o.TCP.Keepalive = v
		return nil
	}
}

// WithTCPKeepaliveIdle sets ZMQ_TCP_KEEPALIVE_IDLE (whole seconds on the wire). Default: system.
func WithTCPKeepaliveIdle(d time.Duration) Option {
	return func(o *socketOptions) error {
		if d < 0 {
			return zerr.Option("TCP_KEEPALIVE_IDLE", "%v is negative", d)
		}
		o.TCP.KeepaliveIdle = d
		return nil
	}
}

// WithTCPKeepaliveIntvl sets ZMQ_TCP_KEEPALIVE_INTVL. Default: system.
func WithTCPKeepaliveIntvl(d time.Duration) Option {
	return func(o *socketOptions) error {
		if d < 0 {
			return zerr.Option("TCP_KEEPALIVE_INTVL", "%v is negative", d)
		}
		o.TCP.KeepaliveIntvl = d
		return nil
	}
}

// WithTCPKeepaliveCnt sets ZMQ_TCP_KEEPALIVE_CNT. -1, the default, keeps the system's.
func WithTCPKeepaliveCnt(n int) Option {
	return func(o *socketOptions) error {
		if n < -1 {
			return zerr.Option("TCP_KEEPALIVE_CNT", "%d is below -1", n)
		}
		o.TCP.KeepaliveCnt = n
		return nil
	}
}

// WithSendBuffer sets ZMQ_SNDBUF: the kernel send buffer (SO_SNDBUF) of each tcp and ipc
// connection, in bytes; the kernel adjusts it to its limits (Linux doubles it). 0 asks for the
// kernel's smallest; -1, the default, leaves the operating system's.
func WithSendBuffer(n int) Option {
	return func(o *socketOptions) error {
		if err := checkSockBuf("SNDBUF", n); err != nil {
			return err
		}
		o.Buffers.Send = n
		return nil
	}
}

// WithRecvBuffer sets ZMQ_RCVBUF: the kernel receive buffer (SO_RCVBUF) of each tcp and ipc
// connection, in bytes, as WithSendBuffer. Default -1, the operating system's. As libzmq, both
// are set before a tcp connection is made. Buffers of a few KiB make tcp slow (the sender waits
// on delayed ACKs), and the kernel's smallest receive buffer can stall a connection for seconds.
func WithRecvBuffer(n int) Option {
	return func(o *socketOptions) error {
		if err := checkSockBuf("RCVBUF", n); err != nil {
			return err
		}
		o.Buffers.Recv = n
		return nil
	}
}

// checkSockBuf bounds a buffer size to what setsockopt takes, a C int.
func checkSockBuf(name string, n int) error {
	if n < -1 || n > math.MaxInt32 {
		return zerr.Option(name, "%d not in -1..%d", n, math.MaxInt32)
	}
	return nil
}

// WithHandshakeIvl sets ZMQ_HANDSHAKE_IVL: the deadline for a new connection's ZMTP handshake;
// 0 disables it. Default 30 s.
func WithHandshakeIvl(d time.Duration) Option {
	return func(o *socketOptions) error {
		if d < 0 {
			return zerr.Option("HANDSHAKE_IVL", "%v is negative", d)
		}
		o.HandshakeIvl = d
		return nil
	}
}
