package main

import (
	"context"
	"fmt"
	"time"

	"github.com/purezmq/zmq"
)

// publisher connects a PUB socket to the proxy and sends "X-NNNNN", X cycling from A to J, one
// every ivl, n of them (0: until ctx ends). A PUB sends nothing until a subscription matches,
// so what the proxy sees depends on what its subscribers asked for.
func publisher(ctx context.Context, endpoint string, ivl time.Duration, n int) error {
	if ivl <= 0 {
		return fmt.Errorf("interval %v: want a positive one", ivl)
	}
	pub, err := zmq.NewSocket(zmq.PUB)
	if err != nil {
		return err
	}
	defer pub.Close()
	if err := pub.Connect(endpoint); err != nil {
		return err
	}
	tick := time.NewTicker(ivl)
	defer tick.Stop()
	for i := 0; n == 0 || i < n; i++ {
		msg := fmt.Sprintf("%c-%05d", 'A'+i%10, i)
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
	return nil
}
