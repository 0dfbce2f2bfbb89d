package main

import (
	"context"
	"fmt"
	"io"

	"github.com/purezmq/zmq"
)

// broker binds a ROUTER for the clients and a DEALER for the workers, prints "ready FRONTEND
// BACKEND", and lets zmq.Proxy pass messages both ways until ctx ends. The ROUTER prefixes
// each request with its client's routing id and the DEALER deals requests round-robin among
// the workers; a worker's REP sends that envelope back with its reply, and the ROUTER uses it
// to pick the client.
func broker(ctx context.Context, frontendEndpoint, backendEndpoint string, out io.Writer) error {
	frontend, backend, err := bindBroker(frontendEndpoint, backendEndpoint, out)
	if err != nil {
		return err
	}
	defer frontend.Close()
	defer backend.Close()
	return stopped(ctx, zmq.Proxy(ctx, frontend, backend, nil))
}

// pollBroker is broker with the proxy written out: a Poller waits on both sockets, and each
// message read from one is sent whole, envelope and all, to the other.
func pollBroker(ctx context.Context, frontendEndpoint, backendEndpoint string, out io.Writer) error {
	frontend, backend, err := bindBroker(frontendEndpoint, backendEndpoint, out)
	if err != nil {
		return err
	}
	defer frontend.Close()
	defer backend.Close()
	poller := zmq.NewPoller()
	poller.Add(frontend, zmq.PollIn)
	poller.Add(backend, zmq.PollIn)
	for {
		ready, err := poller.Poll(ctx)
		if err != nil {
			return stopped(ctx, err)
		}
		for _, it := range ready {
			m, err := it.Socket.Recv(ctx)
			if err != nil {
				return stopped(ctx, err)
			}
			to := backend
			if it.Socket == backend {
				to = frontend
			}
			if err := to.Send(ctx, m); err != nil {
				return stopped(ctx, err)
			}
		}
	}
}

// bindBroker makes the broker's two sockets and prints where they are bound.
func bindBroker(frontendEndpoint, backendEndpoint string, out io.Writer) (frontend, backend *zmq.Socket, err error) {
	frontend, err = zmq.NewSocket(zmq.ROUTER)
	if err != nil {
		return nil, nil, err
	}
	backend, err = zmq.NewSocket(zmq.DEALER)
	if err == nil {
		err = frontend.Bind(frontendEndpoint)
	}
	if err == nil {
		err = backend.Bind(backendEndpoint)
	}
	if err != nil {
		frontend.Close()
		if backend != nil {
			backend.Close()
		}
		return nil, nil, err
	}
	fmt.Fprintln(out, "ready", frontend.LastEndpoint(), backend.LastEndpoint())
	return frontend, backend, nil
}

// stopped is err, or nil when it came from ctx ending: the role was stopped.
func stopped(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}
