package rpc

import (
	"context"
	"errors"
	"fmt"
	"github.com/purezmq/zmq/rpc/registry"
	"sync"
	"testing"
	"time"
)

// counting servers: each counts the calls and casts it ran.
type counts struct {
	mu    sync.Mutex
	calls map[string]int
	casts chan string
}

func startCounted(t *testing.T, reg registry.Registry, c *counts, name string) *Server {
	return startServer(t, Target{Topic: "t", Server: name}, func(s *Server) {
		_ = Handle(s, "count", func(ctx context.Context, _ struct{}) (string, error) {
			c.mu.Lock()
			c.calls[name]++
			c.mu.Unlock()
			return name, nil
		})
		_ = Handle(s, "note", func(ctx context.Context, msg string) (struct{}, error) {
			c.casts <- name + ":" + msg
			return struct{}{}, nil
		})
	}, WithRegistry(reg))
}

func TestCallCastFanout(t *testing.T) {
	reg := registry.NewMemory()
	defer reg.Close()
	c := &counts{calls: map[string]int{}, casts: make(chan string, 10)}
	for i := range 3 {
		startCounted(t, reg, c, fmt.Sprintf("s%d", i))
	}
	cl, err := NewClient(Target{Topic: "t"}, WithRegistry(reg), WithTimeout(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx := testCtx(t)

	fan, err := cl.Prepare(WithFanout())
	if err != nil {
		t.Fatal(err)
	}
	// The fanout waits for every connection, so the round robin below sees them all.
	if err := fan.Cast(ctx, "note", "all"); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for range 3 {
		got[<-c.casts] = true
	}
	if !got["s0:all"] || !got["s1:all"] || !got["s2:all"] {
		t.Fatalf("fanout reached %v", got)
	}
	if err := fan.Call(ctx, "count", struct{}{}, nil); !errors.Is(err, ErrInvalidTarget) {
		t.Fatalf("Call with fanout: %v", err)
	}

	const n = 30
	for range n {
		if err := cl.Call(ctx, "count", struct{}{}, nil); err != nil {
			t.Fatal(err)
		}
	}
	c.mu.Lock()
	for name, k := range c.calls {
		if k != n/3 {
			t.Errorf("round robin: %v, want %d each", c.calls, n/3)
			break
		}
		_ = name
	}
	c.mu.Unlock()

	if err := cl.Cast(ctx, "note", "one"); err != nil {
		t.Fatal(err)
	}
	if m := <-c.casts; m[len(m)-4:] != ":one" {
		t.Fatalf("cast: %q", m)
	}

	s1, err := cl.Prepare(WithServer("s1"))
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		var who string
		if err := s1.Call(ctx, "count", struct{}{}, &who); err != nil || who != "s1" {
			t.Fatalf("call to s1 went to %q: %v", who, err)
		}
	}
	select {
	case m := <-c.casts:
		t.Fatalf("a cast ran twice: %q", m)
	default:
	}
}

// Concurrent callers on one client, replies coming back in the reverse order of the calls.
func TestOutOfOrderReplies(t *testing.T) {
	const n = 16
	started := make(chan int, n)
	gates := make([]chan struct{}, n)
	for i := range gates {
		gates[i] = make(chan struct{})
	}
	srv := startServer(t, Target{Topic: "t"}, func(s *Server) {
		_ = Handle(s, "wait", func(ctx context.Context, i int) (int, error) {
			started <- i
			<-gates[i]
			return i * 10, nil
		})
	})
	cl, err := NewClient(Target{Topic: "t"}, WithEndpoint(srv.Endpoint()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx := testCtx(t)
	done := make([]chan error, n)
	for i := range n {
		done[i] = make(chan error, 1)
		go func() {
			var r int
			err := cl.Call(ctx, "wait", i, &r)
			if err == nil && r != i*10 {
				err = fmt.Errorf("call %d got %d", i, r)
			}
			done[i] <- err
		}()
	}
	for range n {
		<-started
	}
	for i := n - 1; i >= 0; i-- {
		close(gates[i])
		if err := <-done[i]; err != nil {
			t.Fatal(err)
		}
	}
}

func TestNoResponders(t *testing.T) {
	reg := registry.NewMemory()
	defer reg.Close()
	// A port nobody listens on: bind a server, take its endpoint, stop it.
	srv, err := NewServer(Target{Topic: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	dead := srv.Endpoint()
	if err := srv.Stop(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		opt  Option
	}{
		{"nothing registered", WithRegistry(reg)},
		{"nobody listening", WithEndpoint(dead)},
	} {
		cl, err := NewClient(Target{Topic: "t"}, tc.opt)
		if err != nil {
			t.Fatal(err)
		}
		ctx := testCtx(t) // far away: NoResponders must come before it
		if err := cl.Call(ctx, "echo", echoArgs{}, nil); !errors.Is(err, ErrNoResponders) {
			t.Errorf("%s: Call: %v", tc.name, err)
		}
		if err := cl.Cast(ctx, "echo", echoArgs{}); !errors.Is(err, ErrNoResponders) {
			t.Errorf("%s: Cast: %v", tc.name, err)
		}
		cl.Close()
	}
}

func TestMsgpackRoundTrip(t *testing.T) {
	srv := startServer(t, Target{Topic: "t", Server: "m"}, nil)
	cl, err := NewClient(Target{Topic: "t"}, WithEndpoint(srv.Endpoint()), WithCodec(Msgpack))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var r echoReply
	if err := cl.Call(testCtx(t), "echo", echoArgs{Text: "packed ✓"}, &r); err != nil || r.Text != "packed ✓" || r.Server != "m" {
		t.Fatalf("reply %+v: %v", r, err)
	}
	if err := cl.Call(testCtx(t), "nope", echoArgs{}, &r); !errors.Is(err, ErrNotFound) {
		t.Fatalf("error in msgpack: %v", err)
	}
}

// A server registers its endpoint under the topic's key and its own, and Stop removes both.
func TestServerRegisters(t *testing.T) {
	reg := registry.NewMemory()
	defer reg.Close()
	srv, err := NewServer(Target{Exchange: "ex", Topic: "t", Server: "s1"}, WithRegistry(reg))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	for _, key := range []string{"ex/t", "ex/t/s1"} {
		if eps, _ := reg.Resolve(ctx, key); len(eps) != 1 || eps[0] != srv.Endpoint() {
			t.Errorf("%s: %v, want [%s]", key, eps, srv.Endpoint())
		}
	}
	if err := srv.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"ex/t", "ex/t/s1"} {
		if eps, _ := reg.Resolve(ctx, key); len(eps) != 0 {
			t.Errorf("%s after Stop: %v", key, eps)
		}
	}
}
