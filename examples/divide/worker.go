package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/purezmq/zmq"
)

// errBadTask is a worker's error for a task that is not "ID MILLISECONDS".
var errBadTask = errors.New("bad task")

// worker pulls tasks from the ventilator, does each (it waits the milliseconds the task says),
// pushes "ID NAME" to the sink and prints "task ID". It stops when the sink publishes "KILL"
// (printing "killed") or ctx ends. A Poller waits on both sockets at once.
func worker(ctx context.Context, tasksEndpoint, resultsEndpoint, controlEndpoint, name string, out io.Writer) error {
	// The kill subscription is made first, so that it has reached the sink long before the
	// batch ends: a subscriber hears nothing published before its subscription arrived.
	control, err := zmq.NewSocket(zmq.SUB)
	if err != nil {
		return err
	}
	defer control.Close()
	if err := control.Connect(controlEndpoint); err != nil {
		return err
	}
	if err := control.Subscribe([]byte("KILL")); err != nil {
		return err
	}
	results, err := zmq.NewSocket(zmq.PUSH)
	if err != nil {
		return err
	}
	defer results.Close()
	if err := results.Connect(resultsEndpoint); err != nil {
		return err
	}
	tasks, err := zmq.NewSocket(zmq.PULL)
	if err != nil {
		return err
	}
	defer tasks.Close()
	if err := tasks.Connect(tasksEndpoint); err != nil {
		return err
	}

	poller := zmq.NewPoller()
	poller.Add(control, zmq.PollIn)
	poller.Add(tasks, zmq.PollIn)
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
			if it.Socket == control {
				fmt.Fprintln(out, "killed")
				return nil
			}
			var id int
			var ms int64
			if _, err := fmt.Sscanf(string(m.Frames[0]), "%d %d", &id, &ms); err != nil || ms < 0 {
				return fmt.Errorf("%w %q", errBadTask, m.Frames[0])
			}
			select { // the work
			case <-time.After(time.Duration(ms) * time.Millisecond):
			case <-ctx.Done():
				return nil
			}
			if err := results.Send(ctx, zmq.NewMsgString(fmt.Sprint(id, " ", name))); err != nil {
				return stopped(ctx, err)
			}
			fmt.Fprintln(out, "task", id)
		}
	}
}
