package zmq_test

import (
	"context"
	"fmt"
	"log"
	"time"

	zmq "github.com/purezmq/zmq"
)

// PAIR joins exactly two sockets, both ways, with no routing: a signal between two goroutines
// of one program, usually over inproc.
func Example_pair() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	main, err := zmq.NewSocket(zmq.PAIR)
	if err != nil {
		log.Fatal(err)
	}
	defer main.Close()
	if err := main.Bind("inproc://example-pair"); err != nil {
		log.Fatal(err)
	}

	worker, _ := zmq.NewSocket(zmq.PAIR)
	defer worker.Close()
	worker.Connect("inproc://example-pair")
	go func() {
		m, err := worker.Recv(ctx)
		if err != nil {
			return // closed
		}
		worker.Send(ctx, zmq.NewMsgString("done: "+string(m.Frames[0])))
	}()

	main.Send(ctx, zmq.NewMsgString("step 1"))
	reply, _ := main.Recv(ctx)
	fmt.Printf("%s\n", reply.Frames[0])
	// Output: done: step 1
}
