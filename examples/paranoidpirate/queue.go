package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/purezmq/zmq"
)

// queue binds a ROUTER for clients (frontend) and one for workers (backend), prints
// "ready FRONTEND BACKEND", and hands each request to the idle worker that has waited
// longest. It sends every idle worker a heartbeat each interval and drops those it has not
// heard from in hb.liveness intervals, printing "worker ID expired"; it prints
// "worker ID ready" when a worker says ready.
func queue(ctx context.Context, frontendAt, backendAt string, hb heartbeat, out io.Writer) error {
	if err := hb.check(); err != nil {
		return err
	}
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

	// Requests are read only while a worker is idle: until then they wait in the frontend.
	idle, busy := zmq.NewPoller(), zmq.NewPoller()
	idle.Add(backend, zmq.PollIn)
	busy.Add(backend, zmq.PollIn)
	busy.Add(frontend, zmq.PollIn)
	var workers idleWorkers
	heartbeatAt := time.Now().Add(hb.interval)
	for {
		poller := idle
		if len(workers) > 0 {
			poller = busy
		}
		// Poll until the next heartbeat is due at the latest.
		pollCtx, cancel := context.WithDeadline(ctx, heartbeatAt)
		polled, err := poller.Poll(pollCtx)
		cancel()
		if ctx.Err() != nil {
			return nil // stopped
		}
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
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
				// [client, "", request] goes to the worker as [worker, client, "", request].
				err = backend.Send(ctx, zmq.NewMsg(append([][]byte{workers.next()}, msg.Frames...)...))
			} else {
				err = fromWorker(ctx, msg, &workers, frontend, hb, out)
			}
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
		}
		now := time.Now()
		if !now.Before(heartbeatAt) {
			for _, w := range workers {
				// ROUTER drops what it cannot route: a dead worker costs nothing here.
				if err := backend.Send(ctx, zmq.NewMsg(w.id, []byte(frameHeartbeat))); err != nil {
					if ctx.Err() != nil {
						return nil
					}
					return err
				}
			}
			heartbeatAt = now.Add(hb.interval)
		}
		for _, id := range workers.purge(now) {
			fmt.Fprintf(out, "worker %s expired\n", id)
		}
	}
}

// fromWorker handles a message from a worker: [worker, ready], [worker, heartbeat] or
// [worker, client, "", reply], which goes to the client. Any of them shows the worker is
// alive and idle.
func fromWorker(ctx context.Context, msg zmq.Msg, workers *idleWorkers, frontend *zmq.Socket, hb heartbeat, out io.Writer) error {
	if len(msg.Frames) < 2 {
		fmt.Fprintf(out, "bad message from a worker: %v\n", msg)
		return nil
	}
	id, body := msg.Frames[0], msg.Frames[1:]
	if len(body) > 1 {
		workers.ready(id, time.Now().Add(hb.deadAfter()))
		return frontend.Send(ctx, zmq.NewMsg(body...))
	}
	switch string(body[0]) {
	case frameReady:
		fmt.Fprintf(out, "worker %s ready\n", id)
	case frameHeartbeat:
	default:
		fmt.Fprintf(out, "bad message from worker %s: %v\n", id, msg)
		return nil
	}
	workers.ready(id, time.Now().Add(hb.deadAfter()))
	return nil
}
