package zmq_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	zmq "github.com/purezmq/zmq"
)

// SNDHWM bounds what a socket queues for a peer. A connect side queues from Connect on, before
// the peer exists; once the queue is full a Send with a done ctx fails with ErrAgain instead of
// waiting for room.
func ExampleWithSendHWM() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	push, _ := zmq.NewSocket(zmq.PUSH, zmq.WithSendHWM(2))
	defer push.Close()
	push.Connect("inproc://example-hwm") // nobody has bound it yet

	now, stop := context.WithCancel(ctx)
	stop()
	for i := 1; i <= 3; i++ {
		err := push.Send(now, zmq.NewMsgString(fmt.Sprint("update ", i)))
		fmt.Printf("update %d queued: %v\n", i, !errors.Is(err, zmq.ErrAgain))
	}

	pull, _ := zmq.NewSocket(zmq.PULL)
	defer pull.Close()
	pull.Bind("inproc://example-hwm")
	for range 2 {
		m, _ := pull.Recv(ctx)
		fmt.Printf("%s\n", m.Frames[0])
	}
	// Output:
	// update 1 queued: true
	// update 2 queued: true
	// update 3 queued: false
	// update 1
	// update 2
}

// Close returns at once; what the socket had queued keeps going out in the background for up
// to its LINGER, even to a peer that comes later. Context.Close waits for that.
func ExampleWithLinger() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	dir, err := os.MkdirTemp("", "example-linger")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	endpoint := "ipc://" + filepath.Join(dir, "sink")

	zctx := zmq.NewContext()
	push, _ := zctx.NewSocket(zmq.PUSH, zmq.WithLinger(time.Minute))
	push.Connect(endpoint)
	push.Send(ctx, zmq.NewMsgString("last words"))
	push.Close()

	pull, _ := zmq.NewSocket(zmq.PULL)
	defer pull.Close()
	pull.Bind(endpoint)
	m, _ := pull.Recv(ctx)
	fmt.Printf("%s\n", m.Frames[0])
	fmt.Println(zctx.Close()) // nothing left to linger for: returns at once
	// Output:
	// last words
	// <nil>
}

// A connect side retries in the background while the peer is away, every RECONNECT_IVL
// (doubling up to RECONNECT_IVL_MAX when that is set); its monitor reports each retry.
func ExampleWithReconnectIvl() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	dir, err := os.MkdirTemp("", "example-reconnect")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	endpoint := "ipc://" + filepath.Join(dir, "server")

	client, _ := zmq.NewSocket(zmq.DEALER,
		zmq.WithReconnectIvl(20*time.Millisecond), zmq.WithReconnectIvlMax(time.Second))
	defer client.Close()
	events, stop := client.Monitor(zmq.EventConnectRetried | zmq.EventHandshakeSucceeded)
	defer stop()
	client.Connect(endpoint) // nobody there yet

	e := <-events
	fmt.Println(e.Type, e.Value, "ms")

	server, _ := zmq.NewSocket(zmq.ROUTER)
	defer server.Close()
	server.Bind(endpoint)
	for e := range events {
		if e.Type == zmq.EventHandshakeSucceeded {
			fmt.Println(e.Type)
			break
		}
	}
	client.Send(ctx, zmq.NewMsgString("here"))
	m, _ := server.Recv(ctx)
	fmt.Printf("%s\n", m.Frames[1])
	// Output:
	// CONNECT_RETRIED 20 ms
	// HANDSHAKE_SUCCEEDED
	// here
}

// Heartbeats (ZMTP 3.1 PING/PONG) find a peer that went silent without closing, a dead host or
// a cut cable, and drop the connection (a connect side then reconnects). They cost nothing
// while messages flow.
func ExampleWithHeartbeatIvl() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	server, _ := zmq.NewSocket(zmq.ROUTER,
		zmq.WithHeartbeatIvl(time.Second),       // PING every second of quiet
		zmq.WithHeartbeatTimeout(3*time.Second), // no answer for 3 s: drop the connection
		zmq.WithHeartbeatTTL(10*time.Second))    // the peer may drop us after 10 s of silence
	defer server.Close()
	server.Bind("tcp://127.0.0.1:*")
	client, _ := zmq.NewSocket(zmq.DEALER, zmq.WithHeartbeatIvl(time.Second))
	defer client.Close()
	client.Connect(server.LastEndpoint())

	client.Send(ctx, zmq.NewMsgString("ping"))
	m, _ := server.Recv(ctx)
	fmt.Printf("%s\n", m.Frames[1])
	for _, id := range []zmq.OptionID{zmq.OptHeartbeatIvl, zmq.OptHeartbeatTimeout, zmq.OptHeartbeatTTL} {
		v, _ := server.Option(id)
		fmt.Println(id, v)
	}
	// Output:
	// ping
	// HEARTBEAT_IVL 1s
	// HEARTBEAT_TIMEOUT 3s
	// HEARTBEAT_TTL 10s
}

// Options can change on an open socket, typed with SetOptions or by libzmq name and number
// with LookupOption and SetOption, and be read back with Option or a typed getter. Most apply
// from the next Bind or Connect.
func ExampleSocket_SetOption() {
	s, _ := zmq.NewSocket(zmq.DEALER)
	defer s.Close()

	id, ok := zmq.LookupOption("ZMQ_SNDHWM")
	fmt.Println(id, int(id), ok)
	if err := s.SetOption(id, 50); err != nil {
		log.Fatal(err)
	}
	if err := s.SetOptions(zmq.WithLinger(0), zmq.WithRoutingID([]byte("dealer-1"))); err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.SendHWM(), s.Linger(), string(s.RoutingID()))

	identity, _ := zmq.LookupOption("IDENTITY") // libzmq's old names work too
	v, _ := s.Option(identity)
	fmt.Printf("%v %s\n", identity, v)

	err := s.SetOption(zmq.OptXPubVerbose, true) // an XPUB option on a DEALER
	fmt.Println(errors.Is(err, zmq.ErrOption))
	// Output:
	// SNDHWM 23 true
	// 50 0s dealer-1
	// ROUTING_ID dealer-1
	// true
}
