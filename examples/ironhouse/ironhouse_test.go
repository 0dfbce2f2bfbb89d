package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/purezmq/zmq/examples/internal/extest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestIronhouse: the server lets in only a client whose key it holds, from an allowed address.
// A refused client gets nothing — the first message goes to the allowed client that comes
// after it — and both sides report the refusal.
func TestIronhouse(t *testing.T) {
	dir := t.TempDir()
	serverCert := filepath.Join(dir, "server", "server.cert")
	alice := filepath.Join(dir, "clients", "alice.cert")
	mallory := filepath.Join(dir, "strangers", "mallory.cert")
	for _, path := range []string{serverCert, alice, mallory} {
		if err := keygen(path, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name    string
		allow   string // the server's address allow list
		cert    string // the first client's certificate
		refused bool
	}{
		{"known key from allowed address", "127.0.0.1", alice, false},
		{"unknown key", "127.0.0.1", mallory, true},
		{"known key from other address", "192.0.2.1", alice, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			roles := extest.NewRoles(t)
			srvOut := extest.NewLines()
			roles.Go("server", func(ctx context.Context) error {
				return server(ctx, "tcp://127.0.0.1:*", serverCert, filepath.Dir(alice), []string{tc.allow}, srvOut)
			})
			endpoint := strings.TrimPrefix(srvOut.Next(t), "ready ")
			cliOut := extest.NewLines()
			done := roles.Start(func(ctx context.Context) error {
				return client(ctx, endpoint, tc.cert, serverCert, 3, cliOut)
			})
			err := extest.Wait(t, done)
			if !tc.refused {
				if err != nil {
					t.Fatal(err)
				}
				srvOut.Expect(t, "accepted")
				for i := range 3 {
					cliOut.Expect(t, fmt.Sprintf("Hello %d", i))
				}
				return
			}
			if !errors.Is(err, errRefused) {
				t.Fatalf("client ended with %v, want %v", err, errRefused)
			}
			srvOut.Expect(t, "refused (ZAP status 400)")
			cliOut.Expect(t, "refused by the server (ZAP status 400)")
			if tc.allow != "127.0.0.1" {
				return
			}
			// The refused client got nothing: the allowed one that follows gets the first
			// message the server sent.
			done = roles.Start(func(ctx context.Context) error { return client(ctx, endpoint, alice, serverCert, 1, cliOut) })
			if err := extest.Wait(t, done); err != nil {
				t.Fatal(err)
			}
			cliOut.Expect(t, "Hello 0")
		})
	}
}
