package registry

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/purezmq/zmq/rpc/registry/internal/lease"
)

// memory is a Registry for one process. Each member carries a timer that removes it at its
// expiry unless a refresh pushed the expiry on; watchers are told of every change.
type memory struct {
	mu       sync.Mutex
	keys     map[string]map[string]*member // key → endpoint → member
	watchers map[string]map[*memWatch]struct{}
	leases   map[*lease.Lease]struct{}
	closed   bool

	done chan struct{} // closed by Close: the watchers return
	wg   sync.WaitGroup
}

type member struct {
	expires time.Time
	timer   *time.Timer
}

// NewMemory returns a Registry that lives in this process, for tests and single-process
// deployments. Leases expire on the clock exactly as in Redis.
func NewMemory() Registry {
	return &memory{
		keys:     make(map[string]map[string]*member),
		watchers: make(map[string]map[*memWatch]struct{}),
		leases:   make(map[*lease.Lease]struct{}),
		done:     make(chan struct{}),
	}
}

func (r *memory) Register(ctx context.Context, key, endpoint string, ttl time.Duration) (Lease, error) {
	if err := CheckRegister(key, endpoint, ttl); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, ErrClosed
	}
	r.set(key, endpoint, ttl)
	var l *lease.Lease
	l = lease.Start(ttl,
		func(context.Context) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			if r.closed {
				return ErrClosed
			}
			r.set(key, endpoint, ttl)
			return nil
		},
		func(context.Context) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			delete(r.leases, l)
			if r.closed {
				return nil // Close dropped every member already
			}
			r.remove(key, endpoint)
			return nil
		})
	r.leases[l] = struct{}{}
	return l, nil
}

// set adds or refreshes a member; r.mu is held.
func (r *memory) set(key, endpoint string, ttl time.Duration) {
	members := r.keys[key]
	if members == nil {
		members = make(map[string]*member)
		r.keys[key] = members
	}
	m := members[endpoint]
	if m != nil {
		m.expires = time.Now().Add(ttl)
		m.timer.Reset(ttl)
		return
	}
	m = &member{expires: time.Now().Add(ttl)}
	m.timer = time.AfterFunc(ttl, func() { r.expire(key, endpoint, m) })
	members[endpoint] = m
	r.notify(key)
}

func (r *memory) expire(key, endpoint string, m *member) {
	r.mu.Lock()
	defer r.mu.Unlock()
	// A refresh may have raced the timer: only a member still past its expiry goes.
	if r.closed || r.keys[key][endpoint] != m || time.Now().Before(m.expires) {
		return
	}
	r.remove(key, endpoint)
}

// remove drops a member; r.mu is held.
func (r *memory) remove(key, endpoint string) {
	m := r.keys[key][endpoint]
	if m == nil {
		return
	}
	m.timer.Stop()
	delete(r.keys[key], endpoint)
	if len(r.keys[key]) == 0 {
		delete(r.keys, key)
	}
	r.notify(key)
}

// snapshot lists key's endpoints, sorted; r.mu is held.
func (r *memory) snapshot(key string) []string {
	eps := make([]string, 0, len(r.keys[key]))
	now := time.Now()
	for ep, m := range r.keys[key] {
		if now.Before(m.expires) { // its timer may not have run yet
			eps = append(eps, ep)
		}
	}
	slices.Sort(eps)
	return eps
}

// lockFor checks key and ctx and takes r.mu, for a registry still open; on error it holds
// nothing.
func (r *memory) lockFor(ctx context.Context, key string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return ErrClosed
	}
	return nil
}

func (r *memory) Resolve(ctx context.Context, key string) ([]string, error) {
	if err := r.lockFor(ctx, key); err != nil {
		return nil, err
	}
	defer r.mu.Unlock()
	return r.snapshot(key), nil
}

func (r *memory) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	for _, members := range r.keys {
		for _, m := range members {
			m.timer.Stop()
		}
	}
	r.keys = nil
	leases := r.leases
	r.leases = nil
	close(r.done)
	r.mu.Unlock()
	// Halted outside the lock: a refresh in flight takes it.
	for l := range leases {
		l.Halt()
	}
	r.wg.Wait()
	return nil
}
