package main

import (
	"context"
	"fmt"
	"io"

	"github.com/purezmq/zmq"
)

// frameReady is what a worker sends once, when it starts: the guide's "\x01".
const frameReady = "\x01"

// queue binds a ROUTER for clients (frontend) and one for workers (backend), prints
// "ready FRONTEND BACKEND", and hands each request to the worker that has waited longest,
// printing "worker ID ready" as each one signs in. A worker is ready again once it replies.
func queue(ctx context.Context, frontendAt, backendAt string, out io.Writer) error {
	frontend, err := zmq.NewSocket(zmq.ROUTER)
	if err != nil {
		return err
	}
	defer frontend.Close()
	backend, err := zmq.NewSocket(zmq.ROUTER)
	if err != nil {
		return err
	}
	defer backend.Close()
	if err := frontend.Bind(frontendAt); err != nil {
		return err
	}
	if err := backend.Bind(backendAt); err != nil {
		return err
	}
	fmt.Fprintln(out, "ready", frontend.LastEndpoint(), backend.LastEndpoint())

	// Requests are read only while a worker is free: until then they wait in the frontend's
	// queue (and the clients' HWMs) instead of in the broker.
	idle, busy := zmq.NewPoller(), zmq.NewPoller()
	idle.Add(backend, zmq.PollIn)
	busy.Add(backend, zmq.PollIn)
	busy.Add(frontend, zmq.PollIn)
	var workers [][]byte // routing ids of ready workers, longest waiting first
	for {
		poller := idle
		if len(workers) > 0 {
			poller = busy
		}
		polled, err := poller.Poll(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil // stopped
			}
			return err
		}
		for _, p := range polled {
			msg, err := p.Socket.Recv(ctx)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
			if p.Socket == frontend {
				// [client, "", request] goes to the worker as [worker, "", client, "", request].
				msg.PushEnvelope(workers[0])
				workers = workers[1:]
				err = backend.Send(ctx, msg)
			} else {
				// [worker, "", ready] or [worker, "", client, "", reply].
				env, perr := msg.PopEnvelope()
				if perr != nil || len(env) != 2 || len(msg.Frames) == 0 {
					fmt.Fprintf(out, "bad message from a worker: %v\n", msg)
					continue
				}
				workers = append(workers, env[0])
				if len(msg.Frames) == 1 && string(msg.Frames[0]) == frameReady {
					fmt.Fprintf(out, "worker %s ready\n", env[0])
					continue
				}
				err = frontend.Send(ctx, msg)
			}
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
		}
	}
}
