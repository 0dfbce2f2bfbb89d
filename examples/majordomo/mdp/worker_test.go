package mdp

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/purezmq/zmq"
	"github.com/purezmq/zmq/examples/internal/extest"
)

// echo is a Handler that sends the request back, once as a PARTIAL and then as the FINAL.
func echo(_ context.Context, body [][]byte, partial func(...[]byte) error) ([][]byte, error) {
	if err := partial(body...); err != nil {
		return nil, err
	}
	return body, nil
}

// readyFrom waits, on a fake broker, for a worker's READY among its heartbeats, and returns
// the routing id it came from.
func readyFrom(t *testing.T, broker *zmq.Socket) string {
	t.Helper()
	for {
		m := recv(t, broker)
		if len(m) == 4 && string(m[1]) == WorkerHeader && string(m[2]) == "\x01" {
			if string(m[3]) != "echo" {
				t.Fatalf("READY for %q", m[3])
			}
			return string(m[0])
		}
	}
}

// TestWorkerServes: the worker registers, skips what is not an MDP/0.2 command, serves each
// REQUEST with a PARTIAL and a FINAL for the same client, and after Max requests says
// DISCONNECT and returns nil.
func TestWorkerServes(t *testing.T) {
	rt, ep := router(t)
	roles := extest.NewRoles(t)
	done := roles.Start(func(ctx context.Context) error {
		return Worker{Endpoint: ep, Service: "echo", Heartbeat: quiet, Max: 2}.Run(ctx, echo)
	})
	id := readyFrom(t, rt)
	send(t, rt, frames(id, "MDPW01", "\x02", "c", "", "0.1")...) // dropped
	send(t, rt, frames(id, "MDPW02", "\x02", "", "", "x")...)    // dropped
	for _, body := range []string{"one", "two"} {
		send(t, rt, frames(id, "MDPW02", "\x02", "client", "", body)...)
		expect(t, recv(t, rt), id, "MDPW02", "\x03", "client", "", body)
		expect(t, recv(t, rt), id, "MDPW02", "\x04", "client", "", body)
	}
	expect(t, recv(t, rt), id, "MDPW02", "\x06")
	if err := extest.Wait(t, done); err != nil {
		t.Fatal(err)
	}
}

// TestWorkerStartsOver: a worker disconnected by the broker, or hearing nothing from it for
// Liveness heartbeats (while heartbeating itself), registers again from a new socket.
func TestWorkerStartsOver(t *testing.T) {
	rt, ep := router(t)
	roles := extest.NewRoles(t)
	log := extest.NewLines()
	roles.Go("worker", func(ctx context.Context) error {
		return Worker{Endpoint: ep, Service: "echo", Heartbeat: 50 * time.Millisecond, Liveness: 3,
			Reconnect: time.Millisecond, Log: log}.Run(ctx, echo)
	})
	first := readyFrom(t, rt)
	log.Expect(t, "connecting "+ep)
	send(t, rt, frames(first, "MDPW02", "\x06")...)
	log.Expect(t, "disconnected by the broker")
	log.Expect(t, "connecting "+ep)
	second := readyFrom(t, rt)
	if second == first {
		t.Fatal("the worker registered again from the same socket")
	}
	// Now the broker stays silent: the worker heartbeats, then gives up on it.
	for {
		m := recv(t, rt)
		if string(m[0]) == second && len(m) == 3 && string(m[2]) == "\x05" {
			break
		}
	}
	log.Expect(t, "broker lost")
	log.Expect(t, "connecting "+ep)
	if third := readyFrom(t, rt); third == second {
		t.Fatal("the worker registered again from the same socket")
	}
}

// TestWorkerLostLeavesNothing: what a worker queued for a broker it then gave up on (its
// heartbeats) is dropped with the socket: a broker that binds the endpoint afterwards hears
// nothing from that session. (It heard a HEARTBEAT from a worker it never met, and said
// "unexpected command".)
func TestWorkerLostLeavesNothing(t *testing.T) {
	rt, ep := router(t)
	roles := extest.NewRoles(t)
	log := extest.NewLines()
	roles.Go("worker", func(ctx context.Context) error {
		// A heartbeat queued for the broker, then two of silence: lost, with that heartbeat
		// still in the socket, which lingers (before the fix) a heartbeat, long beside its
		// reconnect interval. No second session within the test.
		return Worker{Endpoint: ep, Service: "echo", Heartbeat: 400 * time.Millisecond, Liveness: 2,
			Reconnect: time.Hour, Log: log}.Run(ctx, echo)
	})
	log.Expect(t, "connecting "+ep)
	readyFrom(t, rt)
	rt.Close() // the broker goes; the worker's heartbeats queue for its return
	log.Expect(t, "broker lost")
	again := rawSocket(t, zmq.ROUTER)
	if err := again.Bind(ep); err != nil {
		t.Fatal(err)
	}
	// Longer than the old session's linger and its socket's reconnect interval together.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if m, err := again.Recv(ctx); err == nil {
		t.Fatalf("the broker bound afterwards heard %q from the lost session", m.Frames)
	}
}

// TestWorkerHandlerError: a handler's error ends Run with it.
func TestWorkerHandlerError(t *testing.T) {
	rt, ep := router(t)
	roles := extest.NewRoles(t)
	boom := errors.New("boom")
	done := roles.Start(func(ctx context.Context) error {
		return Worker{Endpoint: ep, Service: "echo", Heartbeat: quiet}.Run(ctx,
			func(context.Context, [][]byte, func(...[]byte) error) ([][]byte, error) { return nil, boom })
	})
	id := readyFrom(t, rt)
	send(t, rt, frames(id, "MDPW02", "\x02", "client", "", "x")...)
	if err := extest.Wait(t, done); !errors.Is(err, boom) {
		t.Fatalf("Run returned %v, want boom", err)
	}
}

// TestWorkerStops: cancelling the worker's ctx makes it say DISCONNECT and return nil.
func TestWorkerStops(t *testing.T) {
	rt, ep := router(t)
	roles := extest.NewRoles(t)
	ctx, cancel := context.WithCancel(roles.Ctx())
	done := roles.Start(func(context.Context) error {
		return Worker{Endpoint: ep, Service: "echo", Heartbeat: quiet}.Run(ctx, echo)
	})
	id := readyFrom(t, rt)
	cancel()
	expect(t, recv(t, rt), id, "MDPW02", "\x06")
	if err := extest.Wait(t, done); err != nil {
		t.Fatal(err)
	}
}

// TestWorkerStopsWithoutBroker: a worker stopped through its ctx while no broker is there
// leaves nothing running soon after Run returns, whatever its heartbeat. Its READY and parting
// DISCONNECT have nowhere to go; the socket lingered a whole heartbeat for them (an hour here),
// which the majordomo example's tests saw as a leaked goroutine.
func TestWorkerStopsWithoutBroker(t *testing.T) {
	before := goleak.IgnoreCurrent()
	ep := "ipc://" + filepath.Join(t.TempDir(), "nobody")
	ctx, stop := context.WithCancel(context.Background())
	log := extest.NewLines()
	done := make(chan error, 1)
	go func() {
		done <- Worker{Endpoint: ep, Service: "echo", Heartbeat: quiet, Log: log}.Run(ctx, echo)
	}()
	log.Expect(t, "connecting "+ep)
	stop()
	if err := extest.Wait(t, done); err != nil {
		t.Fatalf("Run returned %v", err)
	}
	goleak.VerifyNone(t, before)
}
