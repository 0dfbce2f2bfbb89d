package zmq

import (
	"bytes"
	"time"

	"github.com/purezmq/zmq/internal/mechanism"
	"github.com/purezmq/zmq/internal/zerr"
)

// Option reads option id, as zmq_getsockopt: an int for counts and sizes (int64 for
// MAXMSGSIZE), a time.Duration for times, a bool for flags, []byte for binary values (a copy)
// and string for text, with libzmq's defaults. Besides what SetOption sets it reads TYPE,
// LAST_ENDPOINT, EVENTS (PollEvents), MECHANISM (0 NULL, 1 PLAIN, 2 CURVE) and RCVMORE, always
// 0 here since Recv returns whole messages. RCVTIMEO and SNDTIMEO read -1: Send and Recv take
// their deadlines from their ctx. METADATA reads as []string of "X-key:value". SUBSCRIBE,
// UNSUBSCRIBE and CONNECT_ROUTING_ID are write-only, as in libzmq: ErrOption.
func (s *Socket) Option(id OptionID) (any, error) {
	o := s.s.Options()
	switch id {
	case OptType:
		return s.Type(), nil
	case OptLastEndpoint:
		return s.LastEndpoint(), nil
	case OptEvents:
		return s.Events(), nil
	case OptRecvMore:
		return 0, nil
	case OptRecvTimeout, OptSendTimeout:
		return -1, nil
	case OptMechanism:
		return map[string]int{mechanism.Plain: 1, mechanism.Curve: 2}[o.Security.Name()], nil
	case OptRoutingID:
		return append([]byte{}, o.RoutingID...), nil
	case OptXPubWelcomeMsg:
		return append([]byte{}, o.XPubWelcomeMsg...), nil
	case OptMetadata:
		md := make([]string, len(o.Metadata))
		for i, p := range o.Metadata {
			md[i] = p.Name + ":" + string(p.Value)
		}
		return md, nil
	case OptMaxMsgSize:
		return o.MaxMsgSize, nil
	case OptMaxSubscriptionBytes:
		return o.SubscriptionLimit, nil
	}
	if v, ok := intOptions(&o)[id]; ok {
		return v, nil
	}
	if v, ok := durationOptions(&o)[id]; ok {
		return v, nil
	}
	if v, ok := boolOptions(&o)[id]; ok {
		return v, nil
	}
	if v, ok := textOptions(&o)[id]; ok {
		return v, nil
	}
	sec := o.Security
	switch id {
	case OptCurvePublicKey:
		return bytes.Clone(sec.PublicKey[:]), nil
	case OptCurveSecretKey:
		return bytes.Clone(sec.SecretKey[:]), nil
	case OptCurveServerKey:
		return bytes.Clone(sec.ServerKey[:]), nil
	case OptSubscribe, OptUnsubscribe, OptConnectRoutingID:
		return nil, zerr.Option(id.String(), "is write-only")
	}
	return nil, zerr.Option(id.String(), "unknown or not supported")
}

func intOptions(o *socketOptions) map[OptionID]int {
	return map[OptionID]int{
		OptSendHWM: o.SendHWM, OptRecvHWM: o.RecvHWM, OptSendBuffer: o.Buffers.Send, OptRecvBuffer: o.Buffers.Recv,
		OptTCPKeepalive: o.TCP.Keepalive, OptTCPKeepaliveCnt: o.TCP.KeepaliveCnt, OptBacklog: o.TCP.Backlog,
		OptTOS: o.TCP.TOS, OptRouterNotify: o.RouterNotify,
		OptRate: o.Multicast.Rate, OptMulticastHops: o.Multicast.Hops, OptMulticastMaxTPDU: o.Multicast.MaxTPDU,
	}
}

func durationOptions(o *socketOptions) map[OptionID]time.Duration {
	return map[OptionID]time.Duration{
		OptLinger: o.Linger, OptReconnectIvl: o.ReconnectIvl, OptReconnectIvlMax: o.ReconnectIvlMax,
		OptHandshakeIvl: o.HandshakeIvl, OptHeartbeatIvl: o.HeartbeatIvl, OptHeartbeatTTL: o.HeartbeatTTL,
		OptHeartbeatTimeout: o.HeartbeatTimeout, OptTCPKeepaliveIdle: o.TCP.KeepaliveIdle,
		OptTCPKeepaliveIntvl: o.TCP.KeepaliveIntvl, OptTCPMaxRT: o.TCP.MaxRT,
		OptRecoveryIvl: o.Multicast.RecoveryIvl,
	}
}

func boolOptions(o *socketOptions) map[OptionID]bool {
	sec := o.Security
	return map[OptionID]bool{
		OptImmediate: o.Immediate, OptRouterMandatory: o.RouterMandatory, OptRouterHandover: o.RouterHandover,
		OptProbeRouter: o.ProbeRouter, OptReqCorrelate: o.ReqCorrelate, OptReqRelaxed: o.ReqRelaxed,
		OptXPubVerbose: o.XPubVerbose, OptXPubVerboser: o.XPubVerboser, OptXPubNoDrop: o.XPubNoDrop,
		OptXPubManual: o.XPubManual, OptInvertMatching: o.InvertMatching, OptConflate: o.Conflate,
		OptOnlyFirstSubscribe: o.OnlyFirstSubscribe, OptIPv6: o.TCP.IPv6, OptIPv4Only: !o.TCP.IPv6,
		OptPlainServer:      sec.Name() == mechanism.Plain && sec.Server,
		OptCurveServer:      sec.Name() == mechanism.Curve && sec.Server,
		OptZAPEnforceDomain: sec.EnforceZAP,
		OptMulticastLoop:    o.Multicast.Loop,
	}
}

func textOptions(o *socketOptions) map[OptionID]string {
	return map[OptionID]string{
		OptPlainUsername: string(o.Security.Username), OptPlainPassword: string(o.Security.Password),
		OptZAPDomain: o.Security.Domain, OptBindToDevice: o.TCP.BindToDevice, OptSocksProxy: o.TCP.Socks.Proxy,
		OptSocksUsername: o.TCP.Socks.Username, OptSocksPassword: o.TCP.Socks.Password,
	}
}

// Events is ZMQ_EVENTS: PollIn when a Recv would not block now, PollOut when a Send would not,
// as a Poller finds them.
func (s *Socket) Events() PollEvents {
	in, out, _ := s.s.Ready(true, true)
	var ev PollEvents
	if in {
		ev |= PollIn
	}
	if out {
		ev |= PollOut
	}
	return ev
}

// SendHWM is ZMQ_SNDHWM (WithSendHWM).
func (s *Socket) SendHWM() int { return s.s.Options().SendHWM }

// RecvHWM is ZMQ_RCVHWM (WithRecvHWM).
func (s *Socket) RecvHWM() int { return s.s.Options().RecvHWM }

// Linger is ZMQ_LINGER (WithLinger); negative means forever.
func (s *Socket) Linger() time.Duration { return s.s.Options().Linger }

// RoutingID is ZMQ_ROUTING_ID (WithRoutingID): a copy, empty when none is set.
func (s *Socket) RoutingID() []byte { return append([]byte{}, s.s.Options().RoutingID...) }

// ReconnectIvl is ZMQ_RECONNECT_IVL (WithReconnectIvl); negative means no reconnection.
func (s *Socket) ReconnectIvl() time.Duration { return s.s.Options().ReconnectIvl }

// MaxMsgSize is ZMQ_MAXMSGSIZE (WithMaxMsgSize); -1 means no limit.
func (s *Socket) MaxMsgSize() int64 { return s.s.Options().MaxMsgSize }

// MaxSubscriptionBytes is MAX_SUBSCRIPTION_BYTES (WithMaxSubscriptionBytes); -1 means no limit.
func (s *Socket) MaxSubscriptionBytes() int64 { return s.s.Options().SubscriptionLimit }
