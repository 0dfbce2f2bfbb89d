package main

import (
	"context"
	"fmt"
	"io"

	"github.com/purezmq/zmq"
)

// subscriber connects a SUB socket to the proxy, subscribes to topics and prints each message
// it receives, n of them (0: until ctx ends).
func subscriber(ctx context.Context, endpoint string, topics []string, n int, out io.Writer) error {
	sub, err := zmq.NewSocket(zmq.SUB)
	if err != nil {
		return err
	}
	defer sub.Close()
	for _, t := range topics {
		if err := sub.Subscribe([]byte(t)); err != nil {
			return err
		}
	}
	if err := sub.Connect(endpoint); err != nil {
		return err
	}
	for i := 0; n == 0 || i < n; i++ {
		msg, err := sub.Recv(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil // stopped
			}
			return err
		}
		fmt.Fprintf(out, "%s\n", msg.Frames[0])
	}
	return nil
}
