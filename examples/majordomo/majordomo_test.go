package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/purezmq/zmq/examples/internal/extest"
	"github.com/purezmq/zmq/examples/majordomo/mdp"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Short intervals, so that the tests see heartbeats, losses and retries quickly.
const (
	heartbeat = 50 * time.Millisecond
	timeout   = 500 * time.Millisecond
)

func endpoint(t *testing.T, transport string) string {
	if transport == "ipc" {
		return "ipc://" + filepath.Join(t.TempDir(), "broker")
	}
	return "tcp://127.0.0.1:*"
}

// startBroker runs the broker role under ctx and returns its endpoint and output.
func startBroker(ctx context.Context, t *testing.T, roles *extest.Roles, ep string) (string, *extest.Lines) {
	out := extest.NewLines()
	roles.Go("broker", func(context.Context) error {
		return run(ctx, []string{"broker", "-bind", ep, "-heartbeat", heartbeat.String()}, out)
	})
	return strings.TrimPrefix(out.Next(t), "ready "), out
}

// startWorker runs an echo worker role under ctx, once it has registered with the broker.
func startWorker(ctx context.Context, t *testing.T, roles *extest.Roles, ep string, brokerOut *extest.Lines, args ...string) *extest.Lines {
	out := extest.NewLines()
	roles.Go("worker", func(context.Context) error {
		return run(ctx, append([]string{"worker", "-connect", ep, "-heartbeat", heartbeat.String(),
			"-reconnect", heartbeat.String()}, args...), out)
	})
	out.Expect(t, "connecting "+ep)
	brokerOut.Expect(t, "worker ready echo")
	return out
}

// TestMajordomo: a client's requests to echo come back through the broker, with the worker's
// PARTIALs, and mmi.service knows which services have workers.
func TestMajordomo(t *testing.T) {
	for _, transport := range []string{"ipc", "tcp"} {
		t.Run(transport, func(t *testing.T) {
			roles := extest.NewRoles(t)
			ep, brokerOut := startBroker(roles.Ctx(), t, roles, endpoint(t, transport))
			workerOut := startWorker(roles.Ctx(), t, roles, ep, brokerOut, "-partials", "2")
			cliOut := extest.NewLines()
			done := roles.Start(func(ctx context.Context) error {
				return run(ctx, []string{"client", "-connect", ep, "-n", "3", "-body", "Hello"}, cliOut)
			})
			if err := extest.Wait(t, done); err != nil {
				t.Fatal(err)
			}
			for i := range 3 {
				cliOut.Expect(t, fmt.Sprintf("%d partial Hello", i))
				cliOut.Expect(t, fmt.Sprintf("%d partial Hello", i))
				cliOut.Expect(t, fmt.Sprintf("%d Hello", i))
				workerOut.Expect(t, "request Hello")
			}
			for service, want := range map[string]string{"echo": "0 200", "nobody": "0 404"} {
				mmiOut := extest.NewLines()
				done := roles.Start(func(ctx context.Context) error {
					return run(ctx, []string{"client", "-connect", ep, "-service", "mmi.service", "-body", service}, mmiOut)
				})
				if err := extest.Wait(t, done); err != nil {
					t.Fatal(err)
				}
				mmiOut.Expect(t, want)
			}
		})
	}
}

// TestMajordomoWorkerDies: of two workers, one is killed; the broker finds out from its
// silence and the other serves every request.
func TestMajordomoWorkerDies(t *testing.T) {
	roles := extest.NewRoles(t)
	ep, brokerOut := startBroker(roles.Ctx(), t, roles, endpoint(t, "ipc"))
	startWorker(roles.Ctx(), t, roles, ep, brokerOut)
	// The victim freezes: it registers, then never heartbeats (its interval is an hour) and
	// hangs on any request it gets, saying nothing, as a crashed process would.
	victim := mdp.Worker{Endpoint: ep, Service: "echo", Heartbeat: time.Hour, Liveness: 1000}
	vctx, kill := context.WithCancel(roles.Ctx())
	victimOut := extest.NewLines()
	roles.Go("victim", func(context.Context) error {
		victim.Log = victimOut
		return victim.Run(vctx, func(ctx context.Context, _ [][]byte, _ func(...[]byte) error) ([][]byte, error) {
			<-ctx.Done() // hangs on its request until killed
			return nil, ctx.Err()
		})
	})
	victimOut.Expect(t, "connecting "+ep)
	brokerOut.Expect(t, "worker ready echo")
	t.Cleanup(kill)

	cliOut := extest.NewLines()
	done := roles.Start(func(ctx context.Context) error {
		return run(ctx, []string{"client", "-connect", ep, "-n", "4", "-timeout", timeout.String(), "-retries", "5"}, cliOut)
	})
	brokerOut.Expect(t, "worker expired echo") // the silent victim
	if err := extest.Wait(t, done); err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		cliOut.Expect(t, fmt.Sprintf("%d Hello", i))
	}
}

// TestMajordomoBrokerRestarts: the broker is stopped and started again on the same endpoint;
// the worker notices the silence and registers again, and the client's retry gets through.
func TestMajordomoBrokerRestarts(t *testing.T) {
	roles := extest.NewRoles(t)
	ep := endpoint(t, "ipc")
	bctx, stopBroker := context.WithCancel(roles.Ctx())
	_, brokerOut := startBroker(bctx, t, roles, ep)
	workerOut := startWorker(roles.Ctx(), t, roles, ep, brokerOut)
	stopBroker()
	workerOut.Expect(t, "broker lost")
	workerOut.Expect(t, "connecting "+ep)

	_, brokerOut = startBroker(roles.Ctx(), t, roles, ep)
	brokerOut.Expect(t, "worker ready echo")
	cliOut := extest.NewLines()
	done := roles.Start(func(ctx context.Context) error {
		return run(ctx, []string{"client", "-connect", ep, "-timeout", timeout.String()}, cliOut)
	})
	if err := extest.Wait(t, done); err != nil {
		t.Fatal(err)
	}
	cliOut.Expect(t, "0 Hello")
}

// TestMajordomoNoService: a request for a service nobody offers fails after its retries.
func TestMajordomoNoService(t *testing.T) {
	roles := extest.NewRoles(t)
	ep, _ := startBroker(roles.Ctx(), t, roles, endpoint(t, "tcp"))
	err := run(roles.Ctx(), []string{"client", "-connect", ep, "-service", "nobody", "-timeout", "50ms", "-retries", "1"}, extest.NewLines())
	if !errors.Is(err, mdp.ErrNoReply) {
		t.Fatalf("got %v, want mdp.ErrNoReply", err)
	}
}
