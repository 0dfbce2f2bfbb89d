package zmq_test

import (
	"context"
	"fmt"
	"log"
	"time"

	zmq "github.com/purezmq/zmq"
)

func Example_reqRep() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	rep, err := zmq.NewSocket(zmq.REP)
	if err != nil {
		log.Fatal(err)
	}
	defer rep.Close()
	if err := rep.Bind("tcp://127.0.0.1:*"); err != nil {
		log.Fatal(err)
	}
	go func() {
		for {
			req, err := rep.Recv(ctx)
			if err != nil {
				return // closed
			}
			rep.Send(ctx, zmq.NewMsgString("hello, "+string(req.Frames[0])))
		}
	}()

	req, _ := zmq.NewSocket(zmq.REQ)
	defer req.Close()
	req.Connect(rep.LastEndpoint())
	req.Send(ctx, zmq.NewMsgString("world"))
	reply, _ := req.Recv(ctx)
	fmt.Printf("%s\n", reply.Frames[0])
	// Output: hello, world
}

func Example_pushPull() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	pull, _ := zmq.NewSocket(zmq.PULL)
	defer pull.Close()
	pull.Bind("ipc://*")

	// Connect before the sink exists is fine too: messages queue until the connection is up.
	push, _ := zmq.NewSocket(zmq.PUSH, zmq.WithSendHWM(100))
	defer push.Close()
	push.Connect(pull.LastEndpoint())
	for i := 1; i <= 3; i++ {
		push.Send(ctx, zmq.NewMsgString(fmt.Sprint("task ", i)))
	}
	for i := 0; i < 3; i++ {
		m, _ := pull.Recv(ctx)
		fmt.Printf("%s\n", m.Frames[0])
	}
	// Output:
	// task 1
	// task 2
	// task 3
}

func Example_dealerRouter() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	router, _ := zmq.NewSocket(zmq.ROUTER)
	defer router.Close()
	router.Bind("inproc://example-dealer-router")

	dealer, _ := zmq.NewSocket(zmq.DEALER, zmq.WithRoutingID([]byte("worker-1")))
	defer dealer.Close()
	dealer.Connect("inproc://example-dealer-router")
	dealer.Send(ctx, zmq.NewMsgString("ready"))

	// A ROUTER sees who sent each message, and addresses replies the same way.
	m, _ := router.Recv(ctx)
	fmt.Printf("from %s: %s\n", m.Frames[0], m.Frames[1])
	router.Send(ctx, zmq.NewMsg(m.Frames[0], []byte("do this")))

	job, _ := dealer.Recv(ctx)
	fmt.Printf("%s\n", job.Frames[0])
	// Output:
	// from worker-1: ready
	// do this
}

// A receiver of big messages gives each one back once it is done with it: the socket reads
// later frames into that memory instead of allocating afresh.
func ExampleSocket_Recycle() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	pull, _ := zmq.NewSocket(zmq.PULL)
	defer pull.Close()
	pull.Bind("tcp://127.0.0.1:*")
	push, _ := zmq.NewSocket(zmq.PUSH)
	defer push.Close()
	push.Connect(pull.LastEndpoint())

	go func() {
		for i := range 100 {
			frame := make([]byte, 256<<10)
			frame[0] = byte(i)
			push.Send(ctx, zmq.NewMsg(frame))
		}
	}()
	sum := 0
	for range 100 {
		m, err := pull.Recv(ctx)
		if err != nil {
			log.Fatal(err)
		}
		sum += int(m.Frames[0][0])
		pull.Recycle(m) // m must not be used after this
	}
	fmt.Println(sum)
	// Output: 4950
}
