package rpc

import (
	"context"
	"crypto/rand"
	"errors"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/curve"
)

// Client calls the servers of a Target. It is safe for concurrent use: many goroutines may
// Call at once over the same connections, their replies matched by id.
//
// A Client made by Prepare shares its connections with the Client it came from; closing any
// of them closes the connections of all.
type Client struct {
	core     *clientCore
	target   Target
	key      string // target.Key(), made once
	codec    Codec
	timeout  time.Duration
	retries  int
	errTypes map[string]func(string, map[string]string) error
	dl       clientDelivery
}

// clientCore is what a Client and its prepared copies share: the connections, one DEALER per
// server endpoint, the routes of the keys called so far, and the calls waiting for replies.
type clientCore struct {
	cfg    *config
	zctx   *zmq.Context
	ownCtx bool
	ctx    context.Context // ends at Close: watches and receivers stop
	cancel context.CancelFunc
	now    context.Context // always done: a Send with it does not wait
	curve  []zmq.Option    // a CURVE client's options, with this client's key pair
	nextID atomic.Uint64

	proxied bool // every key's calls go to the proxies (proxy_client.go)

	mu       sync.Mutex
	closed   bool
	routes   map[string]*route
	conns    map[string]*conn
	retiring map[*conn]struct{} // out of use, closing once their calls end
	changed  chan struct{}      // closed and replaced whenever a connection changes state

	pmu     sync.Mutex
	pending map[uint64]*pending

	wg sync.WaitGroup // every goroutine of the core
}

// NewClient makes a client of target's servers, found with WithRegistry, given with
// WithEndpoint, or both. It connects lazily, at the first call of each key. Options:
// WithRegistry, WithEndpoint, WithCodec, WithContext, WithTimeout, WithRetries,
// WithRemoteError, WithCurveServerKey, WithMaxMessage, WithDelivery, WithCallMonitor,
// WithMaxInFlight, WithHeartbeat, WithTracePropagator, and the target's (WithServer,
// WithFanout, ...). Static endpoints serve every key: a call naming a server (WithServer)
// reaches the one it names only through a registry; a static endpoint of another server
// answers it InvalidTarget.
func NewClient(target Target, opts ...Option) (*Client, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	if cfg.curveSecret != nil || cfg.workers != DefaultWorkers || cfg.ttl != DefaultTTL || cfg.dl.serverOnly() {
		return nil, errors.New("rpc: NewClient given a server option")
	}
	if cfg.target != nil {
		cfg.target(&target)
	}
	if err := target.Validate(); err != nil {
		return nil, err
	}
	c := &clientCore{cfg: cfg, zctx: cfg.zctx, routes: map[string]*route{}, conns: map[string]*conn{},
		retiring: map[*conn]struct{}{},
		changed:  make(chan struct{}), pending: map[uint64]*pending{}}
	if err := c.setupProxy(); err != nil {
		return nil, err
	}
	if k := cfg.curveServerKey; k != nil {
		pub, sec, err := curve.GenerateKeyPair(rand.Reader)
		if err != nil {
			return nil, err
		}
		c.curve = []zmq.Option{zmq.WithCurveServerKey(*k), zmq.WithCurvePublicKey(pub), zmq.WithCurveSecretKey(sec)}
	}
	if c.zctx == nil {
		c.zctx, c.ownCtx = zmq.NewContext(), true
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	now, done := context.WithCancel(context.Background())
	done()
	c.now = now
	return &Client{core: c, target: target, key: c.keyOf(target), codec: cfg.codec, timeout: cfg.timeout, retries: cfg.retries,
		errTypes: cfg.errTypes, dl: cfg.dl.client()}, nil
}

// Prepare returns a client sharing cl's connections with its target, timeout, version,
// namespace, retries, codec or remote error types changed by opts (WithServer, WithFanout,
// WithVersion, WithNamespace, WithTopic, WithTimeout, WithRetries, WithCodec, WithRemoteError,
// WithDelivery, WithCallMonitor, WithTracePropagator).
// Closing it closes cl too, and every other client prepared from cl.
func (cl *Client) Prepare(opts ...Option) (*Client, error) {
	cfg := &config{codec: cl.codec, timeout: cl.timeout, retries: cl.retries, errTypes: maps.Clone(cl.errTypes),
		workers: DefaultWorkers, ttl: DefaultTTL, dl: cl.dl.prepared()}
	if err := cfg.apply(opts); err != nil {
		return nil, err
	}
	if cfg.registry != nil || cfg.endpoints != nil || cfg.zctx != nil || cfg.curveSecret != nil ||
		cfg.curveServerKey != nil || cfg.workers != DefaultWorkers || cfg.ttl != DefaultTTL || cfg.maxMsg != 0 ||
		cfg.dl.serverOnly() || cfg.dl.connOnly() || cfg.proxy.on() || cfg.proxy.interval != 0 {
		return nil, errors.New("rpc: Prepare given an option of NewClient or NewServer")
	}
	t := cl.target
	if cfg.target != nil {
		cfg.target(&t)
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return &Client{core: cl.core, target: t, key: cl.core.keyOf(t), codec: cfg.codec, timeout: cfg.timeout, retries: cfg.retries,
		errTypes: cfg.errTypes, dl: cfg.dl.client()}, nil
}

// Target is the client's target.
func (cl *Client) Target() Target { return cl.target }

// Close closes the connections, fails the calls waiting with Unavailable and stops every
// goroutine of the client and of the clients prepared from it (or it from).
func (cl *Client) Close() error { return cl.core.close() }

func (c *clientCore) close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	conns := slices.Collect(maps.Values(c.conns))
	for cn := range c.retiring {
		conns = append(conns, cn)
	}
	c.conns, c.retiring = map[string]*conn{}, map[*conn]struct{}{}
	close(c.changed) // calls waiting for a connection see closed
	c.changed = make(chan struct{})
	c.mu.Unlock()
	c.cancel()
	for _, cn := range conns {
		c.closeConn(cn)
	}
	c.wg.Wait()
	if c.ownCtx {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		return c.zctx.Shutdown(ctx)
	}
	return nil
}
