package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"

	"github.com/purezmq/zmq"
)

// server binds an XPUB socket and publishes an update "ZIPCODE TEMPERATURE HUMIDITY" for a
// random zipcode 00000..zips-1 after another, as fast as it can, until ctx ends. It prints
// "ready ENDPOINT" once bound, then each subscription change its subscribers send:
// `subscribe "PREFIX"` or `unsubscribe "PREFIX"`.
//
// The slow joiner: a publisher sends a subscriber nothing until that subscriber's subscription
// has arrived, so what it publishes before is lost to it, however long the subscriber waited
// after Connect. The guide's server sleeps and hopes; this one is an XPUB, which hands it the
// subscriptions as messages, and it publishes nothing before the first one has arrived. A
// subscriber that joins later still misses what was published before its subscription came,
// which is fine here: a client counts the updates it receives, not the ones published.
func server(ctx context.Context, endpoint string, zips int, out io.Writer) error {
	pub, err := zmq.NewSocket(zmq.XPUB)
	if err != nil {
		return err
	}
	defer pub.Close()
	if err := pub.Bind(endpoint); err != nil {
		return err
	}
	fmt.Fprintln(out, "ready", pub.LastEndpoint())
	sub, err := pub.Recv(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil // stopped before anyone subscribed
		}
		return err
	}
	report(sub, out)
	// A done context makes Recv take only what is queued: the subscriptions that came while
	// publishing, read between updates so that the server never waits for one.
	queued, cancel := context.WithCancel(ctx)
	cancel()
	for ctx.Err() == nil {
		for {
			sub, err := pub.Recv(queued)
			if errors.Is(err, zmq.ErrAgain) {
				break
			}
			if err != nil {
				return err
			}
			report(sub, out)
		}
		update := fmt.Sprintf("%05d %d %d", rand.IntN(zips), rand.IntN(215)-80, rand.IntN(50)+10)
		if err := pub.Send(ctx, zmq.NewMsgString(update)); err != nil && ctx.Err() == nil {
			return err
		}
	}
	return nil
}

// report prints a subscription message: its first byte is 1 to subscribe, 0 to unsubscribe,
// the rest is the prefix.
func report(sub zmq.Msg, out io.Writer) {
	f := sub.Frames[0]
	switch {
	case len(f) > 0 && f[0] == 1:
		fmt.Fprintf(out, "subscribe %q\n", f[1:])
	case len(f) > 0 && f[0] == 0:
		fmt.Fprintf(out, "unsubscribe %q\n", f[1:])
	}
}
