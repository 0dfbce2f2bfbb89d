package notify

import (
	"fmt"
	"regexp"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/rpc/registry"
)

// Option configures a Notifier, a Listener or a Hub; each says which it applies to, and the
// others ignore it.
type Option func(*config) error

type config struct {
	zctx       *zmq.Context
	registry   registry.Registry
	ttl        time.Duration
	topics     []string
	prios      []Priority
	pool       string
	filter     Filter
	endpoints  []string
	hub        bool
	pubBind    string
	poolBind   string
	inBind     string
	hwm        int
	workers    int
	heartbeat  time.Duration
	misses     int
	poolQueue  int
	attempts   int
	queueBytes int
	maxMsg     int
	sockOpts   []zmq.Option // tests: appended to the publisher's and a listener's SUB sockets
}

// Defaults.
const (
	DefaultTopic      = "notifications"     // oslo's default notification topic
	DefaultBind       = "tcp://127.0.0.1:*" // where notifiers and hubs bind by default
	DefaultTTL        = 10 * time.Second    // registration lease (WithTTL)
	DefaultHWM        = 1000                // queued notifications per listener (WithHWM)
	DefaultHeartbeat  = time.Second         // pool members' heartbeat (WithHeartbeat)
	DefaultMisses     = 3                   // heartbeats missed before a member is dropped
	DefaultPoolQueue  = 10000               // notifications queued per pool (WithPoolQueue)
	DefaultAttempts   = 5                   // deliveries of a requeued notification (WithMaxAttempts)
	DefaultQueueBytes = 256 << 20           // bytes queued for all pools of a dispatcher (WithPoolQueue)
	poolLinger        = 30 * time.Second    // a pool with no members keeps its queue this long
	rewatchEvery      = time.Second         // retry of a registry Watch that ended
)

func newConfig(opts []Option) (*config, error) {
	c := &config{ttl: DefaultTTL, hwm: DefaultHWM, workers: 1, heartbeat: DefaultHeartbeat,
		misses: DefaultMisses, poolQueue: DefaultPoolQueue, attempts: DefaultAttempts, queueBytes: DefaultQueueBytes,
		maxMsg: DefaultMaxMessage, pubBind: DefaultBind, poolBind: DefaultBind, inBind: DefaultBind}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	if len(c.topics) == 0 {
		c.topics = []string{DefaultTopic}
	}
	if len(c.prios) == 0 {
		c.prios = Priorities
	}
	return c, nil
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// WithContext makes the sockets in zc instead of a context of their own. All.
func WithContext(zc *zmq.Context) Option { return func(c *config) error { c.zctx = zc; return nil } }

// WithRegistry: notifiers and hubs register their endpoints in r, listeners (and notifiers
// sending to hubs) find them there. Default none: endpoints come from WithEndpoints. All.
func WithRegistry(r registry.Registry) Option {
	return func(c *config) error { c.registry = r; return nil }
}

// WithTTL sets the registration lease of a Notifier or Hub (default DefaultTTL).
func WithTTL(d time.Duration) Option {
	return func(c *config) error {
		if d < time.Millisecond {
			return invalid("ttl %v", d)
		}
		c.ttl = d
		return nil
	}
}

// WithTopics sets the topics a Notifier publishes to (each notification goes to every one) or
// a Listener listens to. Default DefaultTopic.
func WithTopics(topics ...string) Option {
	return func(c *config) error {
		for _, t := range topics {
			if err := checkTopic(t); err != nil {
				return err
			}
		}
		c.topics = append(c.topics, topics...)
		return nil
	}
}

// WithPriorities sets the priorities a Listener takes (default all).
func WithPriorities(ps ...Priority) Option {
	return func(c *config) error {
		for _, p := range ps {
			if p < Audit || p > Sample {
				return invalid("priority %d", p)
			}
		}
		c.prios = append(c.prios, ps...)
		return nil
	}
}

// WithPool makes a Listener a member of pool name: each pool gets one copy of each
// notification, handled by one of its members. Default none: the listener gets its own copy.
func WithPool(name string) Option {
	return func(c *config) error {
		if err := checkName("pool", name); err != nil {
			return err
		}
		c.pool = name
		return nil
	}
}

// Filter selects the notifications a Listener hands to its handler, as oslo's
// NotificationFilter: each non-nil expression must match its field. Others are acknowledged
// (Handled) unseen.
type Filter struct {
	PublisherID *regexp.Regexp // matches Notification.PublisherID
	EventType   *regexp.Regexp // matches Notification.EventType
}

func (f Filter) match(n *Notification) bool {
	return (f.PublisherID == nil || f.PublisherID.MatchString(n.PublisherID)) &&
		(f.EventType == nil || f.EventType.MatchString(n.EventType))
}

// WithFilter sets a Listener's filter (default: everything).
func WithFilter(f Filter) Option { return func(c *config) error { c.filter = f; return nil } }

// WithEndpoints lists peers without a registry (or besides it): a Listener's publishers (a
// notifier's or hub's PubEndpoint, or their PoolEndpoint for a pool member), or the hubs a
// Notifier sends to (their InEndpoint; implies WithHub). Repeatable.
func WithEndpoints(eps ...string) Option {
	return func(c *config) error {
		for _, ep := range eps {
			if err := registry.CheckEndpoint(ep); err != nil {
				return err
			}
		}
		c.endpoints = append(c.endpoints, eps...)
		return nil
	}
}

// WithHub sends (Notifier) or listens (Listener) through hubs, found in the registry under the
// Hub keys unless WithEndpoints names them. Default: direct.
func WithHub() Option { return func(c *config) error { c.hub = true; return nil } }

// WithBind sets where a direct Notifier binds its publisher and its pool dispatcher (default
// DefaultBind for both).
func WithBind(pub, pool string) Option {
	return func(c *config) error {
		c.pubBind, c.poolBind = pub, pool
		return nil
	}
}

// WithHubBind sets where a Hub binds its side for notifiers (in) and for listeners (pub, pool);
// default DefaultBind for each.
func WithHubBind(in, pub, pool string) Option {
	return func(c *config) error {
		c.inBind, c.pubBind, c.poolBind = in, pub, pool
		return nil
	}
}

// WithHWM bounds the notifications queued for one listener, at the publisher and again at the
// listener (ZeroMQ's SNDHWM and RCVHWM); beyond it that listener's copies are dropped, and
// counted in its Stats. Default DefaultHWM. Notifier, Hub, Listener.
func WithHWM(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return invalid("hwm %d", n)
		}
		c.hwm = n
		return nil
	}
}

// WithWorkers sets how many handlers a Listener runs at once (default 1); a pool member takes
// that many notifications at a time from each dispatcher (its credit).
func WithWorkers(n int) Option {
	return func(c *config) error {
		if n < 1 || n > maxCredit {
			return invalid("%d workers: want 1-%d", n, maxCredit)
		}
		c.workers = n
		return nil
	}
}

// WithHeartbeat sets how often pool members say they are alive (Listener) and how many
// intervals of silence make a dispatcher drop one and hand its notifications to others
// (Notifier, Hub: set the same on both). Default DefaultHeartbeat, DefaultMisses.
func WithHeartbeat(interval time.Duration, misses int) Option {
	return func(c *config) error {
		if interval < time.Millisecond || misses < 1 {
			return invalid("heartbeat %v × %d", interval, misses)
		}
		c.heartbeat, c.misses = interval, misses
		return nil
	}
}

// WithPoolQueue bounds the notifications a dispatcher queues for one pool (default
// DefaultPoolQueue) and the bytes of their bodies in all its pools together (default
// DefaultQueueBytes); when full the pool's oldest is dropped, and counted. Notifier, Hub.
func WithPoolQueue(n, bytes int) Option {
	return func(c *config) error {
		if n < 1 || bytes < 1 {
			return invalid("pool queue %d, %d bytes", n, bytes)
		}
		c.poolQueue, c.queueBytes = n, bytes
		return nil
	}
}

// WithMaxAttempts bounds the deliveries of a notification its handlers requeue (default
// DefaultAttempts); then it is dropped, and counted. Notifier, Hub.
func WithMaxAttempts(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return invalid("max attempts %d", n)
		}
		c.attempts = n
		return nil
	}
}

// WithMaxMessage bounds a notification's body in bytes (default DefaultMaxMessage); bigger
// ones are refused (Notifier) or dropped and counted (Hub, Listener).
func WithMaxMessage(n int) Option {
	return func(c *config) error {
		if n < 256 {
			return invalid("max message %d", n)
		}
		c.maxMsg = n
		return nil
	}
}

// Registry keys.
const (
	HubInKey   = "notify.hub/in"   // hubs' endpoints for notifiers
	HubPubKey  = "notify.hub/pub"  // hubs' publishers
	HubPoolKey = "notify.hub/pool" // hubs' pool dispatchers
)

// PubKey is the registry key of the direct notifiers' publishers of topic.
func PubKey(topic string) string { return "notify/" + topic + "/pub" }

// PoolKey is the registry key of the direct notifiers' pool dispatchers of topic.
func PoolKey(topic string) string { return "notify/" + topic + "/pool" }

// fullTopics are the "<topic>.<priority>" a listener takes.
func (c *config) fullTopics() []string {
	var out []string
	for _, t := range c.topics {
		for _, p := range c.prios {
			out = append(out, t+"."+p.String())
		}
	}
	return out
}

// withSocketOptions adds ZeroMQ options to the publisher's XPUB and a listener's SUBs (tests:
// small kernel buffers, so that a slow listener's HWM is what fills).
func withSocketOptions(opts ...zmq.Option) Option {
	return func(c *config) error { c.sockOpts = append(c.sockOpts, opts...); return nil }
}

// zmqContext is the ZeroMQ context to use: WithContext's, or a new one the caller owns and
// shuts down (true).
func (c *config) zmqContext() (*zmq.Context, bool) {
	if c.zctx != nil {
		return c.zctx, false
	}
	return zmq.NewContext(), true
}
