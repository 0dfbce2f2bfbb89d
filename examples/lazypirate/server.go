package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/purezmq/zmq"
)

// server binds a REP socket and echoes every request until ctx ends, printing "ready ENDPOINT"
// once bound, then "received SEQ" per request. With crash > 0 it answers that many requests
// and then dies on the next one without answering, printing "crash SEQ": the client sees only
// silence, as from a server that crashed or hung.
func server(ctx context.Context, endpoint string, crash int, out io.Writer) error {
	rep, err := zmq.NewSocket(zmq.REP)
	if err != nil {
		return err
	}
	defer rep.Close()
	if err := rep.Bind(endpoint); err != nil {
		return err
	}
	fmt.Fprintln(out, "ready", rep.LastEndpoint())
	for answered := 0; ; answered++ {
		req, err := rep.Recv(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil // stopped
			}
			return err
		}
		if crash > 0 && answered == crash {
			fmt.Fprintf(out, "crash %s\n", req.Frames[0])
			return nil
		}
		fmt.Fprintf(out, "received %s\n", req.Frames[0])
		if err := rep.Send(ctx, req); err != nil && !errors.Is(err, ctx.Err()) {
			return err
		}
	}
}
