package main

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/purezmq/zmq/examples/internal/extest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// startQueue runs the queue on inproc endpoints named after prefix and returns its output
// after the ready line.
func startQueue(t *testing.T, roles *extest.Roles, prefix string) (frontend, backend string, out *extest.Lines) {
	t.Helper()
	out = extest.NewLines()
	frontend, backend = "inproc://"+prefix+"-frontend", "inproc://"+prefix+"-backend"
	roles.Go("queue", func(ctx context.Context) error { return queue(ctx, frontend, backend, out) })
	out.Expect(t, strings.Join([]string{"ready", frontend, backend}, " "))
	return frontend, backend, out
}

// TestSimplePirateWorkerCrashes: two workers behind the queue, one of which dies holding the
// third request. The client's retry goes to the survivor, which also gets every request
// after it: the dead worker is never handed work again, having never said it was ready.
// It runs over inproc in a synctest bubble, so the client's timeout fires only on silence.
func TestSimplePirateWorkerCrashes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		roles := extest.NewRoles(t)
		frontend, backend, queueOut := startQueue(t, roles, "simplepirate")
		// The queue hands work out in the order workers became ready: A first, then B.
		crashing, survivor := extest.NewLines(), extest.NewLines()
		crashed := roles.Start(func(ctx context.Context) error { return worker(ctx, backend, "A", 1, crashing) })
		queueOut.Expect(t, "worker A ready")
		roles.Go("worker B", func(ctx context.Context) error { return worker(ctx, backend, "B", 0, survivor) })
		queueOut.Expect(t, "worker B ready")

		cliOut := extest.NewLines()
		p := retry{Timeout: time.Second, Retries: 3}
		done := roles.Start(func(ctx context.Context) error { return client(ctx, frontend, 4, p, cliOut) })
		if err := extest.Wait(t, done); err != nil {
			t.Fatal(err)
		}
		if err := extest.Wait(t, crashed); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"reply 1", "reply 2", "retry 3", "reply 3", "reply 4"} {
			cliOut.Expect(t, want)
		}
		// 1 to A, 2 to B, 3 to A which dies, 3 again and 4 to B.
		crashing.Expect(t, "work 1")
		crashing.Expect(t, "crash 3")
		for _, want := range []string{"work 2", "work 3", "work 4"} {
			survivor.Expect(t, want)
		}
	})
}

// TestSimplePirateTCP: the queue over loopback tcp, outside a bubble, with one worker that
// answers every request at the first try.
func TestSimplePirateTCP(t *testing.T) {
	roles := extest.NewRoles(t)
	queueOut := extest.NewLines()
	roles.Go("queue", func(ctx context.Context) error { return queue(ctx, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*", queueOut) })
	ready := strings.Fields(queueOut.Next(t))
	if len(ready) != 3 || ready[0] != "ready" {
		t.Fatalf("queue printed %q, want ready FRONTEND BACKEND", ready)
	}
	workOut := extest.NewLines()
	roles.Go("worker", func(ctx context.Context) error { return worker(ctx, ready[2], "W", 0, workOut) })
	queueOut.Expect(t, "worker W ready")
	cliOut := extest.NewLines()
	done := roles.Start(func(ctx context.Context) error {
		return client(ctx, ready[1], 3, retry{Timeout: extest.Timeout, Retries: 1}, cliOut)
	})
	if err := extest.Wait(t, done); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1", "2", "3"} {
		cliOut.Expect(t, "reply "+want)
		workOut.Expect(t, "work "+want)
	}
}
