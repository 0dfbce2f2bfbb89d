package zmq

import (
	"fmt"
	"strings"
	"time"

	"github.com/purezmq/zmq/internal/zerr"
)

// OptionID is a socket option's libzmq number (ZMQ_SNDHWM is 23), for code that sets options by
// number or by name, such as a command line or a port from another binding. Go code normally
// uses the With... functions instead.
type OptionID int

// Option numbers, equal to libzmq's.
const (
	OptRoutingID          OptionID = 5   // ZMQ_ROUTING_ID, []byte or string
	OptSendBuffer         OptionID = 11  // ZMQ_SNDBUF, bytes
	OptRecvBuffer         OptionID = 12  // ZMQ_RCVBUF, bytes
	OptType               OptionID = 16  // ZMQ_TYPE, read-only: Socket.Type
	OptLinger             OptionID = 17  // ZMQ_LINGER, milliseconds or time.Duration
	OptReconnectIvl       OptionID = 18  // ZMQ_RECONNECT_IVL, milliseconds or time.Duration
	OptReconnectIvlMax    OptionID = 21  // ZMQ_RECONNECT_IVL_MAX, milliseconds or time.Duration
	OptMaxMsgSize         OptionID = 22  // ZMQ_MAXMSGSIZE, bytes
	OptSendHWM            OptionID = 23  // ZMQ_SNDHWM, messages
	OptRecvHWM            OptionID = 24  // ZMQ_RCVHWM, messages
	OptLastEndpoint       OptionID = 32  // ZMQ_LAST_ENDPOINT, read-only: Socket.LastEndpoint
	OptRouterMandatory    OptionID = 33  // ZMQ_ROUTER_MANDATORY, bool or 0/1
	OptTCPKeepalive       OptionID = 34  // ZMQ_TCP_KEEPALIVE, -1/0/1
	OptTCPKeepaliveCnt    OptionID = 35  // ZMQ_TCP_KEEPALIVE_CNT
	OptTCPKeepaliveIdle   OptionID = 36  // ZMQ_TCP_KEEPALIVE_IDLE, seconds or time.Duration
	OptTCPKeepaliveIntvl  OptionID = 37  // ZMQ_TCP_KEEPALIVE_INTVL, seconds or time.Duration
	OptImmediate          OptionID = 39  // ZMQ_IMMEDIATE, bool or 0/1
	OptPlainServer        OptionID = 44  // ZMQ_PLAIN_SERVER, bool or 0/1
	OptPlainUsername      OptionID = 45  // ZMQ_PLAIN_USERNAME, string or []byte
	OptPlainPassword      OptionID = 46  // ZMQ_PLAIN_PASSWORD, string or []byte
	OptCurveServer        OptionID = 47  // ZMQ_CURVE_SERVER, bool or 0/1
	OptCurvePublicKey     OptionID = 48  // ZMQ_CURVE_PUBLICKEY, 32 bytes or 40 Z85 characters
	OptCurveSecretKey     OptionID = 49  // ZMQ_CURVE_SECRETKEY, 32 bytes or 40 Z85 characters
	OptCurveServerKey     OptionID = 50  // ZMQ_CURVE_SERVERKEY, 32 bytes or 40 Z85 characters
	OptProbeRouter        OptionID = 51  // ZMQ_PROBE_ROUTER, bool or 0/1
	OptReqCorrelate       OptionID = 52  // ZMQ_REQ_CORRELATE, bool or 0/1
	OptReqRelaxed         OptionID = 53  // ZMQ_REQ_RELAXED, bool or 0/1
	OptZAPDomain          OptionID = 55  // ZMQ_ZAP_DOMAIN, string or []byte
	OptZAPEnforceDomain   OptionID = 93  // ZMQ_ZAP_ENFORCE_DOMAIN (draft in libzmq 4.3), bool or 0/1
	OptRouterHandover     OptionID = 56  // ZMQ_ROUTER_HANDOVER, bool or 0/1
	OptConnectRoutingID   OptionID = 61  // ZMQ_CONNECT_ROUTING_ID: Socket.SetConnectRoutingID
	OptHandshakeIvl       OptionID = 66  // ZMQ_HANDSHAKE_IVL, milliseconds or time.Duration
	OptXPubVerbose        OptionID = 40  // ZMQ_XPUB_VERBOSE, bool or 0/1
	OptXPubNoDrop         OptionID = 69  // ZMQ_XPUB_NODROP, bool or 0/1
	OptXPubWelcomeMsg     OptionID = 72  // ZMQ_XPUB_WELCOME_MSG, []byte or string
	OptInvertMatching     OptionID = 74  // ZMQ_INVERT_MATCHING, bool or 0/1
	OptXPubVerboser       OptionID = 78  // ZMQ_XPUB_VERBOSER, bool or 0/1
	OptConflate           OptionID = 54  // ZMQ_CONFLATE, bool or 0/1
	OptXPubManual         OptionID = 71  // ZMQ_XPUB_MANUAL, bool or 0/1
	OptOnlyFirstSubscribe OptionID = 108 // ZMQ_ONLY_FIRST_SUBSCRIBE (draft in libzmq 4.3), bool or 0/1
	OptHeartbeatIvl       OptionID = 75  // ZMQ_HEARTBEAT_IVL, milliseconds or time.Duration
	OptHeartbeatTTL       OptionID = 76  // ZMQ_HEARTBEAT_TTL, milliseconds or time.Duration
	OptHeartbeatTimeout   OptionID = 77  // ZMQ_HEARTBEAT_TIMEOUT, milliseconds or time.Duration

	OptSubscribe     OptionID = 6   // ZMQ_SUBSCRIBE, set only: Socket.Subscribe
	OptUnsubscribe   OptionID = 7   // ZMQ_UNSUBSCRIBE, set only: Socket.Unsubscribe
	OptRecvMore      OptionID = 13  // ZMQ_RCVMORE, read-only: always 0, Recv returns whole messages
	OptEvents        OptionID = 15  // ZMQ_EVENTS, read-only: Socket.Events
	OptBacklog       OptionID = 19  // ZMQ_BACKLOG, connections
	OptRecvTimeout   OptionID = 27  // ZMQ_RCVTIMEO: -1 only, deadlines come from Recv's ctx
	OptSendTimeout   OptionID = 28  // ZMQ_SNDTIMEO: -1 only, deadlines come from Send's ctx
	OptIPv4Only      OptionID = 31  // ZMQ_IPV4ONLY (deprecated): the inverse of IPV6
	OptIPv6          OptionID = 42  // ZMQ_IPV6, bool or 0/1
	OptMechanism     OptionID = 43  // ZMQ_MECHANISM, read-only: 0 NULL, 1 PLAIN, 2 CURVE
	OptTOS           OptionID = 57  // ZMQ_TOS, 0-255
	OptSocksProxy    OptionID = 68  // ZMQ_SOCKS_PROXY, "host:port" or ""
	OptTCPMaxRT      OptionID = 80  // ZMQ_TCP_MAXRT, milliseconds or time.Duration
	OptBindToDevice  OptionID = 92  // ZMQ_BINDTODEVICE, interface name
	OptMetadata      OptionID = 95  // ZMQ_METADATA (draft in libzmq 4.3), "X-key:value"
	OptRouterNotify  OptionID = 97  // ZMQ_ROUTER_NOTIFY (draft in libzmq 4.3), NotifyConnect|NotifyDisconnect
	OptSocksUsername OptionID = 99  // ZMQ_SOCKS_USERNAME (draft in libzmq 4.3), string
	OptSocksPassword OptionID = 100 // ZMQ_SOCKS_PASSWORD (draft in libzmq 4.3), string

	OptRate             OptionID = 8  // ZMQ_RATE, kbit/s
	OptRecoveryIvl      OptionID = 9  // ZMQ_RECOVERY_IVL, milliseconds or time.Duration
	OptMulticastHops    OptionID = 25 // ZMQ_MULTICAST_HOPS, the multicast TTL
	OptMulticastMaxTPDU OptionID = 84 // ZMQ_MULTICAST_MAXTPDU, bytes
	OptMulticastLoop    OptionID = 96 // ZMQ_MULTICAST_LOOP, bool or an integer (non-zero is on)

	// purezmq's own options, numbered from 10000 on, where libzmq has none.
	OptMaxSubscriptionBytes OptionID = 10001 // MAX_SUBSCRIPTION_BYTES, bytes: WithMaxSubscriptionBytes
)

// ROUTER_NOTIFY's flags, libzmq's ZMQ_NOTIFY_CONNECT and ZMQ_NOTIFY_DISCONNECT.
const (
	NotifyConnect    = 1 // ZMQ_NOTIFY_CONNECT: a peer's handshake completed
	NotifyDisconnect = 2 // ZMQ_NOTIFY_DISCONNECT: a peer's connection ended
)

var optionNames = map[OptionID]string{
	OptRoutingID: "ROUTING_ID", OptType: "TYPE", OptLinger: "LINGER", OptReconnectIvl: "RECONNECT_IVL",
	OptReconnectIvlMax: "RECONNECT_IVL_MAX", OptMaxMsgSize: "MAXMSGSIZE", OptSendHWM: "SNDHWM",
	OptRecvHWM: "RCVHWM", OptSendBuffer: "SNDBUF", OptRecvBuffer: "RCVBUF",
	OptLastEndpoint: "LAST_ENDPOINT", OptRouterMandatory: "ROUTER_MANDATORY",
	OptTCPKeepalive: "TCP_KEEPALIVE", OptTCPKeepaliveCnt: "TCP_KEEPALIVE_CNT",
	OptTCPKeepaliveIdle: "TCP_KEEPALIVE_IDLE", OptTCPKeepaliveIntvl: "TCP_KEEPALIVE_INTVL",
	OptImmediate: "IMMEDIATE", OptProbeRouter: "PROBE_ROUTER", OptReqCorrelate: "REQ_CORRELATE",
	OptReqRelaxed: "REQ_RELAXED", OptRouterHandover: "ROUTER_HANDOVER",
	OptConnectRoutingID: "CONNECT_ROUTING_ID", OptHandshakeIvl: "HANDSHAKE_IVL",
	OptXPubVerbose: "XPUB_VERBOSE", OptXPubVerboser: "XPUB_VERBOSER", OptXPubManual: "XPUB_MANUAL",
	OptOnlyFirstSubscribe: "ONLY_FIRST_SUBSCRIBE",
	OptXPubNoDrop:         "XPUB_NODROP", OptXPubWelcomeMsg: "XPUB_WELCOME_MSG",
	OptInvertMatching: "INVERT_MATCHING", OptConflate: "CONFLATE",
	OptPlainServer: "PLAIN_SERVER", OptPlainUsername: "PLAIN_USERNAME", OptPlainPassword: "PLAIN_PASSWORD",
	OptCurveServer: "CURVE_SERVER", OptCurvePublicKey: "CURVE_PUBLICKEY",
	OptCurveSecretKey: "CURVE_SECRETKEY", OptCurveServerKey: "CURVE_SERVERKEY", OptZAPDomain: "ZAP_DOMAIN",
	OptZAPEnforceDomain: "ZAP_ENFORCE_DOMAIN",
	OptHeartbeatIvl:     "HEARTBEAT_IVL", OptHeartbeatTTL: "HEARTBEAT_TTL", OptHeartbeatTimeout: "HEARTBEAT_TIMEOUT",
	OptSubscribe: "SUBSCRIBE", OptUnsubscribe: "UNSUBSCRIBE", OptRecvMore: "RCVMORE", OptEvents: "EVENTS",
	OptBacklog: "BACKLOG", OptRecvTimeout: "RCVTIMEO", OptSendTimeout: "SNDTIMEO", OptIPv4Only: "IPV4ONLY",
	OptIPv6: "IPV6", OptMechanism: "MECHANISM", OptTOS: "TOS", OptSocksProxy: "SOCKS_PROXY",
	OptTCPMaxRT: "TCP_MAXRT", OptBindToDevice: "BINDTODEVICE", OptMetadata: "METADATA",
	OptRouterNotify: "ROUTER_NOTIFY", OptSocksUsername: "SOCKS_USERNAME", OptSocksPassword: "SOCKS_PASSWORD",
	OptStreamNotify: "STREAM_NOTIFY",
	OptRate:         "RATE", OptRecoveryIvl: "RECOVERY_IVL", OptMulticastHops: "MULTICAST_HOPS",
	OptMulticastMaxTPDU: "MULTICAST_MAXTPDU", OptMulticastLoop: "MULTICAST_LOOP",
	OptMaxSubscriptionBytes: "MAX_SUBSCRIPTION_BYTES",
}

// optionAliases are libzmq's deprecated names still in zmq.h, which the guide and pyzmq use.
var optionAliases = map[string]OptionID{
	"IDENTITY": OptRoutingID, "CONNECT_RID": OptConnectRoutingID, "DELAY_ATTACH_ON_CONNECT": OptImmediate,
	"FAIL_UNROUTABLE": OptRouterMandatory, "ROUTER_BEHAVIOR": OptRouterMandatory,
}

// String returns libzmq's name without the ZMQ_ prefix ("SNDHWM").
func (id OptionID) String() string {
	if n, ok := optionNames[id]; ok {
		return n
	}
	return fmt.Sprintf("OptionID(%d)", int(id))
}

// LookupOption finds an option by libzmq name, with or without "ZMQ_", in any case, including
// libzmq's deprecated aliases (IDENTITY for ROUTING_ID, CONNECT_RID, DELAY_ATTACH_ON_CONNECT,
// FAIL_UNROUTABLE and ROUTER_BEHAVIOR).
func LookupOption(name string) (OptionID, bool) {
	name = strings.TrimPrefix(strings.ToUpper(name), "ZMQ_")
	if id, ok := optionAliases[name]; ok {
		return id, true
	}
	for id, n := range optionNames {
		if n == name {
			return id, true
		}
	}
	return 0, false
}

// WithOption sets an option by number, with value typed as libzmq's docs give it: an int, a
// bool (or 0/1), a time.Duration or an int in libzmq's unit (milliseconds; seconds for the TCP
// keepalive times), a []byte or string. Read-only options and wrong value types are ErrOption.
func WithOption(id OptionID, value any) Option {
	fail := func(format string, args ...any) Option {
		err := zerr.Option(id.String(), format, args...)
		return func(*socketOptions) error { return err }
	}
	switch id {
	case OptSendHWM, OptRecvHWM, OptMaxMsgSize, OptTCPKeepalive, OptTCPKeepaliveCnt, OptSendBuffer, OptRecvBuffer,
		OptMaxSubscriptionBytes:
		n, ok := asInt(value)
		if !ok {
			return fail("want an integer, got %T", value)
		}
		return map[OptionID]func(int) Option{
			OptSendHWM: WithSendHWM, OptRecvHWM: WithRecvHWM, OptTCPKeepalive: WithTCPKeepalive,
			OptTCPKeepaliveCnt: WithTCPKeepaliveCnt, OptSendBuffer: WithSendBuffer, OptRecvBuffer: WithRecvBuffer,
			OptMaxMsgSize:           func(n int) Option { return WithMaxMsgSize(int64(n)) },
			OptMaxSubscriptionBytes: func(n int) Option { return WithMaxSubscriptionBytes(int64(n)) },
		}[id](n)
	case OptLinger, OptReconnectIvl, OptReconnectIvlMax, OptHandshakeIvl, OptTCPKeepaliveIdle, OptTCPKeepaliveIntvl,
		OptHeartbeatIvl, OptHeartbeatTTL, OptHeartbeatTimeout:
		unit := time.Millisecond
		if id == OptTCPKeepaliveIdle || id == OptTCPKeepaliveIntvl {
			unit = time.Second
		}
		d, ok := asDuration(value, unit)
		if !ok {
			return fail("want a time.Duration or an integer, got %T", value)
		}
		return map[OptionID]func(time.Duration) Option{
			OptLinger: WithLinger, OptReconnectIvl: WithReconnectIvl, OptReconnectIvlMax: WithReconnectIvlMax,
			OptHandshakeIvl: WithHandshakeIvl, OptTCPKeepaliveIdle: WithTCPKeepaliveIdle,
			OptTCPKeepaliveIntvl: WithTCPKeepaliveIntvl, OptHeartbeatIvl: WithHeartbeatIvl,
			OptHeartbeatTTL: WithHeartbeatTTL, OptHeartbeatTimeout: WithHeartbeatTimeout,
		}[id](d)
	case OptImmediate, OptRouterMandatory, OptRouterHandover, OptProbeRouter, OptReqCorrelate, OptReqRelaxed:
		b, ok := asBool(value)
		if !ok {
			return fail("want a bool or 0/1, got %v", value)
		}
		return map[OptionID]func(bool) Option{
			OptImmediate: WithImmediate, OptRouterMandatory: WithRouterMandatory,
			OptRouterHandover: WithRouterHandover, OptProbeRouter: WithProbeRouter,
			OptReqCorrelate: WithReqCorrelate, OptReqRelaxed: WithReqRelaxed,
		}[id](b)
	case OptRoutingID:
		switch v := value.(type) {
		case []byte:
			return WithRoutingID(v)
		case string:
			return WithRoutingID([]byte(v))
		}
		return fail("want []byte or string, got %T", value)
	}
	if o, ok := pubsubOption(id, value); ok {
		return o
	}
	if o, ok := securityOption(id, value); ok {
		return o
	}
	for _, more := range []func(OptionID, any) (Option, bool){transportOption, metaOption, socksOption, streamOption, multicastOption} {
		if o, ok := more(id, value); ok {
			return o
		}
	}
	switch id {
	case OptType, OptLastEndpoint, OptEvents, OptRecvMore, OptMechanism:
		return fail("is read-only")
	case OptSubscribe, OptUnsubscribe, OptConnectRoutingID:
		return fail("applies to a socket, not its creation: use Socket.SetOption")
	case OptRecvTimeout, OptSendTimeout:
		if n, ok := asInt(value); ok && n == -1 {
			return func(*socketOptions) error { return nil }
		}
		return fail("only -1: Send and Recv take their deadline from their ctx")
	}
	return fail("unknown or not supported")
}

func asInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case int32:
		return int(n), true
	}
	return 0, false
}

func asDuration(v any, unit time.Duration) (time.Duration, bool) {
	if d, ok := v.(time.Duration); ok {
		return d, true
	}
	n, ok := asInt(v)
	return time.Duration(n) * unit, ok
}

func asBool(v any) (bool, bool) {
	if b, ok := v.(bool); ok {
		return b, true
	}
	n, ok := asInt(v)
	return n != 0, ok && (n == 0 || n == 1)
}
