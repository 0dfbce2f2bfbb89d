package rpc

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/rpc/internal/wire"
)

// A server in proxy mode binds nothing: it keeps a DEALER to each proxy's backend, announces
// its keys and its free workers (READY), and returns one credit per request it received once
// that request is over (its REPLY, or a CREDIT when there is none). Requests come as
// [return address, header, ...], the ROUTER's shape, so one dispatch path serves both.

// proxyLinks are a server's links to its proxies.
type proxyLinks struct {
	mu    sync.Mutex
	links map[string]*proxyLink // by endpoint
	ctx   context.Context       // ends at stop: every link's goroutine returns
	stop  context.CancelFunc
	wg    sync.WaitGroup
}

// proxyLink is a server's link to one proxy: a DEALER, replaced when the proxy goes silent.
type proxyLink struct {
	s        *Server
	endpoint string
	sock     atomic.Pointer[zmq.Socket]
	busy     atomic.Int64 // requests received, their REPLY or CREDIT not yet sent
	heard    atomic.Int64 // when the proxy last said anything, UnixNano
	peerIvl  atomic.Int64 // the proxy's heartbeat interval, as it announced it
	now      context.Context
	cancel   context.CancelFunc // ends this link alone (the registry dropped its proxy)
	done     chan struct{}
	acked    chan struct{} // closed once the proxy has answered a READY: it knows the server
	ackOnce  sync.Once
}

// startProxied starts a server in proxy mode: a link to each static proxy and, with
// WithProxyDiscovery, to each proxy backend in the registry.
func (s *Server) startProxied() error {
	s.base, s.stopBase = context.WithCancel(context.Background())
	s.pool.n = s.cfg.workers // each link runs its own receivers (run); the pool counts slots
	l := &s.links
	l.links = map[string]*proxyLink{}
	l.ctx, l.stop = context.WithCancel(context.Background())
	s.recvStop = l.stop
	// Stop waits for the links' goroutines as for the pool's (pool.wait), within its ctx: a
	// handler that ignores its ctx outlives Stop here too.
	s.pool.done = make(chan struct{})
	go func() {
		<-l.ctx.Done()
		l.wg.Wait()
		close(s.pool.done)
	}()
	eps := s.cfg.proxy.endpoints
	join := s.cfg.proxy.interval * time.Duration(s.cfg.proxy.misses)
	if s.cfg.proxy.discover {
		ctx, cancel := context.WithTimeout(l.ctx, join)
		found, err := s.cfg.registry.Resolve(ctx, ProxyBackendKey)
		cancel()
		if err == nil {
			eps = slices.Concat(eps, found)
		}
	}
	l.mu.Lock()
	var known []*proxyLink
	for _, ep := range eps {
		if l.links[ep] == nil {
			l.addLocked(s, ep)
			known = append(known, l.links[ep])
		}
	}
	l.mu.Unlock()
	if s.cfg.proxy.discover {
		ch, err := s.cfg.registry.Watch(l.ctx, ProxyBackendKey)
		if err != nil {
			return err
		}
		l.wg.Add(1)
		go l.follow(s, ch)
	}
	l.joined(known, join)
	return nil
}

// joined waits until every proxy known at Start has acknowledged the server's READY, so that
// what a client sends through one of them after Start returns — a fanout cast too — finds the
// server there; a proxy that does not answer within the heartbeat timeout is waited for no
// longer (its link keeps trying, as a connect does).
func (l *proxyLinks) joined(known []*proxyLink, timeout time.Duration) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for _, k := range known {
		select {
		case <-k.acked:
		case <-t.C:
			return
		case <-l.ctx.Done():
			return
		}
	}
}

// follow keeps a link to each proxy backend in the registry (and the static ones), watching
// again when the registry's Watch fails, until the server stops.
func (l *proxyLinks) follow(s *Server, ch <-chan []string) {
	defer l.wg.Done()
	for {
		for eps := range ch {
			l.mu.Lock()
			want := slices.Concat(s.cfg.proxy.endpoints, eps)
			for ep, k := range l.links {
				if !slices.Contains(want, ep) {
					k.cancel()
					delete(l.links, ep)
				}
			}
			for _, ep := range want {
				if l.links[ep] == nil && l.ctx.Err() == nil {
					l.addLocked(s, ep)
				}
			}
			l.mu.Unlock()
		}
		t := time.NewTimer(time.Second)
		select {
		case <-l.ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		var err error
		if ch, err = s.cfg.registry.Watch(l.ctx, ProxyBackendKey); err != nil {
			ch = closedWatch
		}
	}
}

var closedWatch = func() <-chan []string { c := make(chan []string); close(c); return c }()

func (l *proxyLinks) addLocked(s *Server, ep string) {
	k := &proxyLink{s: s, endpoint: ep, done: make(chan struct{}), acked: make(chan struct{})}
	ctx, cancel := context.WithCancel(l.ctx)
	k.cancel = cancel
	now, done := context.WithCancel(context.Background())
	done()
	k.now = now
	l.links[ep] = k
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		k.run(ctx)
	}()
}

// leave tells every proxy to send nothing new: the server is stopping.
func (l *proxyLinks) leave() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range l.links {
		k.control(kindDisconnect, 0)
	}
}

// run keeps the link up: a DEALER connected to the proxy, announced with READY, until ctx ends;
// a proxy silent for its misses gets a fresh connection and a fresh READY.
func (k *proxyLink) run(ctx context.Context) {
	defer close(k.done)
	for ctx.Err() == nil {
		sock, err := k.s.zctx.NewSocket(zmq.DEALER, zmq.WithLinger(time.Second), zmq.WithMaxMsgSize(k.s.cfg.maxMsg))
		if err != nil {
			return // the context is shutting down
		}
		if err := sock.Connect(k.endpoint); err != nil {
			_ = sock.Close()
			return // a malformed endpoint will not get better
		}
		k.sock.Store(sock)
		k.heard.Store(time.Now().UnixNano())
		k.peerIvl.Store(int64(k.s.cfg.proxy.interval))
		k.ready()
		sctx, end := context.WithCancel(ctx)
		ticked := make(chan struct{})
		go func() {
			defer close(ticked)
			k.tick(sctx, end)
		}()
		// The pool's design (pool.go): workers+1 goroutines receive and run what they receive,
		// so that one is always receiving, without a goroutine per request. They belong to the
		// links, not to this connection: one still in a handler when the connection is replaced
		// answers on the new one, and does not hold the replacement up.
		l := &k.s.links
		var mine sync.WaitGroup
		for range k.s.cfg.workers + 1 {
			l.wg.Add(1)
			mine.Add(1)
			go func() {
				defer l.wg.Done()
				defer mine.Done()
				k.recv(sctx, sock)
			}()
		}
		<-sctx.Done()
		<-ticked
		if ctx.Err() != nil {
			mine.Wait() // stopping: the replies of the last handlers go out before the close
		}
		_ = sock.Close()
	}
}

// recv takes the proxy's messages until ctx ends.
func (k *proxyLink) recv(ctx context.Context, sock *zmq.Socket) {
	for {
		m, err := sock.Recv(ctx)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, zmq.ErrClosed) {
				return
			}
			continue
		}
		k.heard.Store(time.Now().UnixNano())
		f := m.Frames
		if len(f) == 2 && len(f[0]) == 0 {
			k.onControl(f[1])
			continue
		}
		if j := k.s.handle(f, k); j != nil {
			k.s.work(j, k.s.pool.release)
		}
	}
}

// tick sends a heartbeat every interval and ends the connection (end) when the proxy has been
// silent for misses of its own intervals.
func (k *proxyLink) tick(ctx context.Context, end context.CancelFunc) {
	ivl := k.s.cfg.proxy.interval
	t := time.NewTicker(ivl)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		silent := time.Since(time.Unix(0, k.heard.Load()))
		if silent > time.Duration(k.s.cfg.proxy.misses)*time.Duration(k.peerIvl.Load()) {
			end()
			return
		}
		k.control(kindHeartbeat, 0)
	}
}

// onControl handles a proxy's HEARTBEAT (its interval) or DISCONNECT (it does not know us:
// announce again).
func (k *proxyLink) onControl(b []byte) {
	h, err := wire.ParseHeader(b)
	if err != nil {
		k.s.dropped.Add(1)
		return
	}
	switch h.Kind {
	case kindHeartbeat: // the proxy knows us: it answers a READY with one
		if ivl := h.Timeout; ivl > 0 && ivl < maxTimeout {
			k.peerIvl.Store(int64(ivl))
		}
		k.ackOnce.Do(func() { close(k.acked) })
	case kindDisconnect:
		k.ready()
	default:
		k.s.dropped.Add(1)
	}
}

// ready announces the server's keys and its credit: the workers not busy with this proxy's
// requests. Each proxy is offered every free worker: with several proxies the pool may be
// asked for more than it has, and answers ResourceExhausted as it does without proxies.
func (k *proxyLink) ready() {
	credit := max(int64(k.s.cfg.workers)-k.busy.Load(), 0)
	h := header{kind: kindReady, id: uint64(credit), timeout: k.s.cfg.proxy.interval}.marshal()
	f := [][]byte{{}, h, []byte(k.s.topicKey)}
	if k.s.serverKey != k.s.topicKey {
		f = append(f, []byte(k.s.serverKey))
	}
	k.send(f...)
}

// control sends a message with the header alone.
func (k *proxyLink) control(kd kind, n uint64) {
	k.send([]byte{}, header{kind: kd, id: n, timeout: k.s.cfg.proxy.interval}.marshal())
}

// send queues a message for the proxy without waiting: a proxy that does not read (gone,
// stopped) loses it, and the heartbeats notice.
func (k *proxyLink) send(frames ...[]byte) {
	if s := k.sock.Load(); s != nil {
		_ = s.Send(k.now, zmq.NewMsg(frames...))
	}
}

// The request bookkeeping: every request taken (took) ends in one reply or one credit. The
// link methods are no-ops on nil, the ROUTER's requests.

func (k *proxyLink) took() {
	if k != nil {
		k.busy.Add(1)
	}
}

// reply sends a call's reply, which gives the proxy its credit back. It waits, within the
// proxy's silence allowance, for room in the queue: a full queue is a slow proxy, not a lost one.
func (k *proxyLink) reply(peer, h, body []byte) {
	k.busy.Add(-1)
	s := k.sock.Load()
	msg := zmq.NewMsg(peer, h, body)
	if err := s.Send(k.now, msg); !errors.Is(err, zmq.ErrAgain) {
		return
	}
	wait := time.Duration(k.s.cfg.proxy.misses) * time.Duration(k.peerIvl.Load())
	ctx, cancel := context.WithTimeout(k.s.base, wait)
	defer cancel()
	_ = s.Send(ctx, zmq.NewMsg(peer, h, body))
}

// credit returns the credit of a request that gets no reply (a cast, a cancelled call).
func (k *proxyLink) credit() {
	if k != nil {
		k.busy.Add(-1)
		k.control(kindCredit, 1)
	}
}

// dropped returns the credit of a request the server could not read: the proxy counted it.
func (k *proxyLink) dropped(h []byte) {
	if k != nil && len(h) == headerLen && (kind(h[1]) == kindCall || kind(h[1]) == kindCast) {
		k.control(kindCredit, 1)
	}
}
