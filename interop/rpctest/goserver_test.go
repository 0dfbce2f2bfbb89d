package rpctest

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/purezmq/zmq/rpc"
)

// failure is the Remote error the fail method returns, with a type name clients may allow.
type failure struct {
	msg     string
	details map[string]string
}

func (f *failure) Error() string                    { return f.msg }
func (f *failure) RemoteType() string               { return failureType }
func (f *failure) RemoteDetails() map[string]string { return f.details }

type (
	addArgs struct {
		A int `json:"a"`
		B int `json:"b"`
	}
	failArgs struct {
		Message string            `json:"message"`
		Details map[string]string `json:"details"`
	}
	slowArgs struct {
		MS    int             `json:"ms"`
		Value json.RawMessage `json:"value"`
	}
	keyArgs struct {
		Key string `json:"key"`
	}
)

// goServer is a Go rpc.Server with the methods the Python server has (see cases_test.go), and
// what its handlers saw.
type goServer struct {
	srv     *rpc.Server
	startCh chan string // hold, when it begins
	endCh   chan error  // hold and slow's ctx error, when it ends them
	noteCh  chan json.RawMessage

	mu     sync.Mutex
	echoed []string                 // every echo's args
	held   map[string]chan struct{} // hold's key → its release
}

// newGoServer starts a Go server of topic named name with opts.
func newGoServer(name string, opts ...rpc.Option) (*goServer, error) {
	srv, err := rpc.NewServer(rpc.Target{Topic: topic, Server: name, Version: "1.2"}, opts...)
	if err != nil {
		return nil, err
	}
	g := &goServer{srv: srv, startCh: make(chan string, 16), endCh: make(chan error, 16),
		noteCh: make(chan json.RawMessage, 16), held: map[string]chan struct{}{}}
	err = errors.Join(
		rpc.Handle(srv, "echo", func(_ context.Context, a json.RawMessage) (json.RawMessage, error) {
			g.mu.Lock()
			g.echoed = append(g.echoed, string(a))
			g.mu.Unlock()
			return a, nil
		}),
		rpc.Handle(srv, "add", func(_ context.Context, a addArgs) (int, error) { return a.A + a.B, nil }),
		rpc.Handle(srv, "whoami", func(context.Context, any) (string, error) { return name, nil }),
		rpc.Handle(srv, "fail", func(_ context.Context, a failArgs) (any, error) {
			return nil, &failure{a.Message, a.Details}
		}),
		rpc.Handle(srv, "slow", func(ctx context.Context, a slowArgs) (json.RawMessage, error) {
			t := time.NewTimer(time.Duration(a.MS) * time.Millisecond)
			defer t.Stop()
			select {
			case <-t.C:
				return a.Value, nil
			case <-ctx.Done():
				g.endCh <- ctx.Err()
				return nil, ctx.Err()
			}
		}),
		rpc.Handle(srv, "hold", func(ctx context.Context, a keyArgs) (string, error) {
			release := make(chan struct{})
			g.mu.Lock()
			g.held[a.Key] = release
			g.mu.Unlock()
			g.startCh <- "hold"
			select {
			case <-release:
				return a.Key, nil
			case <-ctx.Done():
				g.endCh <- ctx.Err()
				return "", ctx.Err()
			}
		}),
		rpc.Handle(srv, "note", func(_ context.Context, a json.RawMessage) (any, error) {
			g.noteCh <- a
			return nil, nil
		}),
		rpc.Handle(srv, "release", func(_ context.Context, a keyArgs) (any, error) {
			g.release(a.Key)
			return nil, nil
		}),
	)
	if err != nil {
		return nil, err
	}
	return g, srv.Start()
}

// startGoServer runs a Go server in the test; the test's cleanup stops it.
func startGoServer(t *testing.T, name string, opts ...rpc.Option) *goServer {
	t.Helper()
	g, err := newGoServer(name, opts...)
	must(t, err)
	t.Cleanup(func() {
		if err := g.stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return g
}

// stop releases what a failed test left held (Stop would wait for it), then stops the server.
func (g *goServer) stop() error {
	g.mu.Lock()
	for k := range g.held {
		close(g.held[k])
		delete(g.held, k)
	}
	g.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
	defer cancel()
	return g.srv.Stop(ctx)
}

func (g *goServer) release(key string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if c := g.held[key]; c != nil {
		close(c)
		delete(g.held, key)
	}
}

func (g *goServer) started(t *testing.T, method string) {
	t.Helper()
	if got := wait(t, "handler start", g.startCh); got != method {
		t.Fatalf("%s began, want %s", got, method)
	}
}

func (g *goServer) cancelled(t *testing.T) {
	t.Helper()
	if err := wait(t, "handler end", g.endCh); err != context.Canceled {
		t.Fatalf("handler's ctx ended with %v, want %v", err, context.Canceled)
	}
}

func (g *goServer) expired(t *testing.T) {
	t.Helper()
	if err := wait(t, "handler end", g.endCh); err != context.DeadlineExceeded {
		t.Fatalf("handler's ctx ended with %v, want %v", err, context.DeadlineExceeded)
	}
}

func (g *goServer) noted(t *testing.T) string {
	t.Helper()
	return string(wait(t, "note", g.noteCh))
}

// ran: the handler records before it returns, so before the reply.
func (g *goServer) ran(t *testing.T, id uint64, method, args string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Contains(g.echoed, args)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wait[T any](t *testing.T, what string, c <-chan T) T {
	t.Helper()
	timer := time.NewTimer(ioTimeout)
	defer timer.Stop()
	select {
	case v := <-c:
		return v
	case <-timer.C:
		t.Fatalf("no %s within %v", what, ioTimeout)
		panic("unreachable")
	}
}
