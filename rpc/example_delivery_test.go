package rpc_test

import (
	"context"
	"fmt"
	"time"

	"github.com/purezmq/zmq/rpc"
)

// At-least-once calls, a call monitor and a trace context. Servers of one target share their
// dedup store through Redis with rpc.WithDedup(redisdedup.New(...), window); this one keeps
// its own in memory (the default).
func Example_atLeastOnce() {
	srv, err := rpc.NewServer(rpc.Target{Topic: "orders"}, rpc.WithDedupLease(2*time.Second))
	if err != nil {
		panic(err)
	}
	_ = rpc.Handle(srv, "place", func(ctx context.Context, item string) (string, error) {
		traceparent, _, _ := rpc.TraceFromContext(ctx) // the caller's, to log or to trace with
		return "placed " + item + " in trace " + traceparent[3:35], nil
	})
	if err := srv.Start(); err != nil {
		panic(err)
	}
	defer srv.Stop(context.Background())

	cl, err := rpc.NewClient(rpc.Target{Topic: "orders"}, rpc.WithEndpoint(srv.Endpoint()),
		rpc.WithDelivery(rpc.AtLeastOnce),  // retried on Unavailable, run once per window
		rpc.WithCallMonitor(3*time.Second), // a server silent for 3 s fails the call
		rpc.WithHeartbeat(time.Second, 3),  // connections silent for 3 s are dropped
		rpc.WithMaxInFlight(1000))          // beyond: ResourceExhausted at once
	if err != nil {
		panic(err)
	}
	defer cl.Close()
	ctx := rpc.ContextWithTrace(context.Background(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "")
	var r string
	err = cl.Call(ctx, "place", "book", &r)
	fmt.Println(r, err)
	// Output:
	// placed book in trace 4bf92f3577b34da6a3ce929d0e0e4736 <nil>
}
