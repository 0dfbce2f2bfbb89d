package proxy_test

import (
	"fmt"
	"testing"

	"github.com/purezmq/zmq/rpc"
	"github.com/purezmq/zmq/rpc/proxy"
)

// A server's Start behind proxies returns once each proxy has acknowledged its READY, so a
// fanout cast sent right after reaches it, and so does a call — no retry, no wait for the
// proxy's counters. Each round a new server joins through the registry (Redis) and a fanout
// follows at once.
func TestJoinedBeforeStartReturns(t *testing.T) {
	reg, _ := redisRegistry(t)
	p := startProxy(t, proxy.Config{Registry: reg})
	ctx := testCtx(t)
	b := &blocker{started: make(chan string, 64), release: make(chan struct{})}
	close(b.release) // "block" returns at once: it only reports who ran it
	cl := newClient(t, rpc.Target{Topic: "t"}, rpc.WithRegistry(reg), rpc.WithProxyDiscovery())
	fan, err := cl.Prepare(rpc.WithFanout())
	if err != nil {
		t.Fatal(err)
	}
	const rounds = 6
	for round := range rounds {
		name := fmt.Sprintf("s%d", round)
		startServer(t, name, b, rpc.WithRegistry(reg), rpc.WithProxyDiscovery())
		named, err := cl.Prepare(rpc.WithServer(name))
		if err != nil {
			t.Fatal(err)
		}
		var r echoReply
		if err := named.Call(ctx, "echo", echoArgs{Text: "hi"}, &r); err != nil || r.Server != name {
			t.Fatalf("round %d: call to the server just started: %+v %v", round, r, err)
		}
		if err := fan.Cast(ctx, "block", struct{}{}); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		want := map[string]bool{}
		for i := 0; i <= round; i++ {
			want[fmt.Sprintf("s%d", i)] = true
		}
		for len(want) > 0 {
			select {
			case got := <-b.started:
				if !want[got] {
					t.Fatalf("round %d: fanout reached %s twice", round, got)
				}
				delete(want, got)
			case <-ctx.Done():
				t.Fatalf("round %d: the fanout never reached %v", round, want)
			}
		}
	}
	if got := p.Stats().Servers; got != rounds {
		t.Fatalf("proxy knows %d servers, want %d", got, rounds)
	}
}
