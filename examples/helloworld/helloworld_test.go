package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/purezmq/zmq/examples/internal/extest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestHelloWorld: the client's ten requests each get "World", and the server saw each "Hello".
func TestHelloWorld(t *testing.T) {
	for _, transport := range []string{"ipc", "tcp"} {
		t.Run(transport, func(t *testing.T) {
			endpoint := "tcp://127.0.0.1:*"
			if transport == "ipc" {
				endpoint = "ipc://" + filepath.Join(t.TempDir(), "hello")
			}
			roles := extest.NewRoles(t)
			srvOut := extest.NewLines()
			roles.Go("server", func(ctx context.Context) error { return server(ctx, endpoint, srvOut) })
			endpoint = strings.TrimPrefix(srvOut.Next(t), "ready ")
			cliOut := extest.NewLines()
			done := roles.Start(func(ctx context.Context) error { return client(ctx, endpoint, 10, cliOut) })
			if err := extest.Wait(t, done); err != nil {
				t.Fatal(err)
			}
			for i := range 10 {
				cliOut.Expect(t, fmt.Sprintf("%d World", i))
				srvOut.Expect(t, "received Hello")
			}
		})
	}
}
