package redisdedup

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/purezmq/zmq/rpc"
	"github.com/purezmq/zmq/rpc/internal/redistest"
)

// The store's operations against a real Redis; expiry is Redis's own (PX), checked through the
// keys' TTLs.
func TestStore(t *testing.T) {
	rs := redistest.Start(t)
	s, err := New(Options{Addr: rs.Addr(), Prefix: "p"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rc := redis.NewClient(&redis.Options{Addr: rs.Addr()})
	defer rc.Close()
	ctx := context.Background()
	ttl := func() time.Duration {
		t.Helper()
		d, err := rc.PTTL(ctx, "p:k").Result()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	claim := func(token string) rpc.DedupEntry {
		t.Helper()
		e, err := s.Claim(ctx, "k", token, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	if e := claim("t1"); e.State != rpc.DedupNew {
		t.Fatalf("first claim: %+v", e)
	}
	if d := ttl(); d <= 0 || d > 10*time.Second {
		t.Fatalf("lease TTL %v", d)
	}
	if e := claim("t2"); e.State != rpc.DedupRunning {
		t.Fatalf("second claim: %+v", e)
	}
	for name, err := range map[string]error{
		"refresh":  s.Refresh(ctx, "k", "t2", time.Minute),
		"complete": s.Complete(ctx, "k", "t2", []byte("x"), time.Minute),
		"release":  s.Release(ctx, "k", "t2"),
	} {
		if !errors.Is(err, rpc.ErrClaimLost) {
			t.Errorf("%s by another token: %v", name, err)
		}
	}
	if err := s.Refresh(ctx, "k", "t1", 20*time.Second); err != nil {
		t.Fatal(err)
	}
	if d := ttl(); d <= 10*time.Second {
		t.Fatalf("refreshed TTL %v", d)
	}
	reply := []byte{1, 0, 0xff, '"', 'r', '"'} // any bytes
	if err := s.Complete(ctx, "k", "t1", reply, time.Hour); err != nil {
		t.Fatal(err)
	}
	if d := ttl(); d <= 20*time.Second {
		t.Fatalf("window TTL %v", d)
	}
	if e := claim("t3"); e.State != rpc.DedupDone || string(e.Reply) != string(reply) {
		t.Fatalf("claim of a done key: %+v", e)
	}
	if err := s.Complete(ctx, "k", "t1", reply, time.Hour); !errors.Is(err, rpc.ErrClaimLost) {
		t.Fatalf("complete twice: %v", err)
	}
	// Released: free again.
	if _, err := s.Claim(ctx, "k2", "t1", time.Second); err != nil {
		t.Fatal(err)
	}
	if err := s.Release(ctx, "k2", "t1"); err != nil {
		t.Fatal(err)
	}
	if e, _ := s.Claim(ctx, "k2", "t2", time.Second); e.State != rpc.DedupNew {
		t.Fatalf("claim after release: %+v", e)
	}
	// Something else under the key is an error, not a claim.
	if err := rc.Set(ctx, "p:k3", "zzz", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Claim(ctx, "k3", "t1", time.Second); err == nil {
		t.Fatal("claimed a key holding something else")
	}
	// Redis down: an error, which servers answer Unavailable.
	rs.Stop()
	if _, err := s.Claim(ctx, "k4", "t1", time.Second); err == nil {
		t.Fatal("claim with Redis down")
	}
}

func TestNewOptions(t *testing.T) {
	for _, o := range []Options{{}, {Addr: "nohost"}, {Addr: "127.0.0.1:1", DB: -1}} {
		if s, err := New(o); err == nil {
			s.Close()
			t.Errorf("New(%+v) accepted", o)
		}
	}
}
