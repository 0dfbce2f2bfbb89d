// Package pirate is the guide's lazy pirate client, which the three pirate examples share:
// lazypirate runs it against a server, simplepirate and paranoidpirate against their queues.
package pirate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/purezmq/zmq"
)

// ErrAbandoned is the client giving up: a request went unanswered on every try.
var ErrAbandoned = errors.New("server offline: request abandoned")

// Retry is the client's patience: how long it waits for a reply, and how often it tries.
type Retry struct {
	Timeout time.Duration
	Retries int
}

// Client sends n requests, each its sequence number from 1, and prints "reply SEQ" for each
// answer. A request unanswered within p.Timeout prints "retry SEQ" and goes again on a new
// socket; after p.Retries tries the client prints "abandon SEQ" and returns ErrAbandoned.
func Client(ctx context.Context, endpoint string, n int, p Retry, out io.Writer) error {
	if p.Retries < 1 || p.Timeout <= 0 {
		return fmt.Errorf("want a positive timeout and retries, have %v and %d", p.Timeout, p.Retries)
	}
	req, err := dial(endpoint)
	if err != nil {
		return err
	}
	defer func() { req.Close() }()
	for seq := 1; seq <= n; seq++ {
		body := strconv.Itoa(seq)
		for try := 1; ; try++ {
			reply, err := request(ctx, req, body, p.Timeout)
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
			if try == p.Retries {
				fmt.Fprintln(out, "abandon", body)
				return ErrAbandoned
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
