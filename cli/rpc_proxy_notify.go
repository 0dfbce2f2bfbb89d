package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/purezmq/zmq/rpc/notify"
	"github.com/spf13/pflag"
)

// rpcNotifyFlags choose whether `zmq rpc-proxy` also runs a notification hub, and where.
type rpcNotifyFlags struct {
	on             bool
	in, pub, pool  string
	hwm, poolQueue int
}

func (f *rpcNotifyFlags) add(fs *pflag.FlagSet) {
	fs.BoolVar(&f.on, "notify", false, "also run a notification hub (package rpc/notify); implied by any --notify-* endpoint")
	fs.StringVar(&f.in, "notify-in", notify.DefaultBind, "bind the notifiers' side of the hub at ENDPOINT")
	fs.StringVar(&f.pub, "notify-pub", notify.DefaultBind, "bind the hub's publisher for listeners outside pools at ENDPOINT")
	fs.StringVar(&f.pool, "notify-pool", notify.DefaultBind, "bind the hub's dispatcher for pool members at ENDPOINT")
	fs.IntVar(&f.hwm, "notify-hwm", notify.DefaultHWM, "notifications queued per listener before its copies are dropped")
	fs.IntVar(&f.poolQueue, "notify-pool-queue", notify.DefaultPoolQueue, "notifications queued per pool before the oldest is dropped")
}

// wanted: --notify, or any --notify-* flag given.
func (f *rpcNotifyFlags) wanted(fs *pflag.FlagSet) bool {
	if f.on {
		return true
	}
	for _, name := range []string{"notify-in", "notify-pub", "notify-pool", "notify-hwm", "notify-pool-queue"} {
		if fs.Changed(name) {
			return true
		}
	}
	return false
}

// hubPart is a notification hub as a part of the daemon: started when built, so that its
// endpoints are printed with the proxy's and a bind error stops the daemon before it runs.
type hubPart struct{ h *notify.Hub }

func newHubPart(f *rpcNotifyFlags, ttl time.Duration, env rpcProxyEnv) (*hubPart, error) {
	opts := []notify.Option{notify.WithHubBind(f.in, f.pub, f.pool), notify.WithHWM(f.hwm),
		notify.WithPoolQueue(f.poolQueue, notify.DefaultQueueBytes)}
	if env.registry != nil {
		opts = append(opts, notify.WithRegistry(env.registry), notify.WithTTL(ttl))
	}
	h, err := notify.NewHub(opts...)
	if err != nil {
		return nil, usagef("rpc-proxy: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), ttl)
	defer cancel()
	if err := h.Start(ctx); err != nil {
		return nil, err
	}
	if env.metrics != nil {
		if err := env.metrics.Register(h.Collector()); err != nil {
			_ = h.Stop(ctx)
			return nil, err
		}
	}
	e := h.Endpoints()
	fmt.Fprintf(env.stderr, "notify-in %s\nnotify-pub %s\nnotify-pool %s\n", e.In, e.Pub, e.Pool)
	return &hubPart{h: h}, nil
}

// Run waits for ctx, then deregisters and stops the hub.
func (p *hubPart) Run(ctx context.Context) error {
	<-ctx.Done()
	return p.Close()
}

// Close stops the hub, giving its deregistration a few seconds.
func (p *hubPart) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return p.h.Stop(ctx)
}
