package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/purezmq/zmq"
)

// worker connects a REQ socket to the queue's backend as id, says ready, then echoes each
// request it is handed, printing "work SEQ". With crash > 0 it answers that many and dies on
// the next one, printing "crash SEQ": the request it held is lost, the queue is not told.
func worker(ctx context.Context, endpoint, id string, crash int, out io.Writer) error {
	req, err := zmq.NewSocket(zmq.REQ, zmq.WithRoutingID([]byte(id)))
	if err != nil {
		return err
	}
	defer req.Close()
	if err := req.Connect(endpoint); err != nil {
		return err
	}
	// REQ's turn-taking suits a worker: "ready" and each reply ask for the next request.
	msg := zmq.NewMsgString(frameReady)
	for answered := 0; ; answered++ {
		if err := req.Send(ctx, msg); err != nil {
			if ctx.Err() != nil {
				return nil // stopped
			}
			return err
		}
		if msg, err = req.Recv(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		// [client, "", request]: the reply goes back with the same envelope.
		if len(msg.Frames) != 3 {
			return fmt.Errorf("%w: %v", errBadRequest, msg)
		}
		body := msg.Frames[2]
		if crash > 0 && answered == crash {
			fmt.Fprintf(out, "crash %s\n", body)
			return nil
		}
		fmt.Fprintf(out, "work %s\n", body)
	}
}

// errBadRequest is a request from the queue that is not [client, "", request].
var errBadRequest = errors.New("bad request from the queue")
