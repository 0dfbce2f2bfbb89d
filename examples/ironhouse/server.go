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

// server binds a CURVE server PUSH socket and sends "Hello N", N counting up, to the clients
// the ZAP handler lets in: those whose public certificate is in clientsDir, connecting from an
// address in allow. A PUSH sends only to peers whose handshake completed, so a refused client
// never gets a message. It prints "ready ENDPOINT" once bound, then "accepted" or "refused (ZAP
// status N)" for each handshake.
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

	push, err := zctx.NewSocket(zmq.PUSH, zmq.WithLinger(0),
		zmq.WithCurveServer(true), zmq.WithCurvePublicKey(public), zmq.WithCurveSecretKey(secret))
	if err != nil {
		return err
	}
	defer push.Close()
	events, stop := push.Monitor(zmq.EventHandshakeSucceeded | zmq.EventHandshakeFailedAuth)
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
	if err := push.Bind(endpoint); err != nil {
		return err
	}
	fmt.Fprintln(out, "ready", push.LastEndpoint())
	for i := 0; ; i++ {
		if err := push.Send(ctx, zmq.NewMsgString(fmt.Sprintf("Hello %d", i))); err != nil {
			if errors.Is(err, ctx.Err()) {
				return nil // stopped
			}
			return err
		}
	}
}
