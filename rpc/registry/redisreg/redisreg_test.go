package redisreg

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/purezmq/zmq/rpc/internal/redistest"
	"github.com/purezmq/zmq/rpc/registry"
)

const (
	key = "openstack/compute"
	epA = "tcp://127.0.0.1:5001"
	epB = "tcp://127.0.0.1:5002"
)

// within bounds every wait on an event: reaching it is a failure, not a pace.
const within = 15 * time.Second

func open(t *testing.T, addrs ...string) registry.Registry {
	t.Helper()
	r, err := New(Options{Addrs: addrs, PollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func resolve(t *testing.T, r registry.Registry) []string {
	t.Helper()
	eps, err := r.Resolve(context.Background(), key)
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	return eps
}

// waitFor reads ch until it sends want.
func waitFor(t *testing.T, ch <-chan []string, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	timeout := time.After(within)
	var last []string
	for {
		select {
		case got, ok := <-ch:
			if !ok {
				t.Fatalf("Watch closed waiting for %v", want)
			}
			if slices.Equal(got, want) {
				return
			}
			last = got
		case <-timeout:
			if last == nil {
				t.Fatalf("Watch did not send %v within %v, nor anything else", want, within)
			}
			t.Fatalf("Watch did not send %v within %v; last sent %v", want, within, last)
		}
	}
}

func TestRegisterResolveWatchStop(t *testing.T) {
	s := redistest.Start(t)
	r := open(t, s.Addr())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	ch, err := r.Watch(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ch)
	const ttl = 3 * time.Second
	before := time.Now()
	a, err := r.Register(ctx, key, epA, ttl)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ch, epA)
	if _, err := r.Register(ctx, key, epB, ttl); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ch, epA, epB)
	if got := resolve(t, r); !slices.Equal(got, []string{epA, epB}) {
		t.Fatalf("Resolve: %v", got)
	}

	// The layout of the design: <prefix>:<key> a sorted set, score = expiry in unix ms.
	c := redis.NewClient(&redis.Options{Addr: s.Addr()})
	defer c.Close()
	zs, err := c.ZRangeWithScores(ctx, DefaultPrefix+":"+key, 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(zs) != 2 {
		t.Fatalf("sorted set holds %v", zs)
	}
	lo, hi := before.Add(ttl).UnixMilli(), time.Now().Add(ttl).UnixMilli()
	for _, z := range zs {
		if score := int64(z.Score); z.Score != math.Trunc(z.Score) || score < lo || score > hi {
			t.Errorf("member %v: score %v, want an expiry in unix ms within [%d, %d]", z.Member, z.Score, lo, hi)
		}
	}

	if err := a.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if got := resolve(t, r); !slices.Equal(got, []string{epB}) {
		t.Fatalf("right after Stop: %v, want [%s]", got, epB)
	}
	waitFor(t, ch, epB)
}

// A lease whose refreshes stop (its goroutine ended without Stop) drops out after its TTL.
func TestHaltedLeaseExpires(t *testing.T) {
	s := redistest.Start(t)
	r := open(t, s.Addr())
	const ttl = time.Second
	l, err := r.Register(context.Background(), key, epA, ttl)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := r.Watch(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ch, epA)
	l.(interface{ Halt() }).Halt()
	halted := time.Now()
	waitFor(t, ch)
	if d := time.Since(halted); d > ttl+time.Second {
		t.Fatalf("expired %v after the last refresh could have been, want within TTL+1s (%v)", d, ttl+time.Second)
	}
}

func TestBadInput(t *testing.T) {
	for _, o := range []Options{
		{},
		{Addrs: []string{""}},
		{Addrs: []string{"127.0.0.1"}},
		{Addrs: []string{"127.0.0.1:6379"}, DB: -1},
		{Addrs: []string{"127.0.0.1:6379"}, Prefix: "a b"},
	} {
		if r, err := New(o); !errors.Is(err, registry.ErrInvalid) {
			t.Errorf("New(%+v) = %v, want ErrInvalid", o, err)
			if r != nil {
				r.Close()
			}
		}
	}
	for _, u := range []string{"zmq://127.0.0.1:5555", "redis://127.0.0.1:6379/0", "zmq+redis://127.0.0.1:6379/x", ""} {
		if r, err := Open(u); !errors.Is(err, registry.ErrBadURL) {
			t.Errorf("Open(%q) = %v, want ErrBadURL", u, err)
			if r != nil {
				r.Close()
			}
		}
	}
	// Argument checks come before any I/O: no server needed.
	r, err := New(Options{Addrs: []string{"127.0.0.1:1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()
	for _, tt := range []struct {
		key, ep string
		ttl     time.Duration
	}{
		{"", epA, time.Second}, {key, "", time.Second}, {key, "nowhere", time.Second},
		{key, epA, 0}, {key, epA, -time.Second},
	} {
		if _, err := r.Register(ctx, tt.key, tt.ep, tt.ttl); !errors.Is(err, registry.ErrInvalid) {
			t.Errorf("Register(%q, %q, %v) = %v, want ErrInvalid", tt.key, tt.ep, tt.ttl, err)
		}
	}
	if _, err := r.Resolve(ctx, ""); !errors.Is(err, registry.ErrInvalid) {
		t.Errorf("Resolve(\"\") = %v, want ErrInvalid", err)
	}
}

// Members written by something else that are not endpoints never come out of Resolve.
func TestForeignMembers(t *testing.T) {
	s := redistest.Start(t)
	r := open(t, s.Addr())
	c := redis.NewClient(&redis.Options{Addr: s.Addr()})
	defer c.Close()
	far := float64(time.Now().Add(time.Hour).UnixMilli())
	ctx := context.Background()
	if err := c.ZAdd(ctx, DefaultPrefix+":"+key, redis.Z{Score: far, Member: "garbage"}, redis.Z{Score: far, Member: epA},
		redis.Z{Score: 1, Member: epB}).Err(); err != nil {
		t.Fatal(err)
	}
	if got := resolve(t, r); !slices.Equal(got, []string{epA}) {
		t.Fatalf("Resolve: %v, want [%s] (garbage and the expired member left out)", got, epA)
	}
	if n, err := c.ZCard(ctx, DefaultPrefix+":"+key).Result(); err != nil || n != 2 {
		t.Fatalf("after Resolve the set holds %d members (%v), want 2: the expired one cleaned", n, err)
	}
}

func TestClose(t *testing.T) {
	s := redistest.Start(t)
	r, err := Open(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	l, err := r.Register(context.Background(), key, epA, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := r.Watch(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	for range ch {
	}
	for range l.Err() {
	}
	if _, err := r.Resolve(context.Background(), key); !errors.Is(err, registry.ErrClosed) {
		t.Errorf("Resolve after Close = %v, want ErrClosed", err)
	}
}
