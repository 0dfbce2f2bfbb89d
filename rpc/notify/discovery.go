package notify

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/purezmq/zmq/rpc/registry"
)

// discovery follows the endpoints registered under some keys, plus static ones, and calls
// onChange with their union whenever it changes (from its own goroutines, one at a time).
type discovery struct {
	reg      registry.Registry
	static   []string
	onChange func([]string)

	mu    sync.Mutex
	byKey map[string][]string
	last  []string
	wg    sync.WaitGroup
}

// startDiscovery returns the endpoints known now (waiting at most until ctx ends) and follows
// them until run ends; wait waits for its goroutines.
func startDiscovery(ctx, run context.Context, reg registry.Registry, keys, static []string, onChange func([]string)) (*discovery, []string, error) {
	d := &discovery{reg: reg, static: static, onChange: onChange, byKey: map[string][]string{}}
	if reg == nil {
		return d, d.union(), nil
	}
	var chans []<-chan []string
	for _, k := range keys {
		ch, err := reg.Watch(run, k)
		if err != nil {
			return nil, nil, err
		}
		select { // a Watch sends the endpoints now first
		case eps := <-ch:
			d.byKey[k] = eps
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
		chans = append(chans, ch)
	}
	d.mu.Lock()
	d.last = d.union()
	first := d.last
	d.mu.Unlock()
	for i, k := range keys {
		d.wg.Add(1)
		go d.follow(run, k, chans[i])
	}
	return d, first, nil
}

func (d *discovery) union() []string {
	var all []string
	all = append(all, d.static...)
	for _, eps := range d.byKey {
		all = append(all, eps...)
	}
	slices.Sort(all)
	return slices.Compact(all)
}

func (d *discovery) follow(ctx context.Context, key string, ch <-chan []string) {
	defer d.wg.Done()
	for {
		for eps := range ch {
			d.mu.Lock()
			d.byKey[key] = eps
			u := d.union()
			if !slices.Equal(u, d.last) {
				d.last = u
				d.onChange(u)
			}
			d.mu.Unlock()
		}
		// The Watch ended: ctx, or the registry failed. Keep the endpoints and watch again.
		if ch = d.rewatch(ctx, key); ch == nil {
			return
		}
	}
}

func (d *discovery) rewatch(ctx context.Context, key string) <-chan []string {
	t := time.NewTicker(rewatchEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if c, err := d.reg.Watch(ctx, key); err == nil {
			return c
		}
	}
}

func (d *discovery) wait() { d.wg.Wait() }
