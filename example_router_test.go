package zmq_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	zmq "github.com/purezmq/zmq"
)

// By default a ROUTER drops a message for a routing id it does not know; with ROUTER_MANDATORY
// the Send fails with ErrHostUnreachable, so the application can tell.
func ExampleWithRouterMandatory() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	router, _ := zmq.NewSocket(zmq.ROUTER, zmq.WithRouterMandatory(true))
	defer router.Close()
	router.Bind("inproc://example-mandatory")

	err := router.Send(ctx, zmq.NewMsgString("nobody", "hello"))
	fmt.Println(errors.Is(err, zmq.ErrHostUnreachable))
	// Output: true
}

// ROUTER_NOTIFY tells a ROUTER of each peer's arrival and departure as [routing id, ""]: a
// broker learns of its workers without waiting for their first message.
func ExampleWithRouterNotify() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	router, _ := zmq.NewSocket(zmq.ROUTER, zmq.WithRouterNotify(zmq.NotifyConnect|zmq.NotifyDisconnect))
	defer router.Close()
	router.Bind("tcp://127.0.0.1:*") // the connection sends them: not over inproc

	worker, _ := zmq.NewSocket(zmq.DEALER, zmq.WithRoutingID([]byte("worker-1")))
	worker.Connect(router.LastEndpoint())
	m, _ := router.Recv(ctx)
	fmt.Println("arrived:", m)
	worker.Close()
	m, _ = router.Recv(ctx)
	fmt.Println("left:", m)
	// Output:
	// arrived: ["worker-1" ""]
	// left: ["worker-1" ""]
}

// PROBE_ROUTER makes a DEALER (or ROUTER) send an empty message to each new peer, so a
// ROUTER learns its routing id at once.
func ExampleWithProbeRouter() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	router, _ := zmq.NewSocket(zmq.ROUTER)
	defer router.Close()
	router.Bind("inproc://example-probe")
	dealer, _ := zmq.NewSocket(zmq.DEALER, zmq.WithProbeRouter(true), zmq.WithRoutingID([]byte("d1")))
	defer dealer.Close()
	dealer.Connect("inproc://example-probe")

	m, _ := router.Recv(ctx)
	fmt.Println(m)
	// Output: ["d1" ""]
}

// A ROUTER that connects names its peer itself with CONNECT_ROUTING_ID, and can send to it
// before the connection is up: the message waits in the queue.
func ExampleSocket_SetConnectRoutingID() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	server, _ := zmq.NewSocket(zmq.DEALER)
	defer server.Close()
	server.Bind("tcp://127.0.0.1:*")

	router, _ := zmq.NewSocket(zmq.ROUTER, zmq.WithRouterMandatory(true))
	defer router.Close()
	router.SetConnectRoutingID([]byte("server-a"))
	router.Connect(server.LastEndpoint())
	if err := router.Send(ctx, zmq.NewMsgString("server-a", "hello")); err != nil {
		fmt.Println(err)
	}

	m, _ := server.Recv(ctx)
	fmt.Println(m)
	// Output: ["hello"]
}
