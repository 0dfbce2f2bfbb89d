package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/purezmq/zmq"
	"github.com/purezmq/zmq/curve"
)

// errRefused is the server's ZAP handler turning this client away.
var errRefused = errors.New("refused by the server")

// client connects a CURVE client SUB socket, subscribed to everything, authenticated by its key
// pair from certPath and trusting the server whose public certificate is serverCertPath, and
// prints the n messages it receives. A refusal would otherwise look like silence (the socket keeps retrying), so the
// client watches its monitor and gives up with errRefused at the first one, printing
// "refused by the server (ZAP status N)".
func client(ctx context.Context, endpoint, certPath, serverCertPath string, n int, out io.Writer) error {
	public, secret, err := loadPair(certPath)
	if err != nil {
		return err
	}
	srv, err := curve.LoadCertificate(serverCertPath)
	if err != nil {
		return err
	}
	sub, err := zmq.NewSocket(zmq.SUB,
		zmq.WithCurveServerKey(srv.Public), zmq.WithCurvePublicKey(public), zmq.WithCurveSecretKey(secret))
	if err != nil {
		return err
	}
	defer sub.Close()

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	events, stop := sub.Monitor(zmq.EventHandshakeFailedAuth)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer stop()
	wg.Go(func() {
		for e := range events {
			if e.Type == zmq.EventHandshakeFailedAuth {
				cancel(fmt.Errorf("%w (ZAP status %d)", errRefused, e.Value))
			}
		}
	})
	if err := sub.Subscribe(nil); err != nil { // everything
		return err
	}
	if err := sub.Connect(endpoint); err != nil {
		return err
	}
	for range n {
		msg, err := sub.Recv(ctx)
		if err != nil {
			if cause := context.Cause(ctx); errors.Is(cause, errRefused) {
				fmt.Fprintln(out, cause)
				return cause
			}
			if ctx.Err() != nil {
				return nil // stopped
			}
			return err
		}
		fmt.Fprintf(out, "%s\n", msg.Frames[0])
	}
	return nil
}
