package main

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/purezmq/zmq/examples/internal/extest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The tests run over inproc in a synctest bubble: a request's timeout fires on the bubble's
// clock only once every role is blocked, so a timeout is never a slow machine, always silence.
var patience = retry{Timeout: 2500 * time.Millisecond, Retries: 3}

// TestLazyPirateServerRestarts: the server crashes on the third request; the client's timeout
// fires, it retries on a new socket, and a server restarted on the same endpoint answers the
// retried request and the rest.
func TestLazyPirateServerRestarts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		roles := extest.NewRoles(t)
		endpoint := "inproc://lazypirate-restart"
		srvOut := extest.NewLines()
		crashed := roles.Start(func(ctx context.Context) error { return server(ctx, endpoint, 2, srvOut) })
		srvOut.Expect(t, "ready "+endpoint)
		cliOut := extest.NewLines()
		done := roles.Start(func(ctx context.Context) error { return client(ctx, endpoint, 4, patience, cliOut) })
		for _, want := range []string{"received 1", "received 2", "crash 3"} {
			srvOut.Expect(t, want)
		}
		if err := extest.Wait(t, crashed); err != nil {
			t.Fatal(err)
		}
		cliOut.Expect(t, "reply 1")
		cliOut.Expect(t, "reply 2")
		start := time.Now()
		cliOut.Expect(t, "retry 3")
		if waited := time.Since(start); waited != patience.Timeout {
			t.Errorf("the client retried after %v, want its timeout %v", waited, patience.Timeout)
		}
		restarted := extest.NewLines()
		roles.Go("restarted server", func(ctx context.Context) error { return server(ctx, endpoint, 0, restarted) })
		if err := extest.Wait(t, done); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"ready " + endpoint, "received 3", "received 4"} {
			restarted.Expect(t, want)
		}
		for _, want := range []string{"reply 3", "reply 4"} {
			cliOut.Expect(t, want)
		}
	})
}

// TestLazyPirateAbandons: with the server gone for good, the client tries a request as often
// as it was told, each after its timeout, then gives up with errAbandoned.
func TestLazyPirateAbandons(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		roles := extest.NewRoles(t)
		endpoint := "inproc://lazypirate-abandon"
		srvOut := extest.NewLines()
		roles.Go("server", func(ctx context.Context) error { return server(ctx, endpoint, 1, srvOut) })
		srvOut.Expect(t, "ready "+endpoint)
		cliOut := extest.NewLines()
		done := roles.Start(func(ctx context.Context) error { return client(ctx, endpoint, 3, patience, cliOut) })
		cliOut.Expect(t, "reply 1")
		start := time.Now()
		if err := extest.Wait(t, done); !errors.Is(err, errAbandoned) {
			t.Fatalf("client returned %v, want %v", err, errAbandoned)
		}
		if waited, want := time.Since(start), time.Duration(patience.Retries)*patience.Timeout; waited != want {
			t.Errorf("the client gave up after %v, want %d timeouts of %v", waited, patience.Retries, patience.Timeout)
		}
		for i := 1; i < patience.Retries; i++ {
			cliOut.Expect(t, "retry 2")
		}
		cliOut.Expect(t, "abandon 2")
		srvOut.Expect(t, "received 1")
		srvOut.Expect(t, "crash 2")
	})
}

// TestLazyPirateTCP: the same client and server over loopback tcp, outside a bubble: with no
// crash every request is answered at the first try.
func TestLazyPirateTCP(t *testing.T) {
	roles := extest.NewRoles(t)
	srvOut := extest.NewLines()
	roles.Go("server", func(ctx context.Context) error { return server(ctx, "tcp://127.0.0.1:*", 0, srvOut) })
	var endpoint string
	if _, err := fmt.Sscanf(srvOut.Next(t), "ready %s", &endpoint); err != nil {
		t.Fatal(err)
	}
	cliOut := extest.NewLines()
	done := roles.Start(func(ctx context.Context) error {
		return client(ctx, endpoint, 5, retry{Timeout: extest.Timeout, Retries: 1}, cliOut)
	})
	if err := extest.Wait(t, done); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 5; i++ {
		cliOut.Expect(t, fmt.Sprint("reply ", i))
		srvOut.Expect(t, fmt.Sprint("received ", i))
	}
}
