package zmq_test

import (
	"context"
	"fmt"
	"log"
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

// Poll waits on several sockets at once, here a job queue and a control channel, as zmq_poll
// does; the Recv after it finds its message queued.
func ExamplePoller_Poll() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	jobs, _ := zmq.NewSocket(zmq.PULL)
	defer jobs.Close()
	jobs.Bind("inproc://example-poll-jobs")
	control, _ := zmq.NewSocket(zmq.SUB)
	defer control.Close()
	control.Subscribe(nil) // everything
	control.Bind("inproc://example-poll-control")

	sender, _ := zmq.NewSocket(zmq.PUSH)
	defer sender.Close()
	sender.Connect("inproc://example-poll-jobs")
	sender.Send(ctx, zmq.NewMsgString("job 1"))
	sender.Send(ctx, zmq.NewMsgString("job 2"))

	p := zmq.NewPoller()
	p.Add(jobs, zmq.PollIn)
	p.Add(control, zmq.PollIn)
	for done := 0; done < 2; {
		polled, err := p.Poll(ctx)
		if err != nil {
			log.Fatal(err)
		}
		for _, it := range polled {
			m, _ := it.Socket.Recv(ctx)
			fmt.Printf("%v: %s\n", it.Socket.Type(), m.Frames[0])
			done++
		}
	}

	// A done ctx makes Poll a check that does not wait: nothing is ready now.
	now, stop := context.WithCancel(ctx)
	stop()
	polled, err := p.Poll(now)
	fmt.Println(len(polled), err)
	// Output:
	// PULL: job 1
	// PULL: job 2
	// 0 context canceled
}
