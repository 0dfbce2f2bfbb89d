package rpc

import (
	"fmt"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/curve"
	"github.com/purezmq/zmq/rpc/registry"
)

// Option configures a Server (NewServer), a Client (NewClient) or a prepared copy of a Client
// (Client.Prepare). Each says which of them it applies to; given to another, it is an error.
type Option func(*config) error

// config is every option's value; the zero value is the defaults.
type config struct {
	codec     Codec
	zctx      *zmq.Context
	registry  registry.Registry
	endpoints []string // server: where it binds (default tcp://127.0.0.1:*); client: static servers
	workers   int      // server
	ttl       time.Duration
	maxMsg    int64 // bytes of an inbound message, -1 for no limit

	// Client and Prepare.
	timeout  time.Duration
	target   func(*Target) // adjustments Prepare makes to the target
	retries  int
	errTypes map[string]func(msg string, details map[string]string) error

	dl deliveryConfig // delivery, heartbeats, dedup, trace context (delivery.go)

	// Security.
	curveSecret    *curve.SecretKey // server: its key (public derived)
	curveServerKey *curve.PublicKey // client: the server's public key

	proxy proxyConfig // through proxies (proxy_options.go)
}

// Defaults.
const (
	DefaultWorkers    = 64               // a server's concurrent handlers (WithWorkers)
	DefaultTTL        = 10 * time.Second // a server's registration lease (WithTTL)
	DefaultMaxMessage = 16 << 20         // the largest message read, 16 MiB (WithMaxMessage)
	// DefaultTimeout bounds a client's calls whose ctx has no earlier deadline, as
	// oslo.messaging's rpc_response_timeout does, so that no call waits for ever by default.
	DefaultTimeout = 60 * time.Second
)

func newConfig(opts []Option) (*config, error) {
	c := &config{codec: JSON, workers: DefaultWorkers, ttl: DefaultTTL, maxMsg: DefaultMaxMessage, timeout: DefaultTimeout}
	return c, c.apply(opts)
}

func (c *config) apply(opts []Option) error {
	for _, o := range opts {
		if err := o(c); err != nil {
			return err
		}
	}
	return nil
}

// WithCodec sets the codec of requests (client) or the codecs it answers in (a server answers
// in the codec of each request; this one is for the errors of requests it cannot read).
// JSON by default.
func WithCodec(cd Codec) Option {
	return func(c *config) error {
		if cd == nil {
			return fmt.Errorf("rpc: nil codec")
		}
		c.codec = cd
		return nil
	}
}

// WithContext makes the sockets in zc (for its ZAP handler, say) instead of a context of
// their own, the default.
func WithContext(zc *zmq.Context) Option {
	return func(c *config) error { c.zctx = zc; return nil }
}

// WithRegistry: a server registers in r, a client resolves its target's servers with r.
// Default none: a server registers nowhere, a client calls its WithEndpoint endpoints only.
func WithRegistry(r registry.Registry) Option {
	return func(c *config) error { c.registry = r; return nil }
}

// WithEndpoint adds an endpoint: where a server binds, or a server a client calls (without a
// registry, or besides it). Repeatable. Default none: a server binds DefaultEndpoint.
func WithEndpoint(endpoint ...string) Option {
	return func(c *config) error { c.endpoints = append(c.endpoints, endpoint...); return nil }
}

// WithWorkers bounds a server's concurrent handlers (default DefaultWorkers); a request that
// finds them all busy is answered ResourceExhausted.
func WithWorkers(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("rpc: %d workers: want at least 1", n)
		}
		c.workers = n
		return nil
	}
}

// WithMaxMessage bounds the messages a server or a client reads (all frames together, in
// bytes; default DefaultMaxMessage, -1 for no limit): a peer that sends a bigger one is
// disconnected (ZeroMQ's MAXMSGSIZE), so nobody makes it hold unbounded memory.
func WithMaxMessage(n int64) Option {
	return func(c *config) error {
		if n < -1 || n == 0 {
			return fmt.Errorf("rpc: max message %d: want a positive size, or -1 for no limit", n)
		}
		c.maxMsg = n
		return nil
	}
}

// WithTTL sets a server's registration lease (default DefaultTTL), refreshed at a third of it.
func WithTTL(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("rpc: ttl %v: want a positive duration", d)
		}
		c.ttl = d
		return nil
	}
}

// WithTimeout bounds each call of a client that has no earlier deadline in its ctx
// (DefaultTimeout, 60 s, unless set); 0 leaves calls without a deadline of the client's.
func WithTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("rpc: timeout %v: want a positive duration, or 0 for none", d)
		}
		c.timeout = d
		return nil
	}
}

// WithRetries lets a client retry a call that failed with Unavailable or NoResponders up to n
// times, with jittered backoff, never past its deadline. None by default.
func WithRetries(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("rpc: %d retries", n)
		}
		c.retries = n
		return nil
	}
}

// adjust adds a change of the client's target (Prepare's WithServer, WithFanout, ...).
func adjust(f func(*Target)) Option {
	return func(c *config) error {
		prev := c.target
		c.target = func(t *Target) {
			if prev != nil {
				prev(t)
			}
			f(t)
		}
		return nil
	}
}

// WithServer directs a client's calls to one server of its topic. Default: the target's
// Server.
func WithServer(name string) Option {
	return adjust(func(t *Target) { t.Server, t.Fanout = name, false })
}

// WithFanout makes a client's casts go to every server of its topic (a Call refuses it).
// Default: the target's Fanout.
func WithFanout() Option { return adjust(func(t *Target) { t.Fanout, t.Server = true, "" }) }

// WithVersion sets the version a client asks for ("major.minor", its version cap). Default:
// the target's Version.
func WithVersion(v string) Option { return adjust(func(t *Target) { t.Version = v }) }

// WithNamespace sets the namespace a client's methods are looked up in. Default: the
// target's Namespace.
func WithNamespace(ns string) Option { return adjust(func(t *Target) { t.Namespace = ns }) }

// WithTopic changes a client's topic (and exchange, when not empty). Default: the target's.
func WithTopic(exchange, topic string) Option {
	return adjust(func(t *Target) {
		if exchange != "" {
			t.Exchange = exchange
		}
		t.Topic = topic
	})
}

// WithRemoteError lets a client rebuild errors a server's handler returned as type name: the
// allow-list of oslo's allowed_remote_exmods. build makes the Go error from the message and
// details; errors.As then finds it in the *Error's chain. Types not allowed stay *Error.
func WithRemoteError(name string, build func(msg string, details map[string]string) error) Option {
	return func(c *config) error {
		if name == "" || build == nil {
			return fmt.Errorf("rpc: remote error type needs a name and a builder")
		}
		if c.errTypes == nil {
			c.errTypes = map[string]func(string, map[string]string) error{}
		}
		c.errTypes[name] = build
		return nil
	}
}

// WithCurveServer makes a server speak CURVE with this secret key (its public key derived),
// e.g. from a certificate's Secret. Default: no security (ZeroMQ's NULL mechanism).
func WithCurveServer(secret curve.SecretKey) Option {
	return func(c *config) error { c.curveSecret = &secret; return nil }
}

// WithCurveServerKey makes a client speak CURVE to servers with this public key (its own key
// pair is fresh for each client). Default: no security (ZeroMQ's NULL mechanism).
func WithCurveServerKey(public curve.PublicKey) Option {
	return func(c *config) error { c.curveServerKey = &public; return nil }
}

// WithCurveServerCertificate is WithCurveServer with the secret key of a certificate file, as
// zmq keygen -o and czmq save them (path, with path_secret beside it).
func WithCurveServerCertificate(path string) Option {
	return func(c *config) error {
		cert, err := curve.LoadCertificate(path)
		if err != nil {
			return fmt.Errorf("rpc: %w", err)
		}
		if cert.Secret == nil {
			return fmt.Errorf("rpc: certificate %s has no secret key (%s%s)", path, path, curve.SecretSuffix)
		}
		c.curveSecret = cert.Secret
		return nil
	}
}

// WithCurveServerKeyFile is WithCurveServerKey with the public key of the servers' certificate
// file.
func WithCurveServerKeyFile(path string) Option {
	return func(c *config) error {
		cert, err := curve.LoadCertificate(path)
		if err != nil {
			return fmt.Errorf("rpc: %w", err)
		}
		c.curveServerKey = &cert.Public
		return nil
	}
}

// RemoteError is an error a handler may return to give the caller a type name (which clients
// that allow it rebuild) and details.
type RemoteError interface {
	error
	RemoteType() string               // the type name a client allows with WithRemoteError to rebuild it
	RemoteDetails() map[string]string // sent to the caller as Error.Details; may be nil
}
