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
// A refused client gets nothing — it prints its refusal before any message — and both sides
// report the refusal; an allowed client that comes after it is served.
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
				expectHellos(t, cliOut, 3)
				return
			}
			if !errors.Is(err, errRefused) {
				t.Fatalf("client ended with %v, want %v", err, errRefused)
			}
			srvOut.Expect(t, "refused (ZAP status 400)")
			cliOut.Expect(t, "refused by the server (ZAP status 400)") // its first line: no message before

			if tc.allow != "127.0.0.1" {
				return
			}
			// The server goes on serving: the allowed client that follows gets its messages.
			done = roles.Start(func(ctx context.Context) error { return client(ctx, endpoint, alice, serverCert, 2, cliOut) })
			if err := extest.Wait(t, done); err != nil {
				t.Fatal(err)
			}
			expectHellos(t, cliOut, 2)
		})
	}
}

// expectHellos reads n lines "Hello N", N counting up by one: a subscriber that joined late
// starts wherever the publisher was, and misses nothing after.
func expectHellos(t *testing.T, out *extest.Lines, n int) {
	t.Helper()
	var first int
	for i := range n {
		line := out.Next(t)
		var k int
		if _, err := fmt.Sscanf(line, "Hello %d", &k); err != nil {
			t.Fatalf("printed %q, want Hello N", line)
		}
		if i == 0 {
			first = k
		} else if k != first+i {
			t.Fatalf("printed %q after Hello %d: a message missing", line, first+i-1)
		}
	}
}
