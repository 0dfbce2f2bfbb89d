package rpc

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/rpc/registry"
)

// DefaultEndpoint is where a server binds when given no endpoint.
const DefaultEndpoint = "tcp://127.0.0.1:*"

// Server answers the calls and casts of its Target's topic, and those naming its Server, on a
// ROUTER bound at each endpoint. Register methods with Handle, then Start; Stop ends it.
type Server struct {
	target Target
	cfg    *config
	// The keys a request may carry (the topic's and this server's), made once.
	topicKey, serverKey string

	// Set before Start, read-only after.
	methods map[methodKey][]method
	started bool

	zctx      *zmq.Context
	ownCtx    bool // zctx is ours to shut down
	sock      *zmq.Socket
	endpoints []string
	leases    []registry.Lease

	base     context.Context // parent of every handler's ctx; cancelled last
	stopBase context.CancelFunc
	recvStop context.CancelFunc // ends the pool's receiving

	pool     pool
	dl       serverDelivery
	inflight inflight
	stopOnce sync.Once
	stopErr  error

	requests, dropped, rejected atomic.Uint64

	links proxyLinks // behind proxies (proxy_server.go)
}

// ServerStats counts what a server received.
type ServerStats struct {
	Requests uint64 // well-formed CALLs and CASTs
	Dropped  uint64 // messages that did not follow the wire format, dropped unanswered
	Rejected uint64 // requests answered without running a handler (busy, stopping, wrong target, ...)
	Replayed uint64 // at-least-once duplicates answered from the dedup store, without running a handler
}

// NewServer makes a server for target; the server's Target.Server, when set, names it (it
// answers calls for exchange/topic and for exchange/topic/server). Options: WithEndpoint,
// WithRegistry, WithTTL, WithWorkers, WithCodec, WithContext, WithCurveServer, WithMaxMessage,
// WithHeartbeat, WithDedup, WithDedupLease, WithTracePropagator.
func NewServer(target Target, opts ...Option) (*Server, error) {
	if err := target.Validate(); err != nil {
		return nil, err
	}
	if target.Fanout {
		return nil, newError(InvalidTarget, "a server's target cannot be fanout")
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	if cfg.target != nil || cfg.curveServerKey != nil || cfg.retries != 0 || cfg.errTypes != nil || cfg.dl.clientOnly() {
		return nil, errors.New("rpc: NewServer given a client option")
	}
	if err := cfg.proxy.check(cfg, true); err != nil {
		return nil, err
	}
	return &Server{target: target, cfg: cfg, methods: map[methodKey][]method{},
		topicKey: target.TopicKey(), serverKey: target.Key()}, nil
}

func (s *Server) addMethod(name string, hc handlerConfig, inv invoker) error {
	if s.started {
		return fmt.Errorf("rpc: Handle %q after Start", name)
	}
	if !namePattern.MatchString(name) {
		return fmt.Errorf("rpc: method name %q: want 1-255 of A-Z a-z 0-9 _ . : -", name)
	}
	if hc.namespace != "" && !namePattern.MatchString(hc.namespace) {
		return fmt.Errorf("rpc: namespace %q: want 1-255 of A-Z a-z 0-9 _ . : -", hc.namespace)
	}
	major, minor, ok := parseVersion(hc.version)
	if !ok || !versionPattern.MatchString(hc.version) {
		return fmt.Errorf("rpc: version %q: want major.minor", hc.version)
	}
	k := methodKey{hc.namespace, name}
	for _, m := range s.methods[k] {
		if m.major == major {
			return fmt.Errorf("rpc: method %q of namespace %q registered twice in major version %d", name, hc.namespace, major)
		}
	}
	s.methods[k] = append(s.methods[k], method{major: major, minor: minor, invoke: inv})
	return nil
}

// Start binds the endpoints, registers them in the registry (if any) and serves. Behind
// proxies (WithProxy, WithProxyDiscovery) it binds nothing and returns once each proxy known
// has acknowledged the server (or a proxy that does not answer has been silent for its
// heartbeat timeout): a call or fanout sent through a proxy after Start returned finds the
// server there.
func (s *Server) Start() (err error) {
	if s.started {
		return errors.New("rpc: server started twice")
	}
	s.started = true
	s.zctx = s.cfg.zctx
	if s.zctx == nil {
		s.zctx, s.ownCtx = zmq.NewContext(), true
	}
	defer func() {
		if err != nil {
			s.abort()
		}
	}()
	if s.cfg.proxy.on() {
		return s.startProxied()
	}
	// ROUTER_NOTIFY: the end of a caller's connection comes as [its routing id, ""] (callerGone).
	opts := []zmq.Option{zmq.WithRouterMandatory(true), zmq.WithLinger(time.Second), zmq.WithMaxMsgSize(s.cfg.maxMsg),
		zmq.WithRouterNotify(zmq.NotifyDisconnect)}
	opts = append(opts, s.cfg.dl.heartbeatOptions()...)
	if k := s.cfg.curveSecret; k != nil {
		opts = append(opts, zmq.WithCurveServer(true), zmq.WithCurvePublicKey(k.Public()), zmq.WithCurveSecretKey(*k))
	}
	if s.sock, err = s.zctx.NewSocket(zmq.ROUTER, opts...); err != nil {
		return err
	}
	eps := s.cfg.endpoints
	if len(eps) == 0 {
		eps = []string{DefaultEndpoint}
	}
	for _, ep := range eps {
		if err := s.sock.Bind(ep); err != nil {
			return err
		}
		s.endpoints = append(s.endpoints, s.sock.LastEndpoint())
	}
	s.base, s.stopBase = context.WithCancel(context.Background())
	recvCtx, recvStop := context.WithCancel(context.Background())
	s.recvStop = recvStop
	s.pool.start(s.cfg.workers, func() { s.serve(recvCtx) })
	return s.register()
}

// register puts every endpoint under the topic's key and the server's own.
func (s *Server) register() error {
	r := s.cfg.registry
	if r == nil {
		return nil
	}
	keys := []string{s.target.TopicKey()}
	if s.target.Server != "" {
		keys = append(keys, s.target.Key())
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ttl)
	defer cancel()
	for _, k := range keys {
		for _, ep := range s.endpoints {
			l, err := r.Register(ctx, k, ep, s.cfg.ttl)
			if err != nil {
				return fmt.Errorf("rpc: registering %s at %s: %w", ep, k, err)
			}
			s.leases = append(s.leases, l)
		}
	}
	return nil
}

// abort undoes a Start that failed.
func (s *Server) abort() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = s.Stop(ctx)
}

// Endpoint is the first bound endpoint, wildcards resolved (tcp://127.0.0.1:41234).
func (s *Server) Endpoint() string {
	if len(s.endpoints) == 0 {
		return ""
	}
	return s.endpoints[0]
}

// Endpoints are all bound endpoints, resolved.
func (s *Server) Endpoints() []string { return append([]string(nil), s.endpoints...) }

// Stats returns the server's counters.
func (s *Server) Stats() ServerStats {
	return ServerStats{Requests: s.requests.Load(), Dropped: s.dropped.Load(), Rejected: s.rejected.Load(), Replayed: s.dl.replays.Load()}
}

// Stop deregisters the server, answers new calls Unavailable, waits for the calls in flight to
// finish, then closes. When ctx ends first, the handlers still running have their ctx
// cancelled and Stop returns ctx's error without waiting for them: a handler that ignores its
// ctx outlives Stop. Stop is idempotent.
func (s *Server) Stop(ctx context.Context) error {
	s.stopOnce.Do(func() { s.stopErr = s.stop(ctx) })
	return s.stopErr
}

func (s *Server) stop(ctx context.Context) error {
	s.links.leave()
	var errs []error
	for _, l := range s.leases {
		errs = append(errs, l.Stop(ctx))
	}
	if s.recvStop != nil {
		drained := s.pool.drain(ctx)
		s.recvStop()
		if drained != nil {
			s.stopBase() // out of time: cancel the handlers still running
		}
		stopped := s.pool.wait(ctx)
		s.stopBase()
		errs = append(errs, cmp.Or(drained, stopped))
	}
	if s.sock != nil {
		_ = s.sock.Close()
	}
	if s.ownCtx {
		sctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_ = s.zctx.Shutdown(sctx) // queued replies get a second; then they are dropped
		cancel()
	}
	return errors.Join(errs...)
}
