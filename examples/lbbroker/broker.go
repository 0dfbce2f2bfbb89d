package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/purezmq/zmq"
)

// broker binds a ROUTER for the clients (frontend) and one for the workers (backend) and
// prints "ready FRONTEND BACKEND". Then, until ctx ends, it prints what it does:
//
//	worker "W" ready            W said READY and joined the queue
//	request from "C" to "W"     C's request went to W, the worker ready longest
//	reply from "W" to "C"       W's reply went back to C, and W rejoined the queue
//	worker "W" gone             W had left when its turn came; the request went to the next
//
// Messages a worker gets wrong are dropped with a line that says so.
func broker(ctx context.Context, frontendEndpoint, backendEndpoint string, out io.Writer) error {
	frontend, err := zmq.NewSocket(zmq.ROUTER)
	if err != nil {
		return err
	}
	defer frontend.Close()
	// Mandatory routing makes a Send to a worker that has gone fail instead of dropping the
	// request unseen.
	backend, err := zmq.NewSocket(zmq.ROUTER, zmq.WithRouterMandatory(true))
	if err != nil {
		return err
	}
	defer backend.Close()
	if err := frontend.Bind(frontendEndpoint); err != nil {
		return err
	}
	if err := backend.Bind(backendEndpoint); err != nil {
		return err
	}
	fmt.Fprintln(out, "ready", frontend.LastEndpoint(), backend.LastEndpoint())

	lb := &balancer{backend: backend, out: out}
	poller := zmq.NewPoller()
	poller.Add(backend, zmq.PollIn)
	for {
		// Clients are heard only while a worker is ready: until then their requests wait in
		// the frontend's queues, and the broker holds none of them itself.
		if len(lb.ready) > 0 && lb.held == nil {
			poller.Add(frontend, zmq.PollIn)
		} else {
			poller.Remove(frontend)
		}
		polled, err := poller.Poll(ctx)
		if err != nil {
			return stopped(ctx, err)
		}
		for _, it := range polled {
			m, err := it.Socket.Recv(ctx)
			if err != nil {
				return stopped(ctx, err)
			}
			switch {
			case it.Socket == backend:
				err = lb.fromWorker(ctx, m, frontend)
			case len(m.Frames) < 3 || len(m.Frames[1]) != 0: // not a REQ's [client, "", body]
				fmt.Fprintf(out, "dropped a malformed request from %q\n", m.Frames[0])
			default:
				err = lb.request(ctx, m)
			}
			if err != nil {
				return stopped(ctx, err)
			}
		}
	}
}

// balancer is the broker's state: the workers ready, least recently ready first, and a request
// whose worker had gone when no other was ready.
type balancer struct {
	backend *zmq.Socket
	out     io.Writer
	ready   [][]byte
	held    *zmq.Msg
}

// request gives a client's request [client, "", body] to the worker ready longest, as
// [worker, "", client, "", body]; the worker's REQ takes off the first two frames.
func (b *balancer) request(ctx context.Context, m zmq.Msg) error {
	for len(b.ready) > 0 {
		w := b.ready[0]
		b.ready = b.ready[1:]
		to := zmq.Msg{Frames: append([][]byte(nil), m.Frames...)}
		to.PushEnvelope(w)
		err := b.backend.Send(ctx, to)
		if errors.Is(err, zmq.ErrHostUnreachable) {
			fmt.Fprintf(b.out, "worker %q gone\n", w)
			continue
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(b.out, "request from %q to %q\n", m.Frames[0], w)
		b.held = nil
		return nil
	}
	b.held = &m
	return nil
}

// fromWorker handles [worker, "", "READY"] and [worker, "", client, "", reply]: either way the
// worker is ready again, and a reply goes on to its client as [client, "", reply].
func (b *balancer) fromWorker(ctx context.Context, m zmq.Msg, frontend *zmq.Socket) error {
	env, err := m.PopEnvelope()
	if err != nil || len(env) != 2 || len(m.Frames) == 0 {
		fmt.Fprintf(b.out, "dropped a malformed message from a worker: %d frames\n", len(m.Frames))
		return nil
	}
	w := env[0]
	if len(m.Frames) == 1 && string(m.Frames[0]) == "READY" {
		fmt.Fprintf(b.out, "worker %q ready\n", w)
	} else {
		reply := m
		if _, err := reply.PopEnvelope(); err != nil || len(reply.Frames) == 0 {
			fmt.Fprintf(b.out, "dropped a malformed reply from %q\n", w)
			return nil
		}
		fmt.Fprintf(b.out, "reply from %q to %q\n", w, m.Frames[0])
		// A client that has gone loses its reply; the ROUTER drops it.
		if err := frontend.Send(ctx, m); err != nil {
			return err
		}
	}
	b.ready = append(b.ready, w)
	if b.held != nil {
		return b.request(ctx, *b.held)
	}
	return nil
}

// stopped is err, or nil when it came from ctx ending: the role was stopped.
func stopped(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}
