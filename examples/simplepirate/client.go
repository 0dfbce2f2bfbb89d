package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/purezmq/zmq"
)

// errAbandoned is the client giving up: a request went unanswered on every try.
var errAbandoned = errors.New("server offline: request abandoned")

// retry is the client's patience: how long it waits for a reply, and how often it tries.
type retry struct {
	timeout time.Duration
	retries int
}

// client is lazy pirate's (../lazypirate), repeated so that this example stands alone. It
// sends n requests, each its sequence number from 1, and prints "reply SEQ" for each
// answer. A request unanswered within p.timeout prints "retry SEQ" and goes again on a new
// socket; after p.retries tries the client prints "abandon SEQ" and returns errAbandoned.
func client(ctx context.Context, endpoint string, n int, p retry, out io.Writer) error {
	if p.retries < 1 || p.timeout <= 0 {
		return fmt.Errorf("want a positive timeout and retries, have %v and %d", p.timeout, p.retries)
	}
	req, err := dial(endpoint)
	if err != nil {
		return err
	}
	defer func() { req.Close() }()
	for seq := 1; seq <= n; seq++ {
		body := strconv.Itoa(seq)
		for try := 1; ; try++ {
			reply, err := request(ctx, req, body, p.timeout)
			if err == nil {
				if len(reply.Frames) != 1 || string(reply.Frames[0]) != body {
					return fmt.Errorf("request %s: reply %v", body, reply)
				}
				fmt.Fprintln(out, "reply", body)
				break
			}
			if ctx.Err() != nil {
				return nil // stopped
			}
			if !errors.Is(err, zmq.ErrAgain) {
				return err
			}
			if try == p.retries {
				fmt.Fprintln(out, "abandon", body)
				return errAbandoned
			}
			// A REQ socket waiting for a reply that will not come is stuck in its turn: the
			// only way on is a new socket. Linger 0 drops the old request with it.
			req.Close()
			fmt.Fprintln(out, "retry", body)
			fresh, err := dial(endpoint)
			if err != nil {
				return err
			}
			req = fresh
		}
	}
	return nil
}

// dial makes a REQ socket connected to endpoint. Linger 0: an unanswered request must not keep
// the closed socket alive.
func dial(endpoint string) (*zmq.Socket, error) {
	req, err := zmq.NewSocket(zmq.REQ, zmq.WithLinger(0))
	if err != nil {
		return nil, err
	}
	if err := req.Connect(endpoint); err != nil {
		req.Close()
		return nil, err
	}
	return req, nil
}

// request sends body and waits at most timeout for the reply; no reply in time is ErrAgain.
func request(ctx context.Context, req *zmq.Socket, body string, timeout time.Duration) (zmq.Msg, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := req.Send(ctx, zmq.NewMsgString(body)); err != nil {
		return zmq.Msg{}, err
	}
	return req.Recv(ctx)
}
