package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/purezmq/zmq"
)

// worker connects a REP socket to the broker's backend and answers each request "Hello X"
// with "World X" until ctx ends, printing "received Hello X" for each. It never sees the
// client's envelope: REP keeps it and puts it back on the reply.
func worker(ctx context.Context, endpoint string, out io.Writer) error {
	rep, err := zmq.NewSocket(zmq.REP)
	if err != nil {
		return err
	}
	defer rep.Close()
	if err := rep.Connect(endpoint); err != nil {
		return err
	}
	for {
		req, err := rep.Recv(ctx)
		if err != nil {
			return stopped(ctx, err)
		}
		fmt.Fprintf(out, "received %s\n", req.Frames[0])
		reply := "World" + strings.TrimPrefix(string(req.Frames[0]), "Hello")
		if err := rep.Send(ctx, zmq.NewMsgString(reply)); err != nil {
			return stopped(ctx, err)
		}
	}
}
