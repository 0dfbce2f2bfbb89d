package notify

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/rpc/registry"
)

// Hub stands between notifiers and listeners, so that neither connects to all of the other:
// notifiers (WithHub) send each notification to one hub, on its In endpoint; the hub publishes
// it to its listeners outside pools (Pub, with the handshake answered by the hub) and
// dispatches it to its pools (Pool). It registers the three endpoints under HubInKey,
// HubPubKey and HubPoolKey with a lease. Several hubs may run: a notification goes through one,
// and listeners connect to all.
type Hub struct {
	cfg    *config
	zctx   *zmq.Context
	ownCtx bool
	in     *zmq.Socket
	pub    *publisher
	disp   *dispatcher
	leases []registry.Lease
	done   chan struct{}

	received, garbage atomic.Uint64

	mu       sync.Mutex
	started  bool
	stopOnce sync.Once
	stopErr  error
}

// HubEndpoints are where a hub listens, wildcards resolved.
type HubEndpoints struct {
	In   string // notifiers send here
	Pub  string // listeners outside pools subscribe here
	Pool string // pool members connect here
}

// NewHub makes a hub. Options: WithHubBind, WithRegistry, WithTTL, WithHWM, WithHeartbeat,
// WithPoolQueue, WithMaxAttempts, WithMaxMessage, WithContext.
func NewHub(opts ...Option) (*Hub, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	return &Hub{cfg: cfg, done: make(chan struct{})}, nil
}

// Start binds, registers and serves; ctx bounds the registration.
func (h *Hub) Start(ctx context.Context) (err error) {
	h.mu.Lock()
	if h.started {
		h.mu.Unlock()
		return errors.New("notify: hub started twice")
	}
	h.started = true
	h.mu.Unlock()
	h.zctx, h.ownCtx = h.cfg.zmqContext()
	defer func() {
		if err != nil {
			_ = h.Stop(context.Background())
		}
	}()
	if h.in, err = h.zctx.NewSocket(zmq.ROUTER, zmq.WithLinger(0), zmq.WithRecvHWM(h.cfg.hwm),
		zmq.WithMaxMsgSize(int64(h.cfg.maxMsg+2*maxName+64))); err != nil {
		return err
	}
	if err = h.in.Bind(h.cfg.inBind); err != nil {
		return err
	}
	if h.pub, err = newPublisher(h.zctx, h.cfg.pubBind, h.cfg.hwm, h.cfg.sockOpts); err != nil {
		return err
	}
	if h.disp, err = newDispatcher(h.zctx, h.cfg.poolBind, h.cfg); err != nil {
		return err
	}
	go h.forward()
	if r := h.cfg.registry; r != nil {
		e := h.Endpoints()
		for _, kv := range [][2]string{{HubInKey, e.In}, {HubPubKey, e.Pub}, {HubPoolKey, e.Pool}} {
			l, err := r.Register(ctx, kv[0], kv[1], h.cfg.ttl)
			if err != nil {
				return fmt.Errorf("notify: registering %s under %s: %w", kv[1], kv[0], err)
			}
			h.leases = append(h.leases, l)
		}
	}
	return nil
}

// Run is Start, then Stop once ctx ends (with a few seconds to deregister).
func (h *Hub) Run(ctx context.Context) error {
	if err := h.Start(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return h.Stop(sctx)
}

// forward reads the notifiers' NOTIFY [header, topic, body], checks it, and passes it on.
func (h *Hub) forward() {
	defer close(h.done)
	for {
		m, err := h.in.Recv(context.Background())
		if err != nil {
			if errors.Is(err, zmq.ErrClosed) {
				return
			}
			continue
		}
		f := m.Frames
		if len(f) != 4 {
			h.garbage.Add(1)
			continue
		}
		hd, err := parseHeader(f[1])
		if err != nil || hd.kind != kindNotify {
			h.garbage.Add(1)
			continue
		}
		if _, err := decodeNotification(f[2], f[3], h.cfg.maxMsg); err != nil {
			h.garbage.Add(1)
			continue
		}
		h.received.Add(1)
		topic := string(f[2])
		h.pub.publish(topic, f[3])
		h.disp.publish(topic, f[3])
	}
}

// Endpoints are the hub's bound endpoints (empty before Start).
func (h *Hub) Endpoints() HubEndpoints {
	var e HubEndpoints
	if h.in != nil {
		e.In = h.in.LastEndpoint()
	}
	if h.pub != nil {
		e.Pub = h.pub.endpoint()
	}
	if h.disp != nil {
		e.Pool = h.disp.endpoint()
	}
	return e
}

// Stats returns the hub's counters.
func (h *Hub) Stats() Stats { return statsOf(h.pub, h.disp, h) }

// Stop deregisters and closes; what is queued for listeners and pools is dropped. Idempotent.
func (h *Hub) Stop(ctx context.Context) error {
	h.stopOnce.Do(func() {
		var errs []error
		for _, l := range h.leases {
			errs = append(errs, l.Stop(ctx))
		}
		if h.in != nil {
			_ = h.in.Close()
			if h.pub != nil && h.disp != nil {
				<-h.done
			}
		}
		if h.pub != nil {
			h.pub.close()
		}
		if h.disp != nil {
			h.disp.close()
		}
		if h.ownCtx {
			sctx, cancel := context.WithTimeout(context.Background(), time.Second)
			_ = h.zctx.Shutdown(sctx)
			cancel()
		}
		h.stopErr = errors.Join(errs...)
	})
	return h.stopErr
}
