// Package redisreg is a registry.Registry over Redis, through github.com/redis/go-redis/v9,
// with Sentinel and several failover hosts.
//
// Layout: one sorted set per key, "<prefix>:<key>", whose members are the endpoints and whose
// scores are their expiry times in unix milliseconds. Register and every refresh ZADD now+ttl;
// Resolve reads the members whose expiry is still ahead (and drops the others); Stop ZREMs. So
// each endpoint has its own TTL, and a server that dies drops out by itself. Expiry is judged on
// the clocks of the registering and the resolving hosts: keep them in step (NTP) well within
// the TTL.
package redisreg

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/purezmq/zmq/rpc/registry"
	"github.com/purezmq/zmq/rpc/registry/internal/lease"
)

// maxMembers bounds what one Resolve takes from Redis: a key is a set of servers, not a table.
const maxMembers = 10000

type redisRegistry struct {
	c    redis.UniversalClient
	opts Options

	mu     sync.Mutex
	leases map[*lease.Lease]struct{}
	closed bool

	stop chan struct{} // closed by Close: the watchers return
	wg   sync.WaitGroup
}

func newRegistry(opts Options, c redis.UniversalClient) *redisRegistry {
	return &redisRegistry{c: c, opts: opts, leases: make(map[*lease.Lease]struct{}), stop: make(chan struct{})}
}

func (r *redisRegistry) zkey(key string) string { return r.opts.Prefix + ":" + key }

func (r *redisRegistry) isClosed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.closed
}

func (r *redisRegistry) Register(ctx context.Context, key, endpoint string, ttl time.Duration) (registry.Lease, error) {
	if err := registry.CheckRegister(key, endpoint, ttl); err != nil {
		return nil, err
	}
	if r.isClosed() {
		return nil, registry.ErrClosed
	}
	zkey := r.zkey(key)
	add := func(ctx context.Context) error {
		expires := time.Now().Add(ttl).UnixMilli()
		if err := r.c.ZAdd(ctx, zkey, redis.Z{Score: float64(expires), Member: endpoint}).Err(); err != nil {
			return fmt.Errorf("redisreg: register %s under %q: %w", endpoint, key, err)
		}
		return nil
	}
	if err := add(ctx); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, registry.ErrClosed // the member expires after ttl
	}
	var l *lease.Lease
	l = lease.Start(ttl, add, func(ctx context.Context) error {
		r.mu.Lock()
		delete(r.leases, l)
		r.mu.Unlock()
		if err := r.c.ZRem(ctx, zkey, endpoint).Err(); err != nil {
			return fmt.Errorf("redisreg: deregister %s under %q: %w", endpoint, key, err)
		}
		return nil
	})
	r.leases[l] = struct{}{}
	return l, nil
}

func (r *redisRegistry) Resolve(ctx context.Context, key string) ([]string, error) {
	if err := registry.CheckKey(key); err != nil {
		return nil, err
	}
	if r.isClosed() {
		return nil, registry.ErrClosed
	}
	zkey := r.zkey(key)
	now := strconv.FormatInt(time.Now().UnixMilli(), 10)
	pipe := r.c.Pipeline()
	pipe.ZRemRangeByScore(ctx, zkey, "-inf", now)
	live := pipe.ZRangeByScore(ctx, zkey, &redis.ZRangeBy{Min: "(" + now, Max: "+inf", Count: maxMembers + 1})
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("redisreg: resolve %q: %w", key, err)
	}
	eps := live.Val()
	if len(eps) > maxMembers {
		return nil, fmt.Errorf("redisreg: resolve %q: over %d endpoints in %s", key, maxMembers, zkey)
	}
	// Whatever else wrote to the set, only endpoints leave here.
	eps = slices.DeleteFunc(eps, func(ep string) bool { return registry.CheckEndpoint(ep) != nil })
	slices.Sort(eps)
	if eps == nil {
		eps = []string{}
	}
	return eps, nil
}

// Watch polls Resolve every PollInterval. A failed poll ends the Watch (its channel closes), as
// the Registry contract says: wrap the registry in registry.Cached to keep the last endpoints,
// hear of the failure and watch again.
func (r *redisRegistry) Watch(ctx context.Context, key string) (<-chan []string, error) {
	first, err := r.Resolve(ctx, key)
	if err != nil {
		return nil, err
	}
	out := make(chan []string)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer close(out)
		t := time.NewTicker(r.opts.PollInterval)
		defer t.Stop()
		var last []string
		pending, send := first, out
		for {
			select {
			case send <- pending:
				last, send = pending, nil
			case <-t.C:
				now, err := r.Resolve(ctx, key)
				if err != nil {
					return
				}
				if last == nil || !slices.Equal(now, last) {
					pending, send = now, out
				} else {
					send = nil
				}
			case <-ctx.Done():
				return
			case <-r.stop:
				return
			}
		}
	}()
	return out, nil
}

// Close stops every lease without deregistering (their members expire after their TTL; Stop
// them first to leave at once), ends the watches and closes the client.
func (r *redisRegistry) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	leases := r.leases
	r.leases = nil
	r.mu.Unlock()
	close(r.stop)
	for l := range leases {
		l.Halt()
	}
	r.wg.Wait()
	return r.c.Close()
}
