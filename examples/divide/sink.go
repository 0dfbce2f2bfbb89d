package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/purezmq/zmq"
)

// errBadResult is the sink's error for a message that is neither "batch N" nor a result
// "ID WORKER" of the batch, or a result that came twice.
var errBadResult = errors.New("bad result")

// sinkRole binds a PULL socket for the results and a PUB socket for the kill signal, and
// prints "ready RESULTS CONTROL". It collects one batch: the ventilator's "batch N", and N
// results, printing "result ID from WORKER" for each, then "batch done: N results in T".
// Then it publishes "KILL" to the workers and returns.
func sinkRole(ctx context.Context, endpoint, controlEndpoint string, out io.Writer) error {
	pull, err := zmq.NewSocket(zmq.PULL)
	if err != nil {
		return err
	}
	defer pull.Close()
	if err := pull.Bind(endpoint); err != nil {
		return err
	}
	control, err := zmq.NewSocket(zmq.PUB)
	if err != nil {
		return err
	}
	defer control.Close()
	if err := control.Bind(controlEndpoint); err != nil {
		return err
	}
	fmt.Fprintln(out, "ready", pull.LastEndpoint(), control.LastEndpoint())

	// The batch size comes from the ventilator on a connection of its own, so a fast worker's
	// result can arrive before it: count results until the size is known and reached.
	n := -1
	seen := map[int]bool{}
	var start time.Time
	for n < 0 || len(seen) < n {
		m, err := pull.Recv(ctx)
		if err != nil {
			return stopped(ctx, err)
		}
		if start.IsZero() {
			start = time.Now()
		}
		var id, size int
		var from string
		if _, err := fmt.Sscanf(string(m.Frames[0]), "batch %d", &size); err == nil {
			if n >= 0 || size < 0 {
				return fmt.Errorf("%w %q", errBadResult, m.Frames[0])
			}
			n = size
			continue
		}
		if _, err := fmt.Sscanf(string(m.Frames[0]), "%d %s", &id, &from); err != nil || id < 0 || seen[id] {
			return fmt.Errorf("%w %q", errBadResult, m.Frames[0])
		}
		seen[id] = true
		fmt.Fprintln(out, "result", id, "from", from)
	}
	for id := range seen {
		if id >= n {
			return fmt.Errorf("%w: task %d in a batch of %d", errBadResult, id, n)
		}
	}
	fmt.Fprintf(out, "batch done: %d results in %v\n", n, time.Since(start).Round(time.Millisecond))
	return control.Send(ctx, zmq.NewMsgString("KILL"))
}
