package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/rpc/registry"
)

// Notifier publishes notifications to "<topic>.<priority>" for each of its topics. Direct (the
// default), it binds a publisher and a pool dispatcher and registers them under PubKey and
// PoolKey of each topic; with WithHub, it sends each notification to one hub, which does both.
type Notifier struct {
	publisherID string
	cfg         *config

	zctx   *zmq.Context
	ownCtx bool
	pub    *publisher  // direct
	disp   *dispatcher // direct
	up     *zmq.Socket // through hubs: a DEALER connected to each
	disc   *discovery
	leases []registry.Lease
	cancel context.CancelFunc

	mu       sync.Mutex
	hubs     []string // connected, through hubs
	started  bool
	stopped  bool
	stopOnce sync.Once
}

// NewNotifier makes a notifier whose notifications carry publisherID ("compute.host1").
// Options: WithTopics, WithRegistry, WithTTL, WithBind, WithHub, WithEndpoints, WithHWM,
// WithHeartbeat, WithPoolQueue, WithMaxAttempts, WithMaxMessage, WithContext.
func NewNotifier(publisherID string, opts ...Option) (*Notifier, error) {
	if err := checkName("publisher id", publisherID); err != nil {
		return nil, err
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	if len(cfg.endpoints) > 0 {
		cfg.hub = true
	}
	return &Notifier{publisherID: publisherID, cfg: cfg}, nil
}

// Start binds and registers (direct), or connects to the hubs known now and follows the
// registry for others (through hubs). ctx bounds the registration.
func (n *Notifier) Start(ctx context.Context) (err error) {
	n.mu.Lock()
	if n.started {
		n.mu.Unlock()
		return errors.New("notify: notifier started twice")
	}
	n.started = true
	n.mu.Unlock()
	n.zctx, n.ownCtx = n.cfg.zmqContext()
	defer func() {
		if err != nil {
			_ = n.Stop(context.Background())
		}
	}()
	if n.cfg.hub {
		return n.startHub(ctx)
	}
	if n.pub, err = newPublisher(n.zctx, n.cfg.pubBind, n.cfg.hwm, n.cfg.sockOpts); err != nil {
		return err
	}
	if n.disp, err = newDispatcher(n.zctx, n.cfg.poolBind, n.cfg); err != nil {
		return err
	}
	if n.cfg.registry == nil {
		return nil
	}
	for _, t := range n.cfg.topics {
		for _, kv := range [][2]string{{PubKey(t), n.pub.endpoint()}, {PoolKey(t), n.disp.endpoint()}} {
			l, err := n.cfg.registry.Register(ctx, kv[0], kv[1], n.cfg.ttl)
			if err != nil {
				return fmt.Errorf("notify: registering %s under %s: %w", kv[1], kv[0], err)
			}
			n.leases = append(n.leases, l)
		}
	}
	return nil
}

func (n *Notifier) startHub(ctx context.Context) (err error) {
	if n.up, err = n.zctx.NewSocket(zmq.DEALER, zmq.WithImmediate(true), zmq.WithLinger(time.Second),
		zmq.WithSendHWM(n.cfg.hwm)); err != nil {
		return err
	}
	var keys []string
	if len(n.cfg.endpoints) == 0 {
		keys = []string{HubInKey}
	}
	dctx, cancel := context.WithCancel(context.Background())
	n.cancel = cancel
	disc, eps, err := startDiscovery(ctx, dctx, n.cfg.registry, keys, n.cfg.endpoints, n.setHubs)
	if err != nil {
		return err
	}
	n.disc = disc
	n.setHubs(eps)
	return nil
}

// setHubs connects to the hubs listed and disconnects from the others.
func (n *Notifier) setHubs(eps []string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.stopped {
		return
	}
	n.hubs = reconcile(n.hubs, eps, func(ep string) { _ = n.up.Connect(ep) }, func(ep string) { _ = n.up.Disconnect(ep) })
}

// reconcile calls add for what is in want and not in have, drop for the reverse; it returns want.
func reconcile(have, want []string, add, drop func(string)) []string {
	in := map[string]bool{}
	for _, ep := range want {
		in[ep] = true
	}
	for _, ep := range have {
		if !in[ep] {
			drop(ep)
		}
		delete(in, ep)
	}
	for _, ep := range want {
		if in[ep] {
			add(ep)
		}
	}
	return append([]string(nil), want...)
}

// PubEndpoint is where a direct notifier's listeners outside pools connect.
func (n *Notifier) PubEndpoint() string {
	if n.pub == nil {
		return ""
	}
	return n.pub.endpoint()
}

// PoolEndpoint is where a direct notifier's pool members connect.
func (n *Notifier) PoolEndpoint() string {
	if n.disp == nil {
		return ""
	}
	return n.disp.endpoint()
}

// Notify publishes a notification of priority p: eventType says what happened, payload (any
// value that encodes as JSON) the details. Direct, it returns at once: each listener's copy is
// queued for it, or dropped at its HWM. Through hubs it waits, until ctx ends, for a hub.
func (n *Notifier) Notify(ctx context.Context, p Priority, eventType string, payload any) error {
	if p < Audit || p > Sample {
		return invalid("priority %d", p)
	}
	if err := checkName("event type", eventType); err != nil {
		return err
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("%w: payload: %v", ErrInvalid, err)
	}
	body, _ := encodeBody(&Notification{MessageID: newMessageID(), PublisherID: n.publisherID,
		EventType: eventType, Priority: upper(p), Payload: raw, Time: time.Now().UTC().Format(TimeLayout)})
	if len(body) > n.cfg.maxMsg {
		return invalid("notification of %d bytes, over %d", len(body), n.cfg.maxMsg)
	}
	n.mu.Lock()
	ok := n.started && !n.stopped
	n.mu.Unlock()
	if !ok {
		return ErrClosed
	}
	for _, t := range n.cfg.topics {
		topic := t + "." + p.String()
		if n.up != nil {
			h := header{kind: kindNotify}.marshal()
			if err := n.up.Send(ctx, zmq.NewMsg(h, []byte(topic), body)); err != nil {
				if errors.Is(err, zmq.ErrClosed) {
					return ErrClosed
				}
				return err
			}
			continue
		}
		n.pub.publish(topic, body)
		n.disp.publish(topic, body)
	}
	return nil
}

func upper(p Priority) string {
	b := []byte(p.String())
	for i, c := range b {
		b[i] = c - 'a' + 'A'
	}
	return string(b)
}

// Audit is Notify with priority Audit; Debug, Info, Warn, Error, Critical and Sample likewise.
func (n *Notifier) Audit(ctx context.Context, eventType string, payload any) error {
	return n.Notify(ctx, Audit, eventType, payload)
}

// Debug is Notify with priority Debug.
func (n *Notifier) Debug(ctx context.Context, eventType string, payload any) error {
	return n.Notify(ctx, Debug, eventType, payload)
}

// Info is Notify with priority Info.
func (n *Notifier) Info(ctx context.Context, eventType string, payload any) error {
	return n.Notify(ctx, Info, eventType, payload)
}

// Warn is Notify with priority Warn.
func (n *Notifier) Warn(ctx context.Context, eventType string, payload any) error {
	return n.Notify(ctx, Warn, eventType, payload)
}

// Error is Notify with priority Error.
func (n *Notifier) Error(ctx context.Context, eventType string, payload any) error {
	return n.Notify(ctx, Error, eventType, payload)
}

// Critical is Notify with priority Critical.
func (n *Notifier) Critical(ctx context.Context, eventType string, payload any) error {
	return n.Notify(ctx, Critical, eventType, payload)
}

// Sample is Notify with priority Sample.
func (n *Notifier) Sample(ctx context.Context, eventType string, payload any) error {
	return n.Notify(ctx, Sample, eventType, payload)
}

// Stats returns the counters of a direct notifier's publisher and dispatcher.
func (n *Notifier) Stats() Stats {
	return statsOf(n.pub, n.disp, nil)
}

// Stop deregisters and closes. Notifications still queued for slow listeners are dropped, and
// those queued for pools with them. Stop is idempotent.
func (n *Notifier) Stop(ctx context.Context) error {
	var errs []error
	n.stopOnce.Do(func() {
		n.mu.Lock()
		n.stopped = true
		n.mu.Unlock()
		for _, l := range n.leases {
			errs = append(errs, l.Stop(ctx))
		}
		if n.cancel != nil {
			n.cancel()
		}
		if n.disc != nil {
			n.disc.wait()
		}
		if n.up != nil {
			_ = n.up.Close()
		}
		if n.pub != nil {
			n.pub.close()
		}
		if n.disp != nil {
			n.disp.close()
		}
		if n.ownCtx {
			sctx, cancel := context.WithTimeout(context.Background(), time.Second)
			_ = n.zctx.Shutdown(sctx)
			cancel()
		}
	})
	return errors.Join(errs...)
}
