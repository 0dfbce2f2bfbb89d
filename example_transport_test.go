package zmq_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	zmq "github.com/purezmq/zmq"
)

// Transport options shape each tcp connection a socket makes or accepts: keepalive probes
// that find a dead peer behind an idle connection (and keep NAT entries alive), the IP
// type-of-service byte, how long unacknowledged data may wait, the listen backlog, IPv6.
// They apply from the next Bind or Connect.
func ExampleWithTCPKeepalive() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	server, err := zmq.NewSocket(zmq.REP,
		zmq.WithTCPKeepalive(1), // -1 the system's default, 0 off, 1 on
		zmq.WithTCPKeepaliveIdle(30*time.Second),
		zmq.WithTCPKeepaliveIntvl(5*time.Second),
		zmq.WithTCPKeepaliveCnt(3),
		zmq.WithTOS(0x10),
		zmq.WithTCPMaxRT(20*time.Second),
		zmq.WithBacklog(512),
		zmq.WithIPv6(true)) // "*" binds both families
	if err != nil {
		log.Fatal(err)
	}
	defer server.Close()
	server.Bind("tcp://127.0.0.1:*")
	client, _ := zmq.NewSocket(zmq.REQ, zmq.WithTCPKeepalive(1))
	defer client.Close()
	client.Connect(server.LastEndpoint())

	client.Send(ctx, zmq.NewMsgString("ping"))
	m, _ := server.Recv(ctx)
	server.Send(ctx, zmq.NewMsgString("pong"))
	r, _ := client.Recv(ctx)
	fmt.Printf("%s %s\n", m.Frames[0], r.Frames[0])
	for _, id := range []zmq.OptionID{zmq.OptTCPKeepalive, zmq.OptTCPKeepaliveIdle, zmq.OptTOS, zmq.OptIPv6} {
		v, _ := server.Option(id)
		fmt.Println(id, v)
	}
	// Output:
	// ping pong
	// TCP_KEEPALIVE 1
	// TCP_KEEPALIVE_IDLE 30s
	// TOS 16
	// IPV6 true
}

// MAXMSGSIZE protects a socket facing untrusted peers: a peer that sends a bigger message is
// disconnected, and the monitor says why.
func ExampleWithMaxMsgSize() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	server, _ := zmq.NewSocket(zmq.PULL, zmq.WithMaxMsgSize(1024))
	defer server.Close()
	events, stop := server.Monitor(zmq.EventDisconnected)
	defer stop()
	server.Bind("tcp://127.0.0.1:*")

	client, _ := zmq.NewSocket(zmq.PUSH)
	defer client.Close()
	client.Connect(server.LastEndpoint())
	client.Send(ctx, zmq.NewMsg(make([]byte, 4096)))

	e := <-events
	fmt.Println(e.Type, errors.Is(e.Err, zmq.ErrMsgTooLarge))
	// Output: DISCONNECTED true
}
