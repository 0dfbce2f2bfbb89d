package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/purezmq/zmq"
)

// backoff is how long a worker waits before reconnecting to a silent queue: initial the first
// time, twice as long after each further try, at most max.
type backoff struct {
	initial, max time.Duration
}

// worker connects a DEALER to the queue's backend as id, says ready and echoes each request,
// printing "work SEQ". It sends a heartbeat each hb.interval; when the queue has been silent
// for hb.liveness intervals it prints "reconnect in WAIT", waits, and starts over on a new
// socket. With crash > 0 it answers that many requests and dies on the next ("crash SEQ").
func worker(ctx context.Context, endpoint, id string, hb heartbeat, bo backoff, crash int, out io.Writer) error {
	if err := hb.check(); err != nil {
		return err
	}
	if bo.initial <= 0 || bo.max < bo.initial {
		return fmt.Errorf("want 0 < reconnect <= reconnect-max, have %v and %v", bo.initial, bo.max)
	}
	dealer, err := join(ctx, endpoint, id, hb)
	if err != nil {
		return err
	}
	defer func() {
		if dealer != nil {
			dealer.Close()
		}
	}()
	liveness, wait := hb.liveness, bo.initial
	heartbeatAt := time.Now().Add(hb.interval)
	for answered := 0; ; {
		recvCtx, cancel := context.WithTimeout(ctx, hb.interval)
		msg, err := dealer.Recv(recvCtx)
		cancel()
		switch {
		case ctx.Err() != nil:
			return nil // stopped
		case err == nil:
			liveness, wait = hb.liveness, bo.initial
			switch {
			case len(msg.Frames) == 3: // [client, "", request]
				if crash > 0 && answered == crash {
					fmt.Fprintf(out, "crash %s\n", msg.Frames[2])
					return nil
				}
				fmt.Fprintf(out, "work %s\n", msg.Frames[2])
				answered++
				send(ctx, dealer, msg, hb)
			case len(msg.Frames) == 1 && string(msg.Frames[0]) == frameHeartbeat:
			default:
				fmt.Fprintf(out, "bad message from the queue: %v\n", msg)
			}
		case errors.Is(err, zmq.ErrAgain): // an interval without a word from the queue
			if liveness--; liveness > 0 {
				break
			}
			dealer.Close()
			dealer = nil
			fmt.Fprintf(out, "reconnect in %v\n", wait)
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return nil
			}
			wait = min(2*wait, bo.max)
			if dealer, err = join(ctx, endpoint, id, hb); err != nil {
				return err
			}
			liveness = hb.liveness
		default:
			return err
		}
		if now := time.Now(); !now.Before(heartbeatAt) {
			send(ctx, dealer, zmq.NewMsgString(frameHeartbeat), hb)
			heartbeatAt = now.Add(hb.interval)
		}
	}
}

// join makes a DEALER connected to the queue as id and says ready.
func join(ctx context.Context, endpoint, id string, hb heartbeat) (*zmq.Socket, error) {
	// Linger 0: what a socket given up on still holds is for a queue presumed dead.
	dealer, err := zmq.NewSocket(zmq.DEALER, zmq.WithRoutingID([]byte(id)), zmq.WithLinger(0))
	if err != nil {
		return nil, err
	}
	if err := dealer.Connect(endpoint); err != nil {
		dealer.Close()
		return nil, err
	}
	send(ctx, dealer, zmq.NewMsgString(frameReady), hb)
	return dealer, nil
}

// send gives the queue at most one heartbeat interval to take msg. A message that cannot go
// is dropped: a queue that is gone is for the liveness count to notice, not a reason to block.
func send(ctx context.Context, dealer *zmq.Socket, msg zmq.Msg, hb heartbeat) {
	ctx, cancel := context.WithTimeout(ctx, hb.interval)
	defer cancel()
	dealer.Send(ctx, msg)
}
