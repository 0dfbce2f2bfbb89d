package proxy_test

import (
	"context"
	"encoding/binary"
	"slices"
	"sync"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/rpc"
	"github.com/purezmq/zmq/rpc/proxy"
)

// A server announces its keys and free workers to a proxy; when the proxy stays silent for its
// misses, the server connects afresh and announces itself again.
func TestServerReconnectsToSilentProxy(t *testing.T) {
	zc := zmq.NewContext()
	defer zc.Close()
	fake, err := zc.NewSocket(zmq.ROUTER, zmq.WithLinger(0))
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	if err := fake.Bind("tcp://127.0.0.1:*"); err != nil {
		t.Fatal(err)
	}
	startServer(t, "a", nil, rpc.WithProxy(fake.LastEndpoint()), rpc.WithWorkers(2), rpc.WithProxyHeartbeat(30*time.Millisecond, 3))
	ctx := testCtx(t)
	// ready waits for the next READY, skipping heartbeats, and returns who sent it.
	ready := func() string {
		for {
			m, err := fake.Recv(ctx)
			if err != nil {
				t.Fatal(err)
			}
			f := m.Frames
			if len(f) < 3 || len(f[1]) != 0 || len(f[2]) != 20 {
				t.Fatalf("server sent %q", f)
			}
			if f[2][1] != 6 {
				continue
			}
			keys := []string{}
			for _, k := range f[3:] {
				keys = append(keys, string(k))
			}
			if credit := binary.BigEndian.Uint64(f[2][4:]); credit != 2 || !slices.Equal(keys, []string{"openstack/t", "openstack/t/a"}) {
				t.Fatalf("READY with credit %d, keys %q", credit, keys)
			}
			return string(f[0])
		}
	}
	first := ready()
	// The fake proxy never says a word: after 3 × 30 ms the server gives up on the connection.
	if second := ready(); second == first {
		t.Fatalf("READY again from the same connection %x, want a new one", first)
	}
}

// Requests that get no reply (casts, a call the server cannot read) give their credit back: a
// server with one worker takes a call after many casts.
func TestCastsReturnCredit(t *testing.T) {
	p := startProxy(t, proxy.Config{})
	srv, err := rpc.NewServer(rpc.Target{Topic: "t"}, rpc.WithProxy(p.Backend()), rpc.WithWorkers(1))
	if err != nil {
		t.Fatal(err)
	}
	noted := make(chan string, 10)
	_ = rpc.Handle(srv, "note", func(_ context.Context, s string) (struct{}, error) { noted <- s; return struct{}{}, nil })
	_ = rpc.Handle(srv, "echo", func(_ context.Context, a echoArgs) (echoReply, error) { return echoReply{Text: a.Text}, nil })
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(context.Background())
	readyServers(t, p, 1)
	cl := newClient(t, rpc.Target{Topic: "t"}, rpc.WithProxy(p.Frontend()))
	ctx := testCtx(t)
	for i := range 5 {
		if err := cl.Cast(ctx, "note", "n"); err != nil {
			t.Fatal(err)
		}
		select { // handled; the next one needs its credit back
		case <-noted:
		case <-ctx.Done():
			t.Fatalf("cast %d not handled: the credit of the one before did not come back", i)
		}
	}
	if err := cl.Call(ctx, "echo", echoArgs{Text: "after"}, nil); err != nil {
		t.Fatalf("call after the casts: %v", err)
	}
}

// At-least-once and the call monitor through a proxy: an acknowledged cast comes back once its
// handler ran, a retry of a call is answered from the server's dedup store (the handler runs
// once), and a long call lives on the PROGRESS the proxy passes on.
func TestDeliveryThroughProxy(t *testing.T) {
	p := startProxy(t, proxy.Config{})
	srv, err := rpc.NewServer(rpc.Target{Topic: "t"}, rpc.WithProxy(p.Backend()), rpc.WithDedup(rpc.NewMemoryDedup(100, 1<<20), time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	counted := 0
	_ = rpc.Handle(srv, "count", func(_ context.Context, _ struct{}) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		counted++
		return counted, nil
	})
	release := make(chan struct{})
	_ = rpc.Handle(srv, "long", func(ctx context.Context, _ struct{}) (string, error) {
		select {
		case <-release:
			return "done", nil
		case <-ctx.Done():
			return "", ctx.Err()
		}
	})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(context.Background())
	readyServers(t, p, 1)
	cl := newClient(t, rpc.Target{Topic: "t"}, rpc.WithProxy(p.Frontend()), rpc.WithDelivery(rpc.AtLeastOnce), rpc.WithRetries(3))
	ctx := testCtx(t)
	if err := cl.Cast(ctx, "count", struct{}{}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	n := counted
	mu.Unlock()
	if n != 1 {
		t.Fatalf("after an acknowledged cast the handler ran %d times", n)
	}
	var got int
	if err := cl.Call(ctx, "count", struct{}{}, &got); err != nil || got != 2 {
		t.Fatalf("call: %d %v", got, err)
	}
	// A retry of one call (same idempotency key, by hand) is answered from the store.
	raw := rawClient(t, p.Frontend())
	for id := uint64(1); id <= 2; id++ {
		f := [][]byte{header(1, 1, 0, id, 0), []byte("openstack/t"), nil, nil, []byte("count"), []byte("{}"),
			[]byte(`{"idempotency-key":"same"}`)}
		if err := raw.Send(ctx, zmq.NewMsg(f...)); err != nil {
			t.Fatal(err)
		}
		m, err := raw.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Frames) != 2 || m.Frames[0][3] != 0 || string(m.Frames[1]) != "3" {
			t.Fatalf("call %d with the key: %q", id, m.Frames)
		}
	}
	if s := srv.Stats(); s.Replayed != 1 {
		t.Fatalf("server stats %+v: want one replay", s)
	}
	monitored, err := cl.Prepare(rpc.WithCallMonitor(60 * time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- monitored.Call(ctx, "long", struct{}{}, nil) }()
	// Six PROGRESS at 20 ms: the call has outlived its 60 ms monitor twice over.
	waitFor(t, "PROGRESS through the proxy", func() bool { return p.Stats().Progress >= 6 })
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("monitored long call: %v", err)
	}
}
