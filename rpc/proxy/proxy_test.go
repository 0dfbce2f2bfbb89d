package proxy_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/purezmq/zmq/curve"
	"github.com/purezmq/zmq/rpc"
	"github.com/purezmq/zmq/rpc/proxy"
)

// Calls, casts, fanout and a named server, through one proxy with static endpoints.
func TestThroughProxy(t *testing.T) {
	p := startProxy(t, proxy.Config{})
	b := &blocker{started: make(chan string, 4), release: make(chan struct{})}
	for _, name := range []string{"a", "b"} {
		startServer(t, name, b, rpc.WithProxy(p.Backend()))
	}
	readyServers(t, p, 2)
	cl := newClient(t, rpc.Target{Topic: "t"}, rpc.WithProxy(p.Frontend()))
	ctx := testCtx(t)
	seen := map[string]int{}
	for range 20 {
		var r echoReply
		if err := cl.Call(ctx, "echo", echoArgs{Text: "hi"}, &r); err != nil || r.Text != "hi" {
			t.Fatalf("call: %+v %v", r, err)
		}
		seen[r.Server]++
	}
	if seen["a"] == 0 || seen["b"] == 0 {
		t.Fatalf("calls went to %v: want both servers", seen)
	}
	named, err := cl.Prepare(rpc.WithServer("b"))
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		var r echoReply
		if err := named.Call(ctx, "echo", echoArgs{Text: "x"}, &r); err != nil || r.Server != "b" {
			t.Fatalf("call to b: %+v %v", r, err)
		}
	}
	fan, err := cl.Prepare(rpc.WithFanout())
	if err != nil {
		t.Fatal(err)
	}
	if err := fan.Cast(ctx, "block", struct{}{}); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{<-b.started: true, <-b.started: true}
	if !got["a"] || !got["b"] {
		t.Fatalf("fanout reached %v", got)
	}
	close(b.release)
	if err := cl.Call(ctx, "nope", nil, nil); !errors.Is(err, rpc.ErrNotFound) {
		t.Fatalf("unknown method: %v", err)
	}
	other, err := cl.Prepare(rpc.WithTopic("", "other"))
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Call(ctx, "echo", echoArgs{}, nil); !errors.Is(err, rpc.ErrNoResponders) {
		t.Fatalf("call to a key no server has: %v", err)
	}
}

// A caller's cancellation reaches the handler through the proxy.
func TestCancelThroughProxy(t *testing.T) {
	p := startProxy(t, proxy.Config{})
	b := &blocker{started: make(chan string, 1), release: make(chan struct{})}
	startServer(t, "a", b, rpc.WithProxy(p.Backend()))
	readyServers(t, p, 1)
	cl := newClient(t, rpc.Target{Topic: "t"}, rpc.WithProxy(p.Frontend()))
	ctx, cancel := context.WithCancel(testCtx(t))
	done := make(chan error, 1)
	go func() { done <- cl.Call(ctx, "block", struct{}{}, nil) }()
	<-b.started
	cancel()
	if err := <-done; !errors.Is(err, rpc.ErrCancelled) {
		t.Fatalf("cancelled call: %v", err)
	}
	// The handler's ctx ended (it returned without release), which returned its credit: the
	// next calls go through.
	waitFor(t, "the cancelled call to leave the proxy", func() bool { return p.Stats().Calls == 0 })
	for range 3 {
		if err := cl.Call(testCtx(t), "echo", echoArgs{}, nil); err != nil {
			t.Fatal(err)
		}
	}
	close(b.release)
}

// Options that cannot work together are refused.
func TestProxyOptions(t *testing.T) {
	if _, err := rpc.NewClient(rpc.Target{Topic: "t"}, rpc.WithProxyDiscovery()); err == nil {
		t.Error("client: discovery without a registry accepted")
	}
	if _, err := rpc.NewClient(rpc.Target{Topic: "t"}, rpc.WithProxy("tcp://127.0.0.1:1"), rpc.WithEndpoint("tcp://127.0.0.1:2")); err == nil {
		t.Error("client: proxy and endpoint accepted")
	}
	if _, err := rpc.NewClient(rpc.Target{Topic: "t"}, rpc.WithProxyHeartbeat(time.Second, 3)); err == nil {
		t.Error("client: proxy heartbeat accepted")
	}
	if _, err := rpc.NewServer(rpc.Target{Topic: "t"}, rpc.WithProxy("tcp://127.0.0.1:1"), rpc.WithEndpoint("tcp://127.0.0.1:2")); err == nil {
		t.Error("server: proxy and endpoint accepted")
	}
	var key curve.SecretKey
	if _, err := rpc.NewServer(rpc.Target{Topic: "t"}, rpc.WithProxy("tcp://127.0.0.1:1"), rpc.WithCurveServer(key)); err == nil {
		t.Error("server: proxy and CURVE accepted")
	}
	if _, err := rpc.NewClient(rpc.Target{Topic: "t"}, rpc.WithProxy("tcp://127.0.0.1:1"), rpc.WithCurveServerKey(key.Public())); err == nil {
		t.Error("client: proxy and CURVE accepted")
	}
	if _, err := rpc.NewServer(rpc.Target{Topic: "t"}, rpc.WithProxyHeartbeat(0, 3)); err == nil {
		t.Error("server: zero heartbeat accepted")
	}
	cl, err := rpc.NewClient(rpc.Target{Topic: "t"}, rpc.WithEndpoint("tcp://127.0.0.1:2"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if _, err := cl.Prepare(rpc.WithProxy("tcp://127.0.0.1:1")); err == nil {
		t.Error("Prepare: proxy accepted")
	}
	if _, err := proxy.New(proxy.Config{Queue: -1}); err == nil {
		t.Error("proxy: negative queue accepted")
	}
	if _, err := proxy.New(proxy.Config{Frontend: []string{"nonsense"}}); err == nil {
		t.Error("proxy: bad endpoint accepted")
	}
}
