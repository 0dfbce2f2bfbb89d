package zmq_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"log"
	"time"

	zmq "github.com/purezmq/zmq"
)

// A queue device: clients' REQs connect to the proxy's ROUTER, workers' REPs to its DEALER, and
// neither side knows how many of the other there are. The REQ/REP envelope travels through
// the proxy untouched, so each reply finds its way back.
func ExampleProxy() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	frontend, _ := zmq.NewSocket(zmq.ROUTER)
	defer frontend.Close()
	frontend.Bind("inproc://example-proxy-clients")
	backend, _ := zmq.NewSocket(zmq.DEALER)
	defer backend.Close()
	backend.Bind("inproc://example-proxy-workers")

	proxyCtx, stopProxy := context.WithCancel(ctx)
	proxied := make(chan error, 1)
	go func() { proxied <- zmq.Proxy(proxyCtx, frontend, backend, nil) }()

	worker, _ := zmq.NewSocket(zmq.REP)
	defer worker.Close()
	worker.Connect("inproc://example-proxy-workers")
	go func() {
		for {
			m, err := worker.Recv(ctx)
			if err != nil {
				return // closed
			}
			worker.Send(ctx, zmq.NewMsgString(string(m.Frames[0])+" done"))
		}
	}()

	client, _ := zmq.NewSocket(zmq.REQ)
	defer client.Close()
	client.Connect("inproc://example-proxy-clients")
	for _, job := range []string{"job 1", "job 2"} {
		client.Send(ctx, zmq.NewMsgString(job))
		reply, err := client.Recv(ctx)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s\n", reply.Frames[0])
	}

	stopProxy()
	fmt.Println(<-proxied) // the ctx's error: it was cancelled
	// Output:
	// job 1 done
	// job 2 done
	// context canceled
}

// A streamer (PULL in, PUSH out) run by SteerableProxy: a REP control socket asks it for
// statistics and then tells it to end.
func ExampleSteerableProxy() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	in, _ := zmq.NewSocket(zmq.PULL)
	defer in.Close()
	in.Bind("inproc://example-steerable-in")
	out, _ := zmq.NewSocket(zmq.PUSH)
	defer out.Close()
	out.Bind("inproc://example-steerable-out")
	control, _ := zmq.NewSocket(zmq.REP)
	defer control.Close()
	control.Bind("inproc://example-steerable-control")

	proxied := make(chan error, 1)
	go func() { proxied <- zmq.SteerableProxy(ctx, in, out, nil, control) }()

	producer, _ := zmq.NewSocket(zmq.PUSH)
	defer producer.Close()
	producer.Connect("inproc://example-steerable-in")
	consumer, _ := zmq.NewSocket(zmq.PULL)
	defer consumer.Close()
	consumer.Connect("inproc://example-steerable-out")
	for i := 1; i <= 3; i++ {
		producer.Send(ctx, zmq.NewMsgString(fmt.Sprint("task ", i)))
	}
	for range 3 {
		m, err := consumer.Recv(ctx)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s\n", m.Frames[0])
	}

	steer, _ := zmq.NewSocket(zmq.REQ)
	defer steer.Close()
	steer.Connect("inproc://example-steerable-control")
	steer.Send(ctx, zmq.NewMsgString("STATISTICS"))
	stats, _ := steer.Recv(ctx) // 8 little-endian uint64s: frontend in, then backend
	fmt.Println("frontend received", binary.LittleEndian.Uint64(stats.Frames[0]), "messages")
	fmt.Println("backend sent", binary.LittleEndian.Uint64(stats.Frames[6]), "messages")

	steer.Send(ctx, zmq.NewMsgString("TERMINATE"))
	steer.Recv(ctx)
	fmt.Println(<-proxied)
	// Output:
	// task 1
	// task 2
	// task 3
	// frontend received 3 messages
	// backend sent 3 messages
	// <nil>
}
