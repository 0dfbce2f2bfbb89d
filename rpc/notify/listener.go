package notify

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	zmq "github.com/purezmq/zmq"
)

// Result is what a handler made of a notification.
type Result int

const (
	// Handled: done with it.
	Handled Result = iota
	// Requeue: in a pool, deliver it again, to another member when there is one (up to the
	// dispatcher's WithMaxAttempts). Outside pools it is the same as Handled.
	Requeue
)

// Handler handles one notification. Several run at once with WithWorkers. A handler that
// panics requeues its notification.
type Handler func(ctx context.Context, n *Notification) Result

// Listener receives the notifications of its topics and priorities: its own copy of each, or,
// with WithPool, its pool's copy of those no other member of the pool takes.
type Listener struct {
	cfg     *config
	handler Handler
	topics  map[string]bool // the "<topic>.<priority>" it takes

	zctx   *zmq.Context
	ownCtx bool
	base   context.Context // handlers' ctx
	stopH  context.CancelFunc
	run    context.Context // readers', heartbeats', discovery's
	stopR  context.CancelFunc
	disc   *discovery
	work   chan job

	mu      sync.Mutex
	conns   map[string]*lconn
	started bool
	stopped bool

	readers, workers sync.WaitGroup
	stopOnce         sync.Once
	stopErr          error
	changed          chan struct{} // under mu: closed at the next change of conns (tests)

	stats listenerCounters
}

type listenerCounters struct {
	received, handled, requeued, filtered, dropped, garbage atomic.Uint64
}

// ListenerStats counts what a listener received.
type ListenerStats struct {
	Received uint64 // notifications read (in a pool: deliveries, requeued ones again)
	Handled  uint64 // handlers that returned Handled
	Requeued uint64 // handlers that returned Requeue (or panicked)
	Filtered uint64 // not for the handler: the Filter said no
	Dropped  uint64 // outside pools: lost at the HWM, from gaps in the publishers' sequences
	Garbage  uint64 // malformed messages, dropped
}

// job is one notification for the workers.
type job struct {
	n   *Notification
	c   *lconn
	tag uint64 // pooled: the delivery to acknowledge
}

// NewListener makes a listener that hands its notifications to h. Options: WithTopics,
// WithPriorities, WithPool, WithFilter, WithRegistry, WithEndpoints, WithHub, WithHWM,
// WithWorkers, WithHeartbeat, WithMaxMessage, WithContext.
func NewListener(h Handler, opts ...Option) (*Listener, error) {
	if h == nil {
		return nil, invalid("nil handler")
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	if cfg.registry == nil && len(cfg.endpoints) == 0 {
		return nil, invalid("a listener needs a registry or endpoints")
	}
	l := &Listener{cfg: cfg, handler: h, topics: map[string]bool{}, conns: map[string]*lconn{}}
	for _, t := range cfg.fullTopics() {
		l.topics[t] = true
	}
	return l, nil
}

// keys are the registry keys of the publishers (or dispatchers) it connects to.
func (l *Listener) keys() []string {
	if l.cfg.registry == nil {
		return nil
	}
	switch {
	case l.cfg.hub && l.cfg.pool != "":
		return []string{HubPoolKey}
	case l.cfg.hub:
		return []string{HubPubKey}
	}
	var keys []string
	for _, t := range l.cfg.topics {
		if l.cfg.pool != "" {
			keys = append(keys, PoolKey(t))
		} else {
			keys = append(keys, PubKey(t))
		}
	}
	return keys
}

// Start connects to every publisher (or pool dispatcher) known now and returns once each has
// confirmed the listener's subscriptions (or pool membership): what they publish from then on
// reaches it. Those found later are joined as they come. ctx bounds the wait; when it ends
// first, Start stops the listener and returns ctx's error.
func (l *Listener) Start(ctx context.Context) (err error) {
	l.mu.Lock()
	if l.started {
		l.mu.Unlock()
		return errors.New("notify: listener started twice")
	}
	l.started = true
	l.mu.Unlock()
	l.zctx, l.ownCtx = l.cfg.zmqContext()
	l.base, l.stopH = context.WithCancel(context.Background())
	l.run, l.stopR = context.WithCancel(context.Background())
	l.work = make(chan job)
	for range l.cfg.workers {
		l.workers.Add(1)
		go l.worker()
	}
	defer func() {
		if err != nil {
			_ = l.Stop(context.Background())
		}
	}()
	disc, eps, err := startDiscovery(ctx, l.run, l.cfg.registry, l.keys(), l.cfg.endpoints, l.setEndpoints)
	if err != nil {
		return err
	}
	l.disc = disc
	l.setEndpoints(eps)
	if l.cfg.pool != "" {
		l.readers.Add(1)
		go l.heartbeats()
	}
	l.mu.Lock()
	var wait []*lconn
	for _, c := range l.conns {
		wait = append(wait, c)
	}
	l.mu.Unlock()
	errs := make(chan error, len(wait))
	for _, c := range wait {
		go func() {
			if err := c.handshake(ctx); err != nil {
				errs <- fmt.Errorf("notify: no handshake with %s: %w", c.ep, err)
				return
			}
			errs <- nil
		}()
	}
	for range wait {
		if e := <-errs; e != nil && err == nil {
			err = e
		}
	}
	return err
}

// barrier returns once everything the publishers queued for the listener before it was
// called has been read (and handed to the workers). Outside pools only; tests.
func (l *Listener) barrier(ctx context.Context) error {
	l.mu.Lock()
	var cs []*lconn
	for _, c := range l.conns {
		cs = append(cs, c)
	}
	l.mu.Unlock()
	for _, c := range cs {
		if err := c.barrier(ctx); err != nil {
			return err
		}
	}
	return nil
}

// setEndpoints connects to the endpoints listed and leaves the others.
func (l *Listener) setEndpoints(eps []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stopped {
		return
	}
	have := make([]string, 0, len(l.conns))
	for ep := range l.conns {
		have = append(have, ep)
	}
	defer func() {
		if l.changed != nil {
			close(l.changed)
			l.changed = nil
		}
	}()
	reconcile(have, eps, func(ep string) {
		c, err := l.dial(ep)
		if err != nil {
			l.stats.garbage.Add(1) // an endpoint the registry holds that does not connect
			return
		}
		l.conns[ep] = c
	}, func(ep string) {
		c := l.conns[ep]
		delete(l.conns, ep)
		if c != nil {
			c.close()
		}
	})
}

// Stats returns the listener's counters.
func (l *Listener) Stats() ListenerStats {
	s := &l.stats
	return ListenerStats{Received: s.received.Load(), Handled: s.handled.Load(), Requeued: s.requeued.Load(),
		Filtered: s.filtered.Load(), Dropped: s.dropped.Load(), Garbage: s.garbage.Load()}
}

// worker runs handlers; in a pool it acknowledges each.
func (l *Listener) worker() {
	defer l.workers.Done()
	for j := range l.work {
		res := l.call(j.n)
		if res == Requeue {
			l.stats.requeued.Add(1)
		} else {
			l.stats.handled.Add(1)
		}
		if j.c.pooled {
			j.c.ack(j.tag, res)
		}
	}
}

func (l *Listener) call(n *Notification) (res Result) {
	defer func() {
		if recover() != nil {
			res = Requeue
		}
	}()
	return l.handler(l.base, n)
}

// deliver hands a notification to the workers, or acknowledges at once one that is not for
// the handler; false: the listener is stopping.
func (l *Listener) deliver(c *lconn, n *Notification, tag uint64) bool {
	l.stats.received.Add(1)
	if !l.topics[n.Topic] || !l.cfg.filter.match(n) {
		l.stats.filtered.Add(1)
		if c.pooled {
			c.ack(tag, Handled)
		}
		return true
	}
	select {
	case l.work <- job{n: n, c: c, tag: tag}:
		return true
	case <-c.ctx.Done():
		return false
	}
}

// heartbeats tells each dispatcher, every interval, that this member is alive (READY).
func (l *Listener) heartbeats() {
	defer l.readers.Done()
	t := time.NewTicker(l.cfg.heartbeat)
	defer t.Stop()
	for {
		select {
		case <-l.run.Done():
			return
		case <-t.C:
		}
		l.mu.Lock()
		for _, c := range l.conns {
			c.sendReady(false, uint64(l.cfg.workers))
		}
		l.mu.Unlock()
	}
}

// Stop leaves: a pool member first stops taking notifications, lets its handlers finish and
// acknowledges them, then leaves its pools, so that nothing it took is lost or handled twice.
// When ctx ends first, the handlers' ctx is cancelled; Stop still waits for them. Idempotent.
func (l *Listener) Stop(ctx context.Context) error {
	l.stopOnce.Do(func() { l.stopErr = l.stop(ctx) })
	return l.stopErr
}

func (l *Listener) stop(ctx context.Context) error {
	l.mu.Lock()
	l.stopped = true
	conns := make([]*lconn, 0, len(l.conns))
	for _, c := range l.conns {
		conns = append(conns, c)
	}
	l.mu.Unlock()
	if l.run == nil { // never started
		return nil
	}
	l.stopR() // the readers, the heartbeats (which would undo the pause) and discovery
	l.readers.Wait()
	if l.disc != nil {
		l.disc.wait()
	}
	for _, c := range conns {
		if c.pooled {
			c.sendReady(false, 0) // paused: nothing new comes; what came unread goes back at the leave
		}
	}
	close(l.work)
	done := make(chan struct{})
	go func() { l.workers.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
		l.stopH()
		<-done
	}
	l.stopH()
	for _, c := range conns {
		if c.pooled {
			c.sendReady(true, 0)
		}
		c.close()
	}
	if l.ownCtx {
		sctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_ = l.zctx.Shutdown(sctx)
		cancel()
	}
	return err
}

// endpoints lists the endpoints connected now, and a channel closed at the next change.
func (l *Listener) endpoints() ([]string, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.changed == nil {
		l.changed = make(chan struct{})
	}
	var eps []string
	for ep := range l.conns {
		eps = append(eps, ep)
	}
	return eps, l.changed
}
