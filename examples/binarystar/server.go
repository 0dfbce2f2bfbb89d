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

// serverEndpoints are where a binary star server binds its frontend (for clients) and its
// state publisher, and where it connects to its peer's state publisher.
type serverEndpoints struct{ frontend, statepub, statesub string }

// server runs one of the pair, starting as role (statePrimary or stateBackup), until ctx
// ends or the state machine finds a fatal error. It publishes its state to the peer every
// heartbeat and takes the peer as silent after two heartbeats without its state. Clients
// talk to its ROUTER frontend; it echoes each request it may serve. It prints "ready
// FRONTEND STATEPUB" once bound, "OLD -> NEW (EVENT)" for each change of state, "rejected a
// request as STATE" for each request it must not serve, and "peer silent" when the peer
// falls silent.
func server(ctx context.Context, role state, eps serverEndpoints, heartbeat time.Duration, out io.Writer) error {
	if heartbeat <= 0 {
		return fmt.Errorf("heartbeat %v: want a positive one", heartbeat)
	}
	frontend, err := zmq.NewSocket(zmq.ROUTER, zmq.WithLinger(0))
	if err != nil {
		return err
	}
	defer frontend.Close()
	statepub, err := zmq.NewSocket(zmq.PUB, zmq.WithLinger(0))
	if err != nil {
		return err
	}
	defer statepub.Close()
	statesub, err := zmq.NewSocket(zmq.SUB)
	if err != nil {
		return err
	}
	defer statesub.Close()
	if err := statesub.Subscribe(nil); err != nil {
		return err
	}
	if err := frontend.Bind(eps.frontend); err != nil {
		return err
	}
	if err := statepub.Bind(eps.statepub); err != nil {
		return err
	}
	if err := statesub.Connect(eps.statesub); err != nil {
		return err
	}
	fmt.Fprintln(out, "ready", frontend.LastEndpoint(), statepub.LastEndpoint())

	current := role
	var peerExpiry time.Time // zero until the peer is first heard
	silenceReported := false
	peerSilent := func() bool { return !peerExpiry.IsZero() && !time.Now().Before(peerExpiry) }
	// apply runs the state machine on e and reports what it did.
	apply := func(e event) error {
		next, err := step(current, e, peerSilent())
		if err != nil {
			return err
		}
		if next != current {
			fmt.Fprintf(out, "%v -> %v (%v)\n", current, next, e)
			current = next
		}
		return nil
	}

	poller := zmq.NewPoller()
	poller.Add(frontend, zmq.PollIn)
	poller.Add(statesub, zmq.PollIn)
	pollCtx, cancel := context.WithCancel(ctx)
	defer cancel() // ends the poller's goroutine, whichever way the server returns
	ready := poller.Channel(pollCtx)
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			if err := statepub.Send(ctx, zmq.NewMsgString(strconv.Itoa(int(current)))); err != nil {
				return ended(ctx, err)
			}
			if peerSilent() && !silenceReported {
				fmt.Fprintln(out, "peer silent")
				silenceReported = true
			}
		case r, ok := <-ready:
			if !ok {
				return ended(ctx, ctx.Err())
			}
			for _, p := range r.Polled {
				msg, err := p.Socket.Recv(ctx)
				if err != nil {
					return ended(ctx, err)
				}
				if p.Socket == statesub {
					e, err := parsePeerState(msg.Frames[0])
					if err != nil {
						fmt.Fprintln(out, "dropped:", err)
						continue
					}
					if err := apply(e); err != nil {
						fmt.Fprintln(out, err)
						return err
					}
					peerExpiry, silenceReported = time.Now().Add(2*heartbeat), false
					continue
				}
				switch err := apply(clientRequest); {
				case errors.Is(err, errRejected):
					// No answer: the client times out and tries the other server.
					fmt.Fprintln(out, "rejected a request as", current)
				case err != nil:
					return err
				default:
					if err := frontend.Send(ctx, msg); err != nil {
						return ended(ctx, err)
					}
				}
			}
			r.Done()
		}
	}
}

// ended is a role's result for err: nil when ctx ended (stopped), else err.
func ended(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}
