package zmq_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	zmq "github.com/purezmq/zmq"
)

// Errors are sentinels named after libzmq's errno values, tested with errors.Is. The ctx of a
// call is its timeout: one that is already done makes Recv and Send non-blocking (DONTWAIT).
func ExampleSocket_Recv() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	rep, _ := zmq.NewSocket(zmq.REP)
	rep.Bind("inproc://example-errors")

	// Nothing queued, and no wait: EAGAIN, which also matches the ctx's own error.
	now, stop := context.WithCancel(ctx)
	stop()
	_, err := rep.Recv(now)
	fmt.Println(errors.Is(err, zmq.ErrAgain), errors.Is(err, context.Canceled))

	// A deadline that passes is EAGAIN too, matching context.DeadlineExceeded.
	short, stop := context.WithTimeout(ctx, time.Millisecond)
	_, err = rep.Recv(short)
	stop()
	fmt.Println(errors.Is(err, zmq.ErrAgain), errors.Is(err, context.DeadlineExceeded))

	// REP must receive before it replies: EFSM.
	err = rep.Send(ctx, zmq.NewMsgString("unasked"))
	fmt.Println(errors.Is(err, zmq.ErrState))

	// Endpoint errors come as *OpError naming the operation and the endpoint.
	err = rep.Bind("tcp//127.0.0.1:5555")
	var op *zmq.OpError
	fmt.Println(errors.Is(err, zmq.ErrEndpoint), errors.As(err, &op))
	err = rep.Connect("pgm://eth0;239.192.1.1:5555")
	fmt.Println(errors.Is(err, zmq.ErrTransportNotSupported))

	// A closed socket is ENOTSOCK, which is also net.ErrClosed.
	rep.Close()
	_, err = rep.Recv(ctx)
	fmt.Println(errors.Is(err, zmq.ErrClosed), errors.Is(err, net.ErrClosed))
	// Output:
	// true true
	// true true
	// true
	// true true
	// true
	// true true
}

// Messages are multipart: Send and Recv move all frames together. A ROUTER receives a REQ's
// message behind its routing envelope (the peer's id and an empty delimiter); PopEnvelope
// takes it off, PushEnvelope puts it back on the reply.
func ExampleMsg_PopEnvelope() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	router, _ := zmq.NewSocket(zmq.ROUTER)
	defer router.Close()
	router.Bind("inproc://example-envelope")
	req, _ := zmq.NewSocket(zmq.REQ, zmq.WithRoutingID([]byte("client-7")))
	defer req.Close()
	req.Connect("inproc://example-envelope")

	req.Send(ctx, zmq.NewMsgString("GET", "/weather", "paris"))
	m, _ := router.Recv(ctx)
	fmt.Println(m.Len(), "frames:", m)
	envelope, _ := m.PopEnvelope()
	fmt.Printf("from %s: %v\n", envelope[0], m)

	reply := zmq.NewMsgString("200", "21C")
	reply.PushEnvelope(envelope...)
	router.Send(ctx, reply)
	r, _ := req.Recv(ctx)
	fmt.Println(r)
	// Output:
	// 5 frames: ["client-7" "" "GET" "/weather" "paris"]
	// from client-7: ["GET" "/weather" "paris"]
	// ["200" "21C"]
}
