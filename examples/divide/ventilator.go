package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/purezmq/zmq"
)

// ventilator binds a PUSH socket for the workers and prints "ready ENDPOINT". Once `workers`
// workers are connected it tells the sink how many tasks make the batch ("batch N"), sends n
// tasks "ID MILLISECONDS" (the work each one simulates: 1 ms up to maxWork) and prints
// "sent N tasks".
//
// The guide's ventilator waits for the user to press Enter once the workers have started. It
// matters: PUSH deals tasks round-robin among the workers connected when it sends, so the
// first worker to connect would get the whole batch. This one watches its own connections
// (a monitor's HANDSHAKE_SUCCEEDED events) and starts when the workers are there.
func ventilator(ctx context.Context, endpoint, sinkEndpoint string, n, workers int, maxWork time.Duration, out io.Writer) error {
	push, err := zmq.NewSocket(zmq.PUSH)
	if err != nil {
		return err
	}
	defer push.Close()
	events, stop := push.Monitor(zmq.EventHandshakeSucceeded | zmq.EventDisconnected)
	defer stop()
	if err := push.Bind(endpoint); err != nil {
		return err
	}
	fmt.Fprintln(out, "ready", push.LastEndpoint())
	for connected := 0; connected < workers; {
		select {
		case e := <-events:
			switch e.Type {
			case zmq.EventHandshakeSucceeded:
				connected++
			case zmq.EventDisconnected:
				connected--
			}
		case <-ctx.Done():
			return nil // stopped
		}
	}
	stop()
	fmt.Fprintln(out, workers, "workers connected")

	sink, err := zmq.NewSocket(zmq.PUSH)
	if err != nil {
		return err
	}
	defer sink.Close()
	if err := sink.Connect(sinkEndpoint); err != nil {
		return err
	}
	if err := sink.Send(ctx, zmq.NewMsgString(fmt.Sprint("batch ", n))); err != nil {
		return stopped(ctx, err)
	}
	for id := range n {
		ms := 1 + rand.Int64N(maxWork.Milliseconds())
		if err := push.Send(ctx, zmq.NewMsgString(fmt.Sprint(id, " ", ms))); err != nil {
			return stopped(ctx, err)
		}
	}
	fmt.Fprintln(out, "sent", n, "tasks")
	return nil
}

// stopped is err, or nil when it came from ctx ending: the role was stopped.
func stopped(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}
