package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/purezmq/zmq"
)

// errTooSlow is the subscriber giving up: it cannot keep up with the publisher.
var errTooSlow = errors.New("subscriber cannot keep up")

// subscriber connects a SUB socket to the publisher and processes its messages, each taking
// work (a sleep standing in for real work). It ends with errTooSlow, printing "aborting: ..."
// first, when a message is older than maxDelay by the time it is read, or when sequence
// numbers skip (a PUB drops messages for a subscriber at its high-water mark). After n
// messages (0: never) it prints "kept up with N messages" and ends.
func subscriber(ctx context.Context, endpoint string, work, maxDelay time.Duration, n int, out io.Writer) error {
	sub, err := zmq.NewSocket(zmq.SUB)
	if err != nil {
		return err
	}
	defer sub.Close()
	if err := sub.Subscribe(nil); err != nil {
		return err
	}
	if err := sub.Connect(endpoint); err != nil {
		return err
	}
	next := -1 // the sequence number expected; unknown until the first message
	for i := 0; n == 0 || i < n; i++ {
		msg, err := sub.Recv(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil // stopped
			}
			return err
		}
		var seq int
		var micros int64
		if _, err := fmt.Sscanf(string(msg.Frames[0]), "%d %d", &seq, &micros); err != nil {
			return fmt.Errorf("malformed message %v: %w", msg, err)
		}
		if delay := time.Since(time.UnixMicro(micros)); delay > maxDelay {
			fmt.Fprintf(out, "aborting: message %d is %v old, over %v\n", seq, delay.Round(time.Millisecond), maxDelay)
			return errTooSlow
		}
		if next >= 0 && seq != next {
			fmt.Fprintf(out, "aborting: messages %d to %d lost\n", next, seq-1)
			return errTooSlow
		}
		next = seq + 1
		time.Sleep(work) // the work: not synchronisation, the load that makes a snail
	}
	fmt.Fprintf(out, "kept up with %d messages\n", n)
	return nil
}
