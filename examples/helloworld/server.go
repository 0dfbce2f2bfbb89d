package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/purezmq/zmq"
)

// server binds a REP socket and answers every request with "World" until ctx ends. It prints
// "ready ENDPOINT" once bound (the port chosen for tcp://...:*), then each request it receives.
func server(ctx context.Context, endpoint string, out io.Writer) error {
	rep, err := zmq.NewSocket(zmq.REP)
	if err != nil {
		return err
	}
	defer rep.Close()
	if err := rep.Bind(endpoint); err != nil {
		return err
	}
	fmt.Fprintln(out, "ready", rep.LastEndpoint())
	for {
		req, err := rep.Recv(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil // stopped
			}
			return err
		}
		fmt.Fprintf(out, "received %s\n", req.Frames[0])
		if err := rep.Send(ctx, zmq.NewMsgString("World")); err != nil && !errors.Is(err, ctx.Err()) {
			return err
		}
	}
}
