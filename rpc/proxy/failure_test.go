package proxy_test

import (
	"context"
	"encoding/binary"
	"errors"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
	"github.com/purezmq/zmq/rpc"
	"github.com/purezmq/zmq/rpc/internal/childtest"
	"github.com/purezmq/zmq/rpc/proxy"
)

// The proxy restarted (closed, then started again at the same endpoints) with calls in flight
// and calls arriving: every call ends OK, Unavailable or DeadlineExceeded, none hangs, and
// calls succeed again once the servers have announced themselves to the new proxy.
func TestProxyRestartedWithCallsInFlight(t *testing.T) {
	reg, _ := redisRegistry(t)
	cfg := proxy.Config{Registry: reg, Heartbeat: 50 * time.Millisecond}
	p := startProxy(t, cfg)
	cfg.Frontend, cfg.Backend = p.Frontends(), p.Backends()
	b := &blocker{started: make(chan string, 100), release: make(chan struct{})}
	for _, name := range []string{"a", "b"} {
		startServer(t, name, b, rpc.WithRegistry(reg), rpc.WithProxyDiscovery(), rpc.WithProxyHeartbeat(50*time.Millisecond, 3))
	}
	readyServers(t, p, 2)
	discover := []rpc.Option{rpc.WithRegistry(reg), rpc.WithProxyDiscovery(), rpc.WithTimeout(10 * time.Second)}
	blockers := newClient(t, rpc.Target{Topic: "t"}, discover...)
	echoers := newClient(t, rpc.Target{Topic: "t"}, append(discover, rpc.WithRetries(12))...)
	ctx := testCtx(t)

	const inFlight, streams, perStream = 8, 4, 50
	var blocked, echoed outcomes
	var wg sync.WaitGroup
	for range inFlight {
		wg.Go(func() { blocked.add(blockers.Call(ctx, "block", struct{}{}, nil)) })
	}
	for range inFlight {
		<-b.started
	}
	stop := make(chan struct{})
	var streamed sync.WaitGroup
	for range streams {
		streamed.Go(func() {
			for i := 0; i < perStream; i++ {
				if i == perStream/2 {
					<-stop // half before the restart, half after it began
				}
				echoed.add(echoers.Call(ctx, "echo", echoArgs{Text: "x"}, nil))
			}
		})
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	close(stop)
	p2 := startProxy(t, cfg)
	wg.Wait() // the blocked calls ended with their connection
	close(b.release)
	streamed.Wait()
	readyServers(t, p2, 2)

	for name, o := range map[string]*outcomes{"in flight": &blocked, "streamed": &echoed} {
		total := 0
		for code, n := range o.n {
			total += n
			if code != rpc.OK && code != rpc.Unavailable && code != rpc.DeadlineExceeded {
				t.Errorf("%s: %d calls ended %v", name, n, code)
			}
		}
		t.Logf("%s calls: %v", name, o.n)
		if want := map[string]int{"in flight": inFlight, "streamed": streams * perStream}[name]; total != want {
			t.Errorf("%s: %d calls ended, want %d", name, total, want)
		}
	}
	if blocked.n[rpc.OK] != 0 {
		t.Errorf("%d calls in flight through the closed proxy ended OK", blocked.n[rpc.OK])
	}
	for range 10 {
		if err := echoers.Call(ctx, "echo", echoArgs{Text: "after"}, nil); err != nil {
			t.Fatalf("call after the restart: %v", err)
		}
	}
}

// Two proxies, one of them a process SIGKILLed with calls in flight: the clients fail over to
// the other, and every call succeeds (retries), those in flight on the dead proxy included.
func TestTwoProxiesOneKilled(t *testing.T) {
	reg, url := redisRegistry(t)
	cmd, front := startChildProxy(t, url, 2)
	p := startProxy(t, proxy.Config{Registry: reg, Heartbeat: 100 * time.Millisecond})
	b := &blocker{started: make(chan string, 100), release: make(chan struct{})}
	for _, name := range []string{"a", "b"} {
		startServer(t, name, b, rpc.WithRegistry(reg), rpc.WithProxyDiscovery(), rpc.WithProxyHeartbeat(100*time.Millisecond, 3))
	}
	readyServers(t, p, 2)
	waitChildReady(t, cmd)
	cl := newClient(t, rpc.Target{Topic: "t"}, rpc.WithRegistry(reg), rpc.WithProxyDiscovery(), rpc.WithRetries(8),
		rpc.WithTimeout(10*time.Second))
	ctx := testCtx(t)
	// Calls until one has gone through the child: the client is connected to both proxies.
	for i := uint64(1); p.Stats().Requests == i-1; i++ {
		if err := cl.Call(ctx, "echo", echoArgs{}, nil); err != nil {
			t.Fatal(err)
		}
		if i == 1000 {
			t.Fatalf("1000 calls, all through the in-process proxy; none through the child's %s", front)
		}
	}
	// Calls in flight on both proxies (round robin), blocked in their handlers.
	const n = 8
	var calls outcomes
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { calls.add(cl.Call(ctx, "block", struct{}{}, nil)) })
	}
	for range n {
		<-b.started
	}
	if got := p.Stats().Calls; got == n {
		t.Fatalf("all %d calls went through the in-process proxy; the child's frontend %s carried none", n, front)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// The calls on the killed proxy fail Unavailable and are retried through the other, where
	// they block again; then all are released.
	waitFor(t, "the calls to reach the live proxy", func() bool { return p.Stats().Calls == n })
	close(b.release)
	wg.Wait()
	if calls.n[rpc.OK] != n {
		t.Fatalf("calls across the kill: %v", calls.n)
	}
	for range 20 {
		if err := cl.Call(ctx, "echo", echoArgs{}, nil); err != nil {
			t.Fatalf("call after the kill: %v", err)
		}
	}
}

// A server that goes silent with a call in flight is dropped after its misses, and the call
// is answered Unavailable, long before its deadline.
func TestSilentServerDetected(t *testing.T) {
	reg, _ := redisRegistry(t)
	p := startProxy(t, proxy.Config{Registry: reg, Heartbeat: 50 * time.Millisecond, Misses: 3})
	backs, err := reg.Resolve(testCtx(t), rpc.ProxyBackendKey)
	if err != nil || len(backs) != 1 {
		t.Fatalf("backends in the registry: %v %v", backs, err)
	}
	raw := newRawServer(t, backs[0])
	raw.ready(5, 50*time.Millisecond, "openstack/silent")
	readyServers(t, p, 1)
	cl := newClient(t, rpc.Target{Topic: "silent"}, rpc.WithRegistry(reg), rpc.WithProxyDiscovery())
	ctx, cancel := context.WithTimeout(testCtx(t), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- cl.Call(ctx, "echo", echoArgs{}, nil) }()
	raw.request() // taken, and never answered; no heartbeat either
	err = <-done
	if !errors.Is(err, rpc.ErrUnavailable) {
		t.Fatalf("call on a silent server: %v", err)
	}
	t.Logf("call on a silent server: %v", err)
	if s := p.Stats(); s.Drops["server_lost"] != 1 || s.Servers != 0 || s.Calls != 0 {
		t.Fatalf("proxy after the silent server: %+v", s)
	}
	// Nobody serves the key now: the next call is told so at once.
	if err := cl.Call(ctx, "echo", echoArgs{}, nil); !errors.Is(err, rpc.ErrNoResponders) {
		t.Fatalf("call after the server was dropped: %v", err)
	}
}

// A key whose servers are all busy queues calls up to its bound, answers ResourceExhausted
// beyond it, hands the queue to the server as its credit comes back, and answers
// DeadlineExceeded to what waited past its deadline.
func TestQueueFull(t *testing.T) {
	reg, _ := redisRegistry(t)
	p := startProxy(t, proxy.Config{Registry: reg, Queue: 2})
	raw := newRawServer(t, p.Backend())
	raw.ready(1, time.Hour, "openstack/q") // one at a time; a heartbeat the test outlives
	readyServers(t, p, 1)
	cl := newClient(t, rpc.Target{Topic: "q"}, rpc.WithRegistry(reg), rpc.WithProxyDiscovery())
	ctx := testCtx(t)
	results := make(chan error, 3)
	call := func() { results <- cl.Call(ctx, "echo", echoArgs{}, nil) }
	go call()
	ret, h, key := raw.request()
	if key != "openstack/q" {
		t.Fatalf("forwarded key %q", key)
	}
	go call()
	go call()
	waitFor(t, "two queued calls", func() bool { return p.Stats().Queued == 2 })
	if err := cl.Call(ctx, "echo", echoArgs{}, nil); !errors.Is(err, rpc.ErrResourceExhausted) {
		t.Fatalf("call beyond the queue: %v", err)
	}
	for i := range 3 { // each reply returns the credit that takes the next queued call
		raw.reply(ret, h, `{}`)
		if err := <-results; err != nil {
			t.Fatal(err)
		}
		if i < 2 {
			ret, h, _ = raw.request()
		}
	}
	// The server holds a call; one queued behind it expires in the queue.
	go call()
	raw.request()
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if err := cl.Call(short, "echo", echoArgs{}, nil); !errors.Is(err, rpc.ErrDeadlineExceeded) {
		t.Fatalf("queued call past its deadline: %v", err)
	}
	waitFor(t, "the expired call to leave the queue", func() bool {
		s := p.Stats()
		return s.Queued == 0 && s.Drops["expired"] == 1
	})
	if s := p.Stats(); s.Drops["queue_full"] != 1 {
		t.Fatalf("drops: %v", s.Drops)
	}
}

// The queues are bounded in bytes too, all keys together: a request that would pass the bound
// is answered ResourceExhausted however short its key's queue.
func TestQueueBytes(t *testing.T) {
	reg, _ := redisRegistry(t)
	p := startProxy(t, proxy.Config{Registry: reg, QueueBytes: 1000})
	raw := newRawServer(t, p.Backend())
	raw.ready(1, time.Hour, "openstack/q")
	readyServers(t, p, 1)
	cl := newClient(t, rpc.Target{Topic: "q"}, rpc.WithRegistry(reg), rpc.WithProxyDiscovery())
	ctx := testCtx(t)
	results := make(chan error, 2)
	go func() { results <- cl.Call(ctx, "echo", echoArgs{}, nil) }()
	ret, h, _ := raw.request() // holds the only credit
	go func() { results <- cl.Call(ctx, "echo", echoArgs{Text: "small"}, nil) }()
	waitFor(t, "a queued call", func() bool { return p.Stats().Queued == 1 })
	if err := cl.Call(ctx, "echo", echoArgs{Text: strings.Repeat("x", 1000)}, nil); !errors.Is(err, rpc.ErrResourceExhausted) {
		t.Fatalf("a call past the queues' bytes: %v", err)
	}
	if s := p.Stats(); s.Queued != 1 || s.QueuedB == 0 || s.QueuedB > 1000 {
		t.Fatalf("queued %d calls, %d bytes", s.Queued, s.QueuedB)
	}
	raw.reply(ret, h, `{}`)
	ret, h, _ = raw.request()
	raw.reply(ret, h, `{}`)
	for range 2 {
		if err := <-results; err != nil {
			t.Fatal(err)
		}
	}
	if s := p.Stats(); s.QueuedB != 0 {
		t.Fatalf("%d bytes queued after the queue drained", s.QueuedB)
	}
}

// A real server process SIGSTOPped with a call in flight: its heartbeats stop, the proxy drops
// it after its misses and answers the call Unavailable, long before the call's deadline.
func TestStoppedServerProcessDetected(t *testing.T) {
	reg, _ := redisRegistry(t)
	p := startProxy(t, proxy.Config{Registry: reg, Heartbeat: 50 * time.Millisecond})
	c := childtest.Start(t, "server process", childServerEnv+"="+p.Backend())
	t.Cleanup(func() { _ = c.Process.Kill() }) // stopped: it cannot read its stdin's end
	c.Expect(t, "up")
	readyServers(t, p, 1)
	cl := newClient(t, rpc.Target{Topic: "t"}, rpc.WithRegistry(reg), rpc.WithProxyDiscovery())
	ctx, cancel := context.WithTimeout(testCtx(t), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- cl.Call(ctx, "block", struct{}{}, nil) }()
	c.Expect(t, "started")
	if err := c.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	err := <-done
	if !errors.Is(err, rpc.ErrUnavailable) {
		t.Fatalf("call on a stopped server: %v", err)
	}
	if s := p.Stats(); s.Drops["server_lost"] != 1 || s.Servers != 0 {
		t.Fatalf("proxy after the stopped server: %+v", s)
	}
}

// A call that waited in the queue reaches its server with the time its caller has left, not
// the timeout it was sent with.
func TestQueuedCallRetimed(t *testing.T) {
	p := startProxy(t, proxy.Config{})
	raw := newRawServer(t, p.Backend())
	raw.ready(1, time.Hour, "openstack/q")
	readyServers(t, p, 1)
	cl := rawClient(t, p.Frontend())
	ctx := testCtx(t)
	const sent = 10 * time.Second
	for id := uint64(1); id <= 2; id++ {
		f := [][]byte{header(1, 1, 0, id, sent), []byte("openstack/q"), nil, nil, []byte("m"), []byte("null")}
		if err := cl.Send(ctx, zmq.NewMsg(f...)); err != nil {
			t.Fatal(err)
		}
	}
	ret, h, _ := raw.request()
	if got := time.Duration(binary.BigEndian.Uint64(h[12:])) * time.Microsecond; got != sent {
		t.Fatalf("a call forwarded at once arrived with timeout %v, want %v as sent", got, sent)
	}
	waitFor(t, "the second call queued", func() bool { return p.Stats().Queued == 1 })
	raw.reply(ret, h, "null")
	_, h, _ = raw.request()
	if got := time.Duration(binary.BigEndian.Uint64(h[12:])) * time.Microsecond; got >= sent || got <= 0 {
		t.Fatalf("a call that waited in the queue arrived with timeout %v, want less than the %v it was sent with", got, sent)
	}
}
