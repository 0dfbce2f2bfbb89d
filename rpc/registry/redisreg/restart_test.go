package redisreg

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/purezmq/zmq/rpc/internal/redistest"
	"github.com/purezmq/zmq/rpc/registry"
)

// Redis stops and comes back empty: a Cached registry answers from its snapshot meanwhile, the
// lease reports the failures, and re-registers once Redis is back.
func TestRedisRestartCached(t *testing.T) {
	s := redistest.Start(t)
	reg, err := New(Options{Addrs: []string{s.Addr()}, PollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var staleErrs []error
	r := registry.Cached(reg, func(k string, err error) {
		mu.Lock()
		staleErrs = append(staleErrs, err)
		mu.Unlock()
	})
	defer r.Close()
	const ttl = 1500 * time.Millisecond
	l, err := r.Register(context.Background(), key, epA, ttl)
	if err != nil {
		t.Fatal(err)
	}
	if got := resolve(t, r); !slices.Equal(got, []string{epA}) {
		t.Fatalf("Resolve: %v", got)
	}

	s.Stop()
	for i := range 3 {
		if got := resolve(t, r); !slices.Equal(got, []string{epA}) {
			t.Fatalf("Resolve %d with Redis down: %v, want the snapshot [%s]", i, got, epA)
		}
	}
	mu.Lock()
	n := len(staleErrs)
	mu.Unlock()
	if n != 3 {
		t.Fatalf("onStale called %d times for 3 answers from the snapshot", n)
	}
	select {
	case err := <-l.Err():
		t.Logf("lease reports: %v", err)
	case <-time.After(within):
		t.Fatal("the lease reported no refresh failure with Redis down")
	}
	if _, err := reg.Resolve(context.Background(), key); err == nil {
		t.Fatal("the registry under the cache resolves with Redis down")
	}

	s.Restart() // same port, no data
	c := redis.NewClient(&redis.Options{Addr: s.Addr()})
	defer c.Close()
	ch, err := r.Watch(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	back := time.Now()
	waitForMember(t, c, epA)
	t.Logf("lease re-registered %v after the restart", time.Since(back).Round(time.Millisecond))
	waitFor(t, ch, epA)
	if err := l.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ch)
}

// waitForMember waits until Redis itself (not the cache) holds ep under key, told by Redis's
// keyspace notifications.
func waitForMember(t *testing.T, c *redis.Client, ep string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	zkey := DefaultPrefix + ":" + key
	if err := c.ConfigSet(ctx, "notify-keyspace-events", "Kz").Err(); err != nil {
		t.Fatal(err)
	}
	sub := c.Subscribe(ctx, "__keyspace@0__:"+zkey)
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	events := sub.Channel()
	for {
		// Checked after subscribing, so a ZADD in between is seen one way or the other.
		if _, err := c.ZScore(ctx, zkey, ep).Result(); err == nil {
			return
		}
		select {
		case <-events:
		case <-ctx.Done():
			t.Fatalf("%s not back in Redis within %v", ep, within)
		}
	}
}
