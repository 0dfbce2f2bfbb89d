package proxy_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/purezmq/zmq/rpc"
	"github.com/purezmq/zmq/rpc/internal/redistest"
	"github.com/purezmq/zmq/rpc/proxy"
	"github.com/purezmq/zmq/rpc/registry"
	"github.com/purezmq/zmq/rpc/registry/redisreg"
)

type echoArgs struct {
	Text string `json:"text"`
}

type echoReply struct {
	Text   string `json:"text"`
	Server string `json:"server"`
}

// testCtx bounds a test's calls, so that a bug fails it instead of hanging it.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// redisRegistry starts a private redis-server and opens a registry on it (skipped without
// redis-server).
func redisRegistry(t testing.TB) (registry.Registry, string) {
	t.Helper()
	srv := redistest.Start(t)
	r, err := redisreg.Open(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r, srv.URL()
}

// startProxy starts a proxy, closed at the end of the test.
func startProxy(t testing.TB, cfg proxy.Config) *proxy.Proxy {
	t.Helper()
	p, err := proxy.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// blocker counts the handlers running "block" and lets a test release them.
type blocker struct {
	started chan string
	release chan struct{}
}

// startServer starts a server of topic "t" named name behind proxies (opts say which), with
// "echo" and, when b is set, "block" (which waits for b.release or its ctx).
func startServer(t testing.TB, name string, b *blocker, opts ...rpc.Option) *rpc.Server {
	t.Helper()
	srv, err := rpc.NewServer(rpc.Target{Topic: "t", Server: name}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if err := rpc.Handle(srv, "echo", func(ctx context.Context, a echoArgs) (echoReply, error) {
		return echoReply{Text: a.Text, Server: name}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if b != nil {
		if err := rpc.Handle(srv, "block", func(ctx context.Context, _ struct{}) (string, error) {
			b.started <- name
			select {
			case <-b.release:
				return name, nil
			case <-ctx.Done():
				return "", ctx.Err()
			}
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Stop(ctx); err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("Stop: %v", err)
		}
	})
	return srv
}

func newClient(t testing.TB, target rpc.Target, opts ...rpc.Option) *rpc.Client {
	t.Helper()
	cl, err := rpc.NewClient(target, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return cl
}

// waitFor waits, within the test's bounds, for cond to hold: for state only a poll can see
// (the proxy's counters), never for time to pass.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// readyServers waits until p knows n servers.
func readyServers(t testing.TB, p *proxy.Proxy, n int) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%d servers at the proxy", n), func() bool { return p.Stats().Servers == n })
}

// outcomes counts calls by code.
type outcomes struct {
	mu sync.Mutex
	n  map[rpc.Code]int
}

func (o *outcomes) add(err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.n == nil {
		o.n = map[rpc.Code]int{}
	}
	o.n[rpc.CodeOf(err)]++
}
