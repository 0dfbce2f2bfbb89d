package socket

import (
	"time"

	"github.com/purezmq/zmq/internal/mechanism"
	"github.com/purezmq/zmq/internal/transport"
	"github.com/purezmq/zmq/zmtp"
)

// Options are a socket's settings, validated by package zmq before they get here.
type Options struct {
	SendHWM, RecvHWM   int // messages, 0 = unlimited
	Linger             time.Duration
	ReconnectIvl       time.Duration // < 0 disables reconnection
	ReconnectIvlMax    time.Duration // 0: no backoff
	RoutingID          []byte
	MaxMsgSize         int64 // -1 = no limit
	SubscriptionLimit  int64 // MAX_SUBSCRIPTION_BYTES, per connection of a PUB or XPUB; -1 = no limit
	Immediate          bool
	RouterMandatory    bool
	RouterHandover     bool
	ProbeRouter        bool
	ReqCorrelate       bool
	ReqRelaxed         bool
	HandshakeIvl       time.Duration // 0 = no deadline
	HeartbeatIvl       time.Duration // 0 = no PINGs
	HeartbeatTTL       time.Duration // announced to peers; 0 = none
	HeartbeatTimeout   time.Duration // 0 = HeartbeatIvl
	XPubVerbose        bool
	XPubVerboser       bool
	XPubNoDrop         bool
	XPubWelcomeMsg     []byte
	InvertMatching     bool
	Conflate           bool
	XPubManual         bool
	OnlyFirstSubscribe bool              // ONLY_FIRST_SUBSCRIBE: frames after a subscription travel as data
	RouterNotify       int               // ROUTER_NOTIFY: NotifyConnect | NotifyDisconnect
	Metadata           zmtp.Metadata     // METADATA: "X-" properties announced in READY
	StreamNotify       bool              // STREAM_NOTIFY: a STREAM hears of connections opening and closing
	TypeSpecific       []int             // ids of options set that some types only take (package zmq checks them)
	Buffers            transport.Buffers // SNDBUF, RCVBUF of tcp and ipc connections
	TCP                transport.TCPOptions
	Multicast          transport.Multicast // RATE, RECOVERY_IVL, MULTICAST_* of datagram transports
	Security           mechanism.Config    // NULL unless PLAIN or CURVE options are set
}

// DefaultSubscriptionLimit is MAX_SUBSCRIPTION_BYTES's default: 16 MiB.
const DefaultSubscriptionLimit = 16 << 20

// DefaultOptions are libzmq 4.3's defaults, except Linger: 30 s, not infinite (see WithLinger).
func DefaultOptions() Options {
	return Options{
		SendHWM:      1000,
		RecvHWM:      1000,
		Linger:       30 * time.Second,
		ReconnectIvl: 100 * time.Millisecond,
		MaxMsgSize:   -1,
		// Generous: some 60,000 short topics a subscriber. libzmq has no limit.
		SubscriptionLimit: DefaultSubscriptionLimit,
		StreamNotify:      true,
		HandshakeIvl:      30 * time.Second,
		Buffers:           transport.OSBuffers,
		TCP:               transport.DefaultTCPOptions,
		Multicast:         transport.DefaultMulticast,
	}
}

// ROUTER_NOTIFY's flags, libzmq's ZMQ_NOTIFY_CONNECT and ZMQ_NOTIFY_DISCONNECT.
const (
	NotifyConnect    = 1
	NotifyDisconnect = 2
)

// transport is what the transports take of o, at Bind and Connect.
func (o *Options) transport() *transport.Config {
	return &transport.Config{TCP: o.TCP, Buffers: o.Buffers, Multicast: o.Multicast, MaxMsgSize: o.MaxMsgSize}
}
