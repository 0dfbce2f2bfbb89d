package redisdedup

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/purezmq/zmq/rpc"
	"github.com/purezmq/zmq/rpc/internal/childtest"
	"github.com/purezmq/zmq/rpc/registry/redisreg"
)

// The test binary run with childEnv set is a server of topic "t" named by it, registered in the
// Redis at redisEnv, deduplicating through it. Its "apply" counts its effect in Redis (INCR
// effects:<id>) and returns the count; with holdEnv set it prints "recv:<id>" and waits for its
// ctx instead, never applying: a server that dies after receipt.
const (
	childEnv = "PUREZMQ_DEDUP_TEST_SERVER"
	redisEnv = "PUREZMQ_DEDUP_TEST_REDIS"
	holdEnv  = "PUREZMQ_DEDUP_TEST_HOLD"
	gateEnv  = "PUREZMQ_DEDUP_TEST_GATE" // "apply" prints "recv:<id>", then waits for a push to go:<id> in Redis
)

// Test timings: short, so that a dead server's claim and registration run out quickly.
const (
	testLease = 300 * time.Millisecond
	testTTL   = time.Second
)

type applyArgs struct {
	ID string `json:"id"`
}

type applyReply struct {
	ID      string `json:"id"`
	Server  string `json:"server"`
	Effects int64  `json:"effects"`
}

func serverChild() int {
	name, addr, hold, gate := os.Getenv(childEnv), os.Getenv(redisEnv), os.Getenv(holdEnv) != "", os.Getenv(gateEnv) != ""
	fail := func(err error) int { fmt.Fprintln(os.Stderr, err); return 1 }
	reg, err := redisreg.New(redisreg.Options{Addrs: []string{addr}, PollInterval: 50 * time.Millisecond})
	if err != nil {
		return fail(err)
	}
	defer reg.Close()
	store, err := New(Options{Addr: addr})
	if err != nil {
		return fail(err)
	}
	defer store.Close()
	rc := redis.NewClient(&redis.Options{Addr: addr})
	defer rc.Close()
	opts := []rpc.Option{rpc.WithDedup(store, time.Minute), rpc.WithDedupLease(testLease)}
	if !gate { // a gated server is reached through the test's forwarder only
		opts = append(opts, rpc.WithRegistry(reg), rpc.WithTTL(testTTL))
	}
	srv, err := rpc.NewServer(rpc.Target{Topic: "t", Server: name}, opts...)
	if err != nil {
		return fail(err)
	}
	var out sync.Mutex
	say := func(s string) { out.Lock(); defer out.Unlock(); fmt.Println(s) }
	err = rpc.Handle(srv, "ping", func(ctx context.Context, _ struct{}) (string, error) { return name, nil })
	if err != nil {
		return fail(err)
	}
	err = rpc.Handle(srv, "apply", func(ctx context.Context, a applyArgs) (applyReply, error) {
		if hold {
			say("recv:" + a.ID)
			<-ctx.Done()
			return applyReply{}, ctx.Err()
		}
		if gate {
			say("recv:" + a.ID)
			if err := rc.BLPop(ctx, 0, "go:"+a.ID).Err(); err != nil {
				return applyReply{}, err
			}
		}
		n, err := rc.Incr(ctx, "effects:"+a.ID).Result()
		return applyReply{ID: a.ID, Server: name, Effects: n}, err
	})
	if err != nil {
		return fail(err)
	}
	if err := srv.Start(); err != nil {
		return fail(err)
	}
	say(srv.Endpoint())
	_, _ = io.Copy(io.Discard, os.Stdin)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = srv.Stop(ctx)
	return 0
}

// child is a server process of a test.
type child struct {
	*childtest.Child
	name     string
	endpoint string
}

// startChild starts a server process; it ends with the test (stdin closed, killed if it lingers).
func startChild(t *testing.T, name, redisAddr string, hold bool, env ...string) *child {
	t.Helper()
	env = append([]string{childEnv + "=" + name, redisEnv + "=" + redisAddr}, env...)
	if hold {
		env = append(env, holdEnv+"=1")
	}
	c := &child{Child: childtest.Start(t, "server "+name, env...), name: name}
	c.endpoint = c.Expect(t, "tcp://*")
	return c
}

// connectAll calls "ping" until every server named has answered, so that each has its
// connection up before a test's calls are spread over them (round robin skips a connection
// still in its handshake).
func connectAll(t *testing.T, cl *rpc.Client, names ...string) {
	t.Helper()
	seen := map[string]bool{}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for len(seen) < len(names) {
		var who string
		if err := cl.Call(ctx, "ping", struct{}{}, &who); err != nil {
			t.Fatalf("ping (answered by %v so far): %v", seen, err)
		}
		seen[who] = true
	}
}
