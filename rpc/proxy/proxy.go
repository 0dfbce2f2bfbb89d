// Package proxy is the rpc proxy (zmq rpc-proxy) as a library: clients connect to its
// frontend, servers to its backend, and each request goes to a server of its key that has
// announced free workers (Majordomo-style credit), never round robin over a stale list.
//
// It keeps no state across restarts: in memory only the ready servers of each key, the calls
// in flight and a bounded queue per key for requests waiting for a free server. Every call it
// takes ends in a reply: the server's, or the proxy's own NoResponders (no server of the key),
// ResourceExhausted (queue full), DeadlineExceeded (expired in the queue) or Unavailable (its
// server went silent). Clients and servers use it with rpc.WithProxy or rpc.WithProxyDiscovery;
// several proxies can run side by side, registered in the registry.
package proxy

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/rpc"
	"github.com/purezmq/zmq/rpc/registry"
)

// Defaults of Config.
const (
	DefaultEndpoint   = "tcp://127.0.0.1:*"       // where the frontend and the backend bind
	DefaultQueue      = 1000                      // requests waiting per key
	DefaultQueueBytes = 64 << 20                  // bytes of the requests waiting, all keys together
	DefaultMaxCalls   = 100000                    // calls in flight at once
	DefaultHeartbeat  = rpc.DefaultProxyHeartbeat // how often the proxy tells each server it is alive
	DefaultMisses     = rpc.DefaultProxyMisses    // a server's intervals of silence before it is dropped
	DefaultTTL        = rpc.DefaultTTL            // the registration lease
)

// Config says where a proxy listens and how it bounds what it holds. The zero value of each
// field is its default.
type Config struct {
	Frontend []string // where clients connect (DefaultEndpoint)
	Backend  []string // where servers connect (DefaultEndpoint)
	// Registry, when set, gets the frontends under rpc.ProxyKey and the backends under
	// rpc.ProxyBackendKey, with a lease of TTL.
	Registry registry.Registry
	TTL      time.Duration // the registration lease (DefaultTTL)
	// Heartbeat is how often the proxy tells each server it is alive (DefaultHeartbeat); a
	// server silent for Misses of its own intervals (DefaultMisses) is dropped and its calls
	// answered Unavailable.
	Heartbeat  time.Duration
	Misses     int          // see Heartbeat
	Queue      int          // requests waiting per key for a free server; more: ResourceExhausted
	QueueBytes int          // bytes of the requests waiting, every key together; more: ResourceExhausted
	MaxCalls   int          // calls in flight at once; more: ResourceExhausted
	Context    *zmq.Context // the sockets' context; a context of its own when nil
	Metrics    *Metrics     // Prometheus metrics (NewMetrics); none when nil
}

// Proxy is a running proxy.
type Proxy struct {
	cfg           Config
	zctx          *zmq.Context
	ownCtx        bool
	front, back   *zmq.Socket
	fronts, backs []string
	nonce         []byte // starts every return address this proxy instance gives a server
	now           context.Context
	leases        []registry.Lease
	stop          context.CancelFunc
	wg            sync.WaitGroup
	closeOnce     sync.Once
	closeErr      error

	mu    sync.Mutex
	st    state
	stats Stats
	out   []outMsg // what the goroutine holding mu queued to send once it lets go (send.go)

	replies, progress atomic.Uint64 // Stats.Replies and Progress: counted once sent, outside mu
}

// New binds the proxy's sockets, registers it and starts it; Close stops it.
func New(cfg Config) (_ *Proxy, err error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	p := &Proxy{cfg: cfg, zctx: cfg.Context, nonce: make([]byte, 8)}
	p.st.init()
	_, _ = rand.Read(p.nonce)
	if p.zctx == nil {
		p.zctx, p.ownCtx = zmq.NewContext(), true
	}
	now, done := context.WithCancel(context.Background())
	done()
	p.now = now
	ctx, stop := context.WithCancel(context.Background())
	p.stop = stop
	defer func() {
		if err != nil {
			_ = p.Close()
		}
	}()
	opts := []zmq.Option{zmq.WithRouterMandatory(true), zmq.WithLinger(0), zmq.WithMaxMsgSize(rpc.DefaultMaxMessage)}
	// ROUTER_NOTIFY: the end of a client's connection comes as [its routing id, ""].
	front := append(slices.Clip(opts), zmq.WithRouterNotify(zmq.NotifyDisconnect))
	if p.front, p.fronts, err = p.bind(cfg.Frontend, front); err != nil {
		return nil, fmt.Errorf("proxy: frontend: %w", err)
	}
	if p.back, p.backs, err = p.bind(cfg.Backend, opts); err != nil {
		return nil, fmt.Errorf("proxy: backend: %w", err)
	}
	p.wg.Add(3)
	go p.loop(ctx, p.front, p.fromClientLocked)
	go p.loop(ctx, p.back, p.fromServerLocked)
	go p.ticker(ctx)
	if err := p.register(); err != nil {
		return nil, err
	}
	return p, nil
}

func (c *Config) defaults() error {
	if c.Heartbeat < 0 || c.Misses < 0 || c.Queue < 0 || c.QueueBytes < 0 || c.MaxCalls < 0 || c.TTL < 0 {
		return errors.New("proxy: negative setting")
	}
	if len(c.Frontend) == 0 {
		c.Frontend = []string{DefaultEndpoint}
	}
	if len(c.Backend) == 0 {
		c.Backend = []string{DefaultEndpoint}
	}
	c.Heartbeat = cmpOr(c.Heartbeat, DefaultHeartbeat)
	c.Misses = cmpOr(c.Misses, DefaultMisses)
	c.Queue = cmpOr(c.Queue, DefaultQueue)
	c.QueueBytes = cmpOr(c.QueueBytes, DefaultQueueBytes)
	c.MaxCalls = cmpOr(c.MaxCalls, DefaultMaxCalls)
	c.TTL = cmpOr(c.TTL, DefaultTTL)
	return nil
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func (p *Proxy) bind(eps []string, opts []zmq.Option) (*zmq.Socket, []string, error) {
	s, err := p.zctx.NewSocket(zmq.ROUTER, opts...)
	if err != nil {
		return nil, nil, err
	}
	var bound []string
	for _, ep := range eps {
		if err := s.Bind(ep); err != nil {
			_ = s.Close()
			return nil, nil, err
		}
		bound = append(bound, s.LastEndpoint())
	}
	return s, bound, nil
}

func (p *Proxy) register() error {
	r := p.cfg.Registry
	if r == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), p.cfg.TTL)
	defer cancel()
	for _, kv := range []struct {
		key string
		eps []string
	}{{rpc.ProxyKey, p.fronts}, {rpc.ProxyBackendKey, p.backs}} {
		for _, ep := range kv.eps {
			l, err := r.Register(ctx, kv.key, ep, p.cfg.TTL)
			if err != nil {
				return fmt.Errorf("proxy: registering %s under %s: %w", ep, kv.key, err)
			}
			p.leases = append(p.leases, l)
		}
	}
	return nil
}

// Frontend is the first frontend endpoint, wildcards resolved: where clients connect.
func (p *Proxy) Frontend() string { return p.fronts[0] }

// Backend is the first backend endpoint, wildcards resolved: where servers connect.
func (p *Proxy) Backend() string { return p.backs[0] }

// Frontends and Backends are every bound endpoint, resolved.
func (p *Proxy) Frontends() []string { return append([]string(nil), p.fronts...) }

// Backends: see Frontends.
func (p *Proxy) Backends() []string { return append([]string(nil), p.backs...) }

// Run serves until ctx ends, then closes the proxy.
func (p *Proxy) Run(ctx context.Context) error {
	<-ctx.Done()
	return p.Close()
}

// Close deregisters the proxy and closes its sockets: the calls in flight through it are
// lost to it, and their clients see the connection drop (Unavailable). Idempotent.
func (p *Proxy) Close() error {
	p.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		var errs []error
		for _, l := range p.leases {
			errs = append(errs, l.Stop(ctx))
		}
		p.stop()
		for _, s := range []*zmq.Socket{p.front, p.back} {
			if s != nil {
				_ = s.Close()
			}
		}
		p.wg.Wait()
		if p.ownCtx {
			errs = append(errs, p.zctx.Shutdown(ctx))
		}
		p.closeErr = errors.Join(errs...)
	})
	return p.closeErr
}

// maxBatch bounds the messages a loop handles under one taking of the lock.
const maxBatch = 64

// loop receives on s until ctx ends or s closes, handing each message to handle under the
// lock. It takes what has arrived in a batch (a read of the connection brings several), so
// that the lock is taken, and what to send is sent, once per batch.
func (p *Proxy) loop(ctx context.Context, s *zmq.Socket, handle func([][]byte, time.Time)) {
	defer p.wg.Done()
	var (
		batch [][][]byte
		out   []outMsg
		fails []failed
	)
	for {
		m, err := s.Recv(ctx)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, zmq.ErrClosed) {
				return
			}
			continue
		}
		batch = append(batch[:0], m.Frames)
		for len(batch) < maxBatch {
			m, err := s.Recv(p.now) // a done ctx only looks
			if err != nil {
				break
			}
			batch = append(batch, m.Frames)
		}
		now := time.Now()
		out = p.locked(out, func() {
			for _, f := range batch {
				handle(f, now)
			}
		})
		clear(batch)
		out, fails = p.flush(out, fails)
	}
}

// ticker sends the heartbeats and expires what waited too long, every tick.
func (p *Proxy) ticker(ctx context.Context) {
	defer p.wg.Done()
	tick := min(p.cfg.Heartbeat/2, 100*time.Millisecond)
	t := time.NewTicker(tick)
	defer t.Stop()
	var (
		beat  time.Time
		out   []outMsg
		fails []failed
	)
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			out = p.locked(out, func() {
				if now.Sub(beat) >= p.cfg.Heartbeat {
					beat = now
					p.heartbeatLocked(now)
				}
				p.expireLocked(now)
			})
			out, fails = p.flush(out, fails)
		}
	}
}
