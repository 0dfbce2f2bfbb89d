package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/purezmq/zmq/examples/internal/extest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestRRBroker: through either broker, three clients' requests are each answered once, by one
// of two workers, and each reply reaches the client that asked.
func TestRRBroker(t *testing.T) {
	const clients, workers, n = 3, 2, 10
	brokers := []struct {
		name string
		run  func(ctx context.Context, frontend, backend string, out io.Writer) error
	}{{"proxy", broker}, {"poller", pollBroker}}
	for _, b := range brokers {
		for _, transport := range []string{"ipc", "tcp"} {
			t.Run(b.name+"/"+transport, func(t *testing.T) {
				frontend, backend := "tcp://127.0.0.1:*", "tcp://127.0.0.1:*"
				if transport == "ipc" {
					dir := t.TempDir()
					frontend, backend = "ipc://"+filepath.Join(dir, "frontend"), "ipc://"+filepath.Join(dir, "backend")
				}
				roles := extest.NewRoles(t)
				brokerOut := extest.NewLines()
				roles.Go("broker", func(ctx context.Context) error { return b.run(ctx, frontend, backend, brokerOut) })
				f := strings.Fields(brokerOut.Next(t))
				if len(f) != 3 || f[0] != "ready" {
					t.Fatalf("broker printed %q", f)
				}
				frontend, backend = f[1], f[2]

				workerOut := extest.NewLines() // both workers': the test counts requests, not who took them
				for i := range workers {
					roles.Go(fmt.Sprint("worker ", i), func(ctx context.Context) error { return worker(ctx, backend, workerOut) })
				}
				outs := make([]*extest.Lines, clients)
				var dones []<-chan error
				for c := range clients {
					out := extest.NewLines()
					outs[c] = out
					dones = append(dones, roles.Start(func(ctx context.Context) error {
						return client(ctx, frontend, fmt.Sprint("c", c), n, out)
					}))
				}
				for _, done := range dones {
					if err := extest.Wait(t, done); err != nil {
						t.Fatal(err)
					}
				}
				want := map[string]bool{}
				for c, out := range outs {
					for i := range n {
						out.Expect(t, fmt.Sprintf("World c%d %d", c, i))
						want[fmt.Sprintf("received Hello c%d %d", c, i)] = true
					}
				}
				for range clients * n {
					line := workerOut.Next(t)
					if !want[line] {
						t.Fatalf("workers printed %q, not one of the requests outstanding", line)
					}
					delete(want, line)
				}
			})
		}
	}
}
