package main

import (
	"context"
	"fmt"
	"io"

	"github.com/purezmq/zmq"
)

// client connects a REQ socket to the broker's frontend and sends n requests "Hello NAME I",
// one at a time, printing each reply ("World NAME I" from this example's worker).
func client(ctx context.Context, endpoint, name string, n int, out io.Writer) error {
	req, err := zmq.NewSocket(zmq.REQ)
	if err != nil {
		return err
	}
	defer req.Close()
	if err := req.Connect(endpoint); err != nil {
		return err
	}
	for i := range n {
		if err := req.Send(ctx, zmq.NewMsgString(fmt.Sprint("Hello ", name, " ", i))); err != nil {
			return err
		}
		reply, err := req.Recv(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s\n", reply.Frames[0])
	}
	return nil
}
