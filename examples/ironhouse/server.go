package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/purezmq/zmq"
	"github.com/purezmq/zmq/auth"
)

// server binds a CURVE server XPUB socket and publishes "Hello N", N counting up, while anyone
// subscribes. Only the clients the ZAP handler lets in get that far: those whose public
// certificate is in clientsDir, connecting from an address in allow; a refused client never
// completes its handshake, so it never subscribes and never gets a message. An XPUB rather
// than a PUB tells the server when someone listens, so it publishes nothing into the void
// and a subscriber misses nothing for joining late. It prints "ready ENDPOINT" once bound,
// then "accepted" or "refused (ZAP status N)" for each handshake.
func server(ctx context.Context, endpoint, certPath, clientsDir string, allow []string, out io.Writer) error {
	public, secret, err := loadPair(certPath)
	if err != nil {
		return err
	}
	// The ZAP handler serves one context: a context of its own keeps this server's policy
	// from judging other servers in the same program.
	zctx := zmq.NewContext()
	defer zctx.Close()
	zap := auth.New()
	zap.Allow(allow...)
	if err := zap.AllowCurveDirectory(clientsDir); err != nil {
		return err
	}
	if err := zap.Start(zctx); err != nil {
		return err
	}
	defer zap.Close()

	pub, err := zctx.NewSocket(zmq.XPUB, zmq.WithLinger(0),
		zmq.WithCurveServer(true), zmq.WithCurvePublicKey(public), zmq.WithCurveSecretKey(secret))
	if err != nil {
		return err
	}
	defer pub.Close()
	events, stop := pub.Monitor(zmq.EventHandshakeSucceeded | zmq.EventHandshakeFailedAuth)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer stop()
	wg.Go(func() {
		for e := range events {
			switch e.Type {
			case zmq.EventHandshakeSucceeded:
				fmt.Fprintln(out, "accepted")
			case zmq.EventHandshakeFailedAuth:
				fmt.Fprintf(out, "refused (ZAP status %d)\n", e.Value)
			}
		}
	})
	if err := pub.Bind(endpoint); err != nil {
		return err
	}
	fmt.Fprintln(out, "ready", pub.LastEndpoint())
	now, cancel := context.WithCancel(ctx)
	cancel() // a done ctx makes Recv look without waiting
	listening := false
	for i := 0; ; {
		// Subscriptions first: wait for one while nobody listens, else only look.
		wait := now
		if !listening {
			wait = ctx
		}
		if sub, err := pub.Recv(wait); err == nil {
			// [1, topic] subscribes, [0, topic] unsubscribes; XPUB passes on the first
			// subscription to a topic and the last unsubscription only.
			listening = len(sub.Frames[0]) > 0 && sub.Frames[0][0] == 1
			continue
		} else if ctx.Err() != nil {
			return nil // stopped
		} else if !errors.Is(err, zmq.ErrAgain) {
			return err
		}
		if err := pub.Send(ctx, zmq.NewMsgString(fmt.Sprintf("Hello %d", i))); err != nil {
			if errors.Is(err, ctx.Err()) {
				return nil // stopped
			}
			return err
		}
		i++
	}
}
