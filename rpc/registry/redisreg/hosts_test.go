package redisreg

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/purezmq/zmq/rpc/internal/redistest"
)

// Several hosts: the first is down, the client works through the second; when the first is
// back, new connections go to it again.
func TestSeveralHosts(t *testing.T) {
	down := redistest.Start(t)
	up := redistest.Start(t)
	down.Stop()
	r, err := Open(fmt.Sprintf("zmq+redis://%s,%s/0", down.Addr(), up.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	l, err := r.Register(context.Background(), key, epA, time.Minute)
	if err != nil {
		t.Fatalf("Register with the first host down: %v", err)
	}
	if got := resolve(t, r); !slices.Equal(got, []string{epA}) {
		t.Fatalf("Resolve: %v", got)
	}
	c := redis.NewClient(&redis.Options{Addr: up.Addr()})
	defer c.Close()
	if _, err := c.ZScore(context.Background(), DefaultPrefix+":"+key, epA).Result(); err != nil {
		t.Fatalf("member not on the second host: %v", err)
	}
	if err := l.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// Sentinel: the URL names the Sentinels and the master; the registry writes to the master.
func TestSentinel(t *testing.T) {
	master := redistest.Start(t)
	sentinel := redistest.StartSentinel(t, master, "mymaster")
	r, err := Open(fmt.Sprintf("zmq+redis+sentinel://127.0.0.1:1,%s/mymaster/0", sentinel.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	l, err := r.Register(context.Background(), key, epA, time.Minute)
	if err != nil {
		t.Fatalf("Register through Sentinel: %v", err)
	}
	if got := resolve(t, r); !slices.Equal(got, []string{epA}) {
		t.Fatalf("Resolve: %v", got)
	}
	c := redis.NewClient(&redis.Options{Addr: master.Addr()})
	defer c.Close()
	if _, err := c.ZScore(context.Background(), DefaultPrefix+":"+key, epA).Result(); err != nil {
		t.Fatalf("member not on the master: %v", err)
	}
	if err := l.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
}
