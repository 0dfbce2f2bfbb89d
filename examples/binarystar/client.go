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

// errNoServer is a request that neither server answered in as many tries as allowed.
var errNoServer = errors.New("no server answered")

// client sends n requests (0: until ctx ends), one every ivl, each the request's number, to
// the first server of servers, and prints "reply N" for each echoed back. A request without a
// reply within timeout makes it fail over: it prints "no reply, failing over to ENDPOINT",
// drops its REQ socket (whose state is stuck waiting), and resends to the next server with a
// new one. After tries attempts at one request it gives up with errNoServer.
func client(ctx context.Context, servers []string, timeout, ivl time.Duration, tries, n int, out io.Writer) error {
	if len(servers) == 0 {
		return errors.New("no servers")
	}
	if ivl <= 0 || timeout <= 0 || tries < 1 {
		return fmt.Errorf("interval %v, timeout %v, %d tries: want them positive", ivl, timeout, tries)
	}
	cur := 0
	req, err := connect(servers[cur])
	if err != nil {
		return err
	}
	defer func() { req.Close() }()
	tick := time.NewTicker(ivl)
	defer tick.Stop()
	for i := 0; n == 0 || i < n; i++ {
		request := strconv.Itoa(i)
		for attempt := 1; ; attempt++ {
			reply, err := ask(ctx, req, request, timeout)
			if err == nil {
				if string(reply.Frames[0]) != request {
					return fmt.Errorf("request %s answered with %v", request, reply)
				}
				fmt.Fprintln(out, "reply", request)
				break
			}
			if ctx.Err() != nil {
				return nil // stopped
			}
			if !errors.Is(err, zmq.ErrAgain) {
				return err
			}
			if attempt == tries {
				return errNoServer
			}
			req.Close()
			cur = (cur + 1) % len(servers)
			fmt.Fprintln(out, "no reply, failing over to", servers[cur])
			if req, err = connect(servers[cur]); err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
	return nil
}

// connect makes a REQ socket to a server. Linger 0: a request to a dead server is dropped with
// the socket.
func connect(endpoint string) (*zmq.Socket, error) {
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

// ask sends request and waits at most timeout for the reply.
func ask(ctx context.Context, req *zmq.Socket, request string, timeout time.Duration) (zmq.Msg, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := req.Send(ctx, zmq.NewMsgString(request)); err != nil {
		return zmq.Msg{}, err
	}
	return req.Recv(ctx)
}
