package rpc_test

import (
	"context"
	"fmt"
	"time"

	"github.com/purezmq/zmq/rpc"
)

type AddArgs struct{ A, B int }

func Example() {
	srv, err := rpc.NewServer(rpc.Target{Topic: "calc", Server: "host1"}) // tcp://127.0.0.1:*
	if err != nil {
		panic(err)
	}
	_ = rpc.Handle(srv, "add", func(ctx context.Context, a AddArgs) (int, error) { return a.A + a.B, nil })
	if err := srv.Start(); err != nil {
		panic(err)
	}
	defer srv.Stop(context.Background())

	cl, err := rpc.NewClient(rpc.Target{Topic: "calc"}, rpc.WithEndpoint(srv.Endpoint()), rpc.WithTimeout(5*time.Second))
	if err != nil {
		panic(err)
	}
	defer cl.Close()
	var sum int
	err = cl.Call(context.Background(), "add", AddArgs{A: 2, B: 3}, &sum)
	fmt.Println(sum, err)
	err = cl.Call(context.Background(), "sub", AddArgs{}, &sum)
	fmt.Println(rpc.CodeOf(err), err)
	// Output:
	// 5 <nil>
	// NotFound rpc: NotFound: no method "sub" in namespace ""
}
