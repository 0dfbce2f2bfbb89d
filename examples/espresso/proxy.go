package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/purezmq/zmq"
)

// proxy binds an XSUB frontend for publishers and an XPUB backend for subscribers and runs
// zmq.Proxy between them with a capture socket, printing "captured MSG" for every message that
// passes either way: publications, and subscriptions ("\x01topic") flowing back up. It prints
// "ready FRONTEND BACKEND" once bound.
func proxy(ctx context.Context, frontend, backend string, out io.Writer) error {
	// A context of its own keeps the capture's inproc name private to this proxy, and closing
	// it closes every socket of the proxy.
	zctx := zmq.NewContext()
	defer zctx.Close()
	// A stopped proxy drops what is in flight rather than lingering on it.
	xsub, err := zctx.NewSocket(zmq.XSUB, zmq.WithLinger(0))
	if err != nil {
		return err
	}
	xpub, err := zctx.NewSocket(zmq.XPUB, zmq.WithLinger(0))
	if err != nil {
		return err
	}
	// The capture is one end of a PAIR over inproc; the listener below holds the other.
	capture, err := zctx.NewSocket(zmq.PAIR, zmq.WithLinger(0))
	if err != nil {
		return err
	}
	listener, err := zctx.NewSocket(zmq.PAIR, zmq.WithLinger(0))
	if err != nil {
		return err
	}
	if err := listener.Bind("inproc://capture"); err != nil {
		return err
	}
	if err := capture.Connect("inproc://capture"); err != nil {
		return err
	}
	if err := xsub.Bind(frontend); err != nil {
		return err
	}
	if err := xpub.Bind(backend); err != nil {
		return err
	}
	fmt.Fprintln(out, "ready", xsub.LastEndpoint(), xpub.LastEndpoint())

	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // before the wait: it stops the listener
	wg.Go(func() { listen(ctx, listener, out) })
	if err := zmq.Proxy(ctx, xsub, xpub, capture); err != nil && !errors.Is(err, ctx.Err()) {
		return err
	}
	return nil
}

// listen prints what the capture socket copies, until ctx ends.
func listen(ctx context.Context, listener *zmq.Socket, out io.Writer) {
	for {
		msg, err := listener.Recv(ctx)
		if err != nil {
			return // stopped
		}
		fmt.Fprintln(out, "captured", msg)
	}
}
