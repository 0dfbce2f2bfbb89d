package rpc

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/purezmq/zmq/rpc/registry"
)

// testRegistry is a registry in memory for these tests, until registry.NewMemory lands; leases
// never expire (nothing here depends on expiry).
type testRegistry struct {
	mu      sync.Mutex
	members map[string]map[string]bool
	changed chan struct{} // closed and replaced on every change
	wg      sync.WaitGroup
}

func newTestRegistry() *testRegistry {
	return &testRegistry{members: map[string]map[string]bool{}, changed: make(chan struct{})}
}

func (r *testRegistry) change(key, ep string, add bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.members[key] == nil {
		r.members[key] = map[string]bool{}
	}
	if add {
		r.members[key][ep] = true
	} else {
		delete(r.members[key], ep)
	}
	close(r.changed)
	r.changed = make(chan struct{})
}

func (r *testRegistry) Register(_ context.Context, key, ep string, _ time.Duration) (registry.Lease, error) {
	r.change(key, ep, true)
	return &testLease{stop: func() { r.change(key, ep, false) }}, nil
}

func (r *testRegistry) snapshot(key string) ([]string, chan struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var eps []string
	for ep := range r.members[key] {
		eps = append(eps, ep)
	}
	slices.Sort(eps)
	return eps, r.changed
}

func (r *testRegistry) Resolve(_ context.Context, key string) ([]string, error) {
	eps, _ := r.snapshot(key)
	return eps, nil
}

func (r *testRegistry) Watch(ctx context.Context, key string) (<-chan []string, error) {
	out := make(chan []string)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer close(out)
		var last []string
		first := true
		for {
			eps, changed := r.snapshot(key)
			if first || !slices.Equal(eps, last) {
				select {
				case out <- eps:
				case <-ctx.Done():
					return
				}
				first, last = false, eps
			}
			select {
			case <-changed:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

func (r *testRegistry) Close() error { r.wg.Wait(); return nil }

type testLease struct {
	once sync.Once
	stop func()
}

func (l *testLease) Stop(context.Context) error { l.once.Do(l.stop); return nil }
func (l *testLease) Err() <-chan error          { return nil }
