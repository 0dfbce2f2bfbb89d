package zmq_test

import (
	"context"
	"fmt"
	"time"

	zmq "github.com/purezmq/zmq"
)

// Poller.Channel puts sockets in a select beside other channels. Each result is ready now: the
// Recv after it does not block. Done asks for the next result.
func ExamplePoller_Channel() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	pull, _ := zmq.NewSocket(zmq.PULL)
	defer pull.Close()
	pull.Bind("inproc://example-poller-channel")
	push, _ := zmq.NewSocket(zmq.PUSH)
	defer push.Close()
	push.Connect("inproc://example-poller-channel")
	for i := 1; i <= 3; i++ {
		push.Send(ctx, zmq.NewMsgString(fmt.Sprint("job ", i)))
	}

	p := zmq.NewPoller()
	p.Add(pull, zmq.PollIn)
	events := p.Channel(ctx)
	for n := 0; n < 3; {
		select {
		case r, ok := <-events:
			if !ok {
				return // ctx ended or the socket closed
			}
			for _, it := range r.Polled {
				m, _ := it.Socket.Recv(ctx)
				fmt.Println(string(m.Frames[0]))
				n++
			}
			r.Done()
		case <-ctx.Done(): // other channels go here too
			return
		}
	}
	// Output:
	// job 1
	// job 2
	// job 3
}
