package main

import (
	"context"
	"fmt"
	"io"

	"github.com/purezmq/zmq"
)

// client connects a REQ socket and sends n requests, printing each reply. REQ enforces the
// turn-taking: a second Send before the Recv fails with zmq.ErrState (libzmq's EFSM).
func client(ctx context.Context, endpoint string, n int, out io.Writer) error {
	req, err := zmq.NewSocket(zmq.REQ)
	if err != nil {
		return err
	}
	defer req.Close()
	if err := req.Connect(endpoint); err != nil {
		return err
	}
	for i := range n {
		if err := req.Send(ctx, zmq.NewMsgString("Hello")); err != nil {
			return err
		}
		reply, err := req.Recv(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%d %s\n", i, reply.Frames[0])
	}
	return nil
}
