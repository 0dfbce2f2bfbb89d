package transport_test

import (
	"context"
	"errors"

	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/purezmq/zmq/rpc"
	"github.com/purezmq/zmq/rpc/internal/redistest"
	"github.com/purezmq/zmq/rpc/registry"
	"github.com/purezmq/zmq/rpc/registry/redisreg"
	"github.com/purezmq/zmq/rpc/transport"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type args struct{ N int }

func startServer(t *testing.T, name string, opts ...rpc.Option) *rpc.Server {
	t.Helper()
	srv, err := rpc.NewServer(rpc.Target{Topic: "calc", Server: name}, append(opts, rpc.WithTTL(time.Second))...)
	if err != nil {
		t.Fatal(err)
	}
	if err := rpc.Handle(srv, "who", func(ctx context.Context, a args) (string, error) { return name, nil }); err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Stop(ctx); err != nil {
			t.Errorf("Stop %s: %v", name, err)
		}
	})
	return srv
}

func open(t *testing.T, url string, onStale func(string, error)) []rpc.Option {
	t.Helper()
	opts, closer, err := transport.Open(url, onStale)
	if err != nil {
		t.Fatal(err)
	}
	if closer != nil {
		t.Cleanup(func() { closer.Close() })
	}
	return opts
}

func call(t *testing.T, cl *rpc.Client) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var who string
	if err := cl.Call(ctx, "who", args{1}, &who); err != nil {
		t.Fatal(err)
	}
	return who
}

func TestStaticURL(t *testing.T) {
	srv := startServer(t, "s1")
	hostport := strings.TrimPrefix(srv.Endpoint(), "tcp://")
	cl, err := rpc.NewClient(rpc.Target{Topic: "calc"}, open(t, "zmq://"+hostport, nil)...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if got := call(t, cl); got != "s1" {
		t.Fatalf("called %q, want s1", got)
	}
}

func TestBadURLs(t *testing.T) {
	for _, u := range []string{"", "tcp://127.0.0.1:1", "zmq://nohost", "zmq+redis://h:1/x", "zmq+redis://h:1/0?x=1"} {
		if _, _, err := transport.Open(u, nil); !errors.Is(err, registry.ErrBadURL) {
			t.Errorf("Open(%q) = %v, want ErrBadURL", u, err)
		}
	}
}

// TestRedisDiscovery: servers found through a real redis-server; Redis stopped while calls go on
// from the client's last snapshot (and the outage reported); restarted, a new server is found.
func TestRedisDiscovery(t *testing.T) {
	redis := redistest.Start(t)
	url := redis.URL()
	startServer(t, "s1", open(t, url, nil)...)
	startServer(t, "s2", open(t, url, nil)...)
	stale := make(chan struct{}, 1)
	var stales atomic.Int64
	onStale := func(key string, err error) {
		stales.Add(1)
		select {
		case stale <- struct{}{}:
		default:
		}
	}
	cl, err := rpc.NewClient(rpc.Target{Topic: "calc"}, open(t, url, onStale)...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	seen := map[string]bool{}
	for i := 0; i < 40 && len(seen) < 2; i++ {
		seen[call(t, cl)] = true
	}
	if !seen["s1"] || !seen["s2"] {
		t.Fatalf("calls reached %v, want s1 and s2", seen)
	}

	redis.Stop()
	select {
	case <-stale:
	case <-time.After(20 * time.Second):
		t.Fatal("the client never reported serving from its snapshot while Redis was down")
	}
	for range 20 {
		call(t, cl) // still served, from the last snapshot
	}

	redis.Restart()
	startServer(t, "s3", open(t, url, nil)...)
	// Retries (on NoResponders, with backoff) carry the call until the client's registry
	// watch sees s3.
	s3, err := cl.Prepare(rpc.WithServer("s3"), rpc.WithRetries(1000))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var who string
	if err := s3.Call(ctx, "who", args{1}, &who); err != nil || who != "s3" {
		t.Fatalf("s3, registered after Redis came back, not reached: %q, %v", who, err)
	}
	// s1 and s2 come back in the registry by themselves: their leases register again.
	check, err := redisreg.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	defer check.Close()
	for deadline := time.Now().Add(20 * time.Second); ; {
		eps, err := check.Resolve(ctx, "openstack/calc")
		if err == nil && len(eps) == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after Redis came back the topic has %v, %v; want the 3 servers", eps, err)
		}
		time.Sleep(50 * time.Millisecond) // polling the registry, which has no event to wait on
	}
	t.Logf("the client served %d resolutions from its snapshot during the outage", stales.Load())
}
