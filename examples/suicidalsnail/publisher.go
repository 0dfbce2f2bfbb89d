package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/purezmq/zmq"
)

// publisher binds a PUB socket and sends "SEQ MICROS" — a sequence number from 0 and the Unix
// time in microseconds — one every ivl, until ctx ends. It prints "ready ENDPOINT" once bound.
func publisher(ctx context.Context, endpoint string, ivl time.Duration, out io.Writer) error {
	if ivl <= 0 {
		return fmt.Errorf("interval %v: want a positive one", ivl)
	}
	pub, err := zmq.NewSocket(zmq.PUB)
	if err != nil {
		return err
	}
	defer pub.Close()
	if err := pub.Bind(endpoint); err != nil {
		return err
	}
	fmt.Fprintln(out, "ready", pub.LastEndpoint())
	tick := time.NewTicker(ivl)
	defer tick.Stop()
	for seq := 0; ; seq++ {
		msg := fmt.Sprintf("%d %d", seq, time.Now().UnixMicro())
		if err := pub.Send(ctx, zmq.NewMsgString(msg)); err != nil {
			if ctx.Err() != nil {
				return nil // stopped
			}
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}
