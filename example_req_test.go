package zmq_test

import (
	"context"
	"fmt"
	"time"

	zmq "github.com/purezmq/zmq"
)

// A REQ waits for its reply before it may send again. With REQ_RELAXED it may give up on a
// reply and send anew, and REQ_CORRELATE makes sure a late reply to the abandoned request is
// not taken for the new one's: each request carries an id that its reply must echo.
func ExampleWithReqRelaxed() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	server, _ := zmq.NewSocket(zmq.ROUTER)
	defer server.Close()
	server.Bind("inproc://example-relaxed")
	client, _ := zmq.NewSocket(zmq.REQ, zmq.WithReqRelaxed(true), zmq.WithReqCorrelate(true))
	defer client.Close()
	client.Connect("inproc://example-relaxed")

	client.Send(ctx, zmq.NewMsgString("first"))
	first, _ := server.Recv(ctx)                 // [routing id, request id, "", "first"]
	client.Send(ctx, zmq.NewMsgString("second")) // no reply came: ask again
	second, _ := server.Recv(ctx)

	// Both replies go back, the stale one first; the client takes only the one it waits for.
	for _, req := range []zmq.Msg{first, second} {
		envelope, _ := req.PopEnvelope()
		reply := zmq.NewMsgString("re: " + string(req.Frames[0]))
		reply.PushEnvelope(envelope...)
		server.Send(ctx, reply)
	}
	m, _ := client.Recv(ctx)
	fmt.Printf("%s\n", m.Frames[0])
	// Output: re: second
}

// METADATA adds properties to a socket's handshake, which its peers read from each message
// with Msg.Property, as they read the socket type and routing id.
func ExampleWithMetadata() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	server, _ := zmq.NewSocket(zmq.PULL)
	defer server.Close()
	server.Bind("tcp://127.0.0.1:*") // inproc peers carry no properties
	client, _ := zmq.NewSocket(zmq.PUSH, zmq.WithMetadata("X-Region", "eu-west"))
	defer client.Close()
	client.Connect(server.LastEndpoint())

	client.Send(ctx, zmq.NewMsgString("hello"))
	m, _ := server.Recv(ctx)
	region, _ := m.Property("X-Region")
	socketType, _ := m.Property("Socket-Type")
	fmt.Println(region, socketType)
	// Output: eu-west PUSH
}
