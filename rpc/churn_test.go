package rpc

import (
	"context"
	"fmt"
	"github.com/purezmq/zmq/rpc/registry"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// 10,000 calls from concurrent callers while servers join and leave through the registry:
// every call succeeds (retrying the ones a leaving server refused), and Close leaves nothing
// behind (TestMain's goleak).
func TestCallsWhileServersChurn(t *testing.T) {
	const (
		callers = 8
		calls   = 10000
		every   = 500 // calls between two changes of the server set
	)
	reg := registry.NewMemory()
	defer reg.Close()
	start := func(i int) (*Server, error) {
		srv, err := NewServer(Target{Topic: "t", Server: fmt.Sprintf("s%d", i)}, WithRegistry(reg))
		if err != nil {
			return nil, err
		}
		if err := Handle(srv, "add", func(_ context.Context, a [2]int) (int, error) { return a[0] + a[1], nil }); err != nil {
			return nil, err
		}
		return srv, srv.Start()
	}
	stop := func(srv *Server) error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return srv.Stop(ctx)
	}
	var servers []*Server
	for i := range 3 {
		srv, err := start(i)
		if err != nil {
			t.Fatal(err)
		}
		servers = append(servers, srv)
	}
	cl, err := NewClient(Target{Topic: "t"}, WithRegistry(reg), WithRetries(20), WithTimeout(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	var done atomic.Int64
	tick := make(chan struct{}, 1)
	finished := make(chan struct{})
	churned := make(chan int)
	go func() { // joins and leaves: one new server, then the oldest stops
		n, next := 0, 3
		defer func() { churned <- n }()
		for {
			select {
			case <-tick:
			case <-finished:
				return
			}
			srv, err := start(next)
			if err != nil {
				t.Error(err)
				return
			}
			next++
			servers = append(servers, srv)
			if err := stop(servers[0]); err != nil {
				t.Error(err)
				return
			}
			servers = servers[1:]
			n++
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for c := range callers {
		wg.Go(func() {
			for i := range calls / callers {
				var sum int
				if err := cl.Call(ctx, "add", [2]int{c, i}, &sum); err != nil || sum != c+i {
					errs <- fmt.Errorf("caller %d call %d: %d, %v", c, i, sum, err)
					return
				}
				if done.Add(1)%every == 0 {
					select {
					case tick <- struct{}{}:
					default:
					}
				}
			}
		})
	}
	wg.Wait()
	close(finished)
	n := <-churned
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := cl.Close(); err != nil {
		t.Error(err)
	}
	for _, srv := range servers {
		if err := stop(srv); err != nil {
			t.Error(err)
		}
	}
	t.Logf("%d calls, %d servers joined and left", done.Load(), n)
	if n == 0 {
		t.Error("no server joined or left during the calls")
	}
}
