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

// The tests run over inproc in a synctest bubble: heartbeats, expiries and timeouts happen on
// the bubble's clock, which moves only when every role is blocked, so a peer counts as dead
// only when it is silent, never because the machine is slow.
var (
	hb       = heartbeat{interval: 100 * time.Millisecond, liveness: 3}
	patience = retry{Timeout: time.Second, Retries: 3}
)

// startQueue runs the queue on inproc endpoints named after prefix until ctx ends, waits for
// its ready line and returns its output after it, and its result.
func startQueue(t *testing.T, roles *extest.Roles, ctx context.Context, prefix string) (out *extest.Lines, done <-chan error) {
	t.Helper()
	out = extest.NewLines()
	frontend, backend := "inproc://"+prefix+"-frontend", "inproc://"+prefix+"-backend"
	done = roles.Start(func(context.Context) error { return queue(ctx, frontend, backend, hb, out) })
	out.Expect(t, strings.Join([]string{"ready", frontend, backend}, " "))
	return out, done
}

// TestParanoidPirateWorkerDies: worker A is killed while idle. Nothing tells the queue but
// A's missing heartbeats: after hb.liveness intervals it drops A, and then every request goes
// to the survivor B at the first try. Without the purge, the queue would hand one of the
// requests to A and the client would have to retry.
func TestParanoidPirateWorkerDies(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		roles := extest.NewRoles(t)
		queueOut, _ := startQueue(t, roles, roles.Ctx(), "pp-dies")
		backend, frontend := "inproc://pp-dies-backend", "inproc://pp-dies-frontend"
		bo := backoff{initial: time.Second, max: time.Second}
		killCtx, kill := context.WithCancel(roles.Ctx())
		killed := roles.Start(func(context.Context) error { return worker(killCtx, backend, "A", hb, bo, 0, extest.NewLines()) })
		queueOut.Expect(t, "worker A ready")
		survivor := extest.NewLines()
		roles.Go("worker B", func(ctx context.Context) error { return worker(ctx, backend, "B", hb, bo, 0, survivor) })
		queueOut.Expect(t, "worker B ready")

		kill()
		if err := extest.Wait(t, killed); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		queueOut.Expect(t, "worker A expired")
		if waited := time.Since(start); waited <= hb.deadAfter() || waited > hb.deadAfter()+hb.interval {
			t.Errorf("A expired %v after it died, want after %v and within one more interval", waited, hb.deadAfter())
		}

		cliOut := extest.NewLines()
		done := roles.Start(func(ctx context.Context) error { return client(ctx, frontend, 3, patience, cliOut) })
		if err := extest.Wait(t, done); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"1", "2", "3"} {
			cliOut.Expect(t, "reply "+want)
			survivor.Expect(t, "work "+want)
		}
	})
}

// TestParanoidPirateQueueRestarts: the queue dies under an idle worker. The worker notices the
// silence after hb.liveness intervals and reconnects, waiting twice as long each time it finds
// no queue; once a queue is restarted on the same endpoints the worker joins it and serves
// the client.
func TestParanoidPirateQueueRestarts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		roles := extest.NewRoles(t)
		stopCtx, stop := context.WithCancel(roles.Ctx())
		queueOut, stopped := startQueue(t, roles, stopCtx, "pp-restart")
		backend, frontend := "inproc://pp-restart-backend", "inproc://pp-restart-frontend"
		workOut := extest.NewLines()
		bo := backoff{initial: 200 * time.Millisecond, max: 400 * time.Millisecond}
		roles.Go("worker", func(ctx context.Context) error { return worker(ctx, backend, "W", hb, bo, 0, workOut) })
		queueOut.Expect(t, "worker W ready")

		stop()
		if err := extest.Wait(t, stopped); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		workOut.Expect(t, "reconnect in 200ms")
		if waited := time.Since(start); waited < hb.deadAfter()-hb.interval || waited > hb.deadAfter()+hb.interval {
			t.Errorf("the worker reconnected %v after the queue died, want about %v", waited, hb.deadAfter())
		}
		workOut.Expect(t, "reconnect in 400ms") // no queue the first time: twice the wait
		workOut.Expect(t, "reconnect in 400ms") // at most bo.max

		restarted, _ := startQueue(t, roles, roles.Ctx(), "pp-restart")
		restarted.Expect(t, "worker W ready")
		cliOut := extest.NewLines()
		done := roles.Start(func(ctx context.Context) error { return client(ctx, frontend, 2, patience, cliOut) })
		if err := extest.Wait(t, done); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"1", "2"} {
			cliOut.Expect(t, "reply "+want)
			workOut.Expect(t, "work "+want)
		}
	})
}

// TestParanoidPirateTCP: queue, worker and client over loopback tcp, outside a bubble.
// Heartbeats are as the guide's (a second), longer than the test, so none is missed.
func TestParanoidPirateTCP(t *testing.T) {
	roles := extest.NewRoles(t)
	hb := heartbeat{interval: time.Second, liveness: 3}
	queueOut := extest.NewLines()
	roles.Go("queue", func(ctx context.Context) error {
		return queue(ctx, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*", hb, queueOut)
	})
	ready := strings.Fields(queueOut.Next(t))
	if len(ready) != 3 || ready[0] != "ready" {
		t.Fatalf("queue printed %q, want ready FRONTEND BACKEND", ready)
	}
	workOut := extest.NewLines()
	bo := backoff{initial: time.Second, max: time.Second}
	roles.Go("worker", func(ctx context.Context) error { return worker(ctx, ready[2], "W", hb, bo, 0, workOut) })
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
