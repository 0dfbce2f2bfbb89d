package main

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/purezmq/zmq/examples/internal/extest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestEspresso: a subscriber to A and B gets only A and B messages through the proxy, and the
// proxy's capture shows both subscriptions going up and every message the subscriber got
// coming down — and nothing else, since the publisher sends only what is subscribed to.
func TestEspresso(t *testing.T) {
	for _, transport := range []string{"ipc", "tcp"} {
		t.Run(transport, func(t *testing.T) {
			frontend, backend := "tcp://127.0.0.1:*", "tcp://127.0.0.1:*"
			if transport == "ipc" {
				dir := t.TempDir()
				frontend, backend = "ipc://"+filepath.Join(dir, "front"), "ipc://"+filepath.Join(dir, "back")
			}
			roles := extest.NewRoles(t)
			proxyOut := extest.NewLines()
			roles.Go("proxy", func(ctx context.Context) error { return proxy(ctx, frontend, backend, proxyOut) })
			eps := strings.Fields(strings.TrimPrefix(proxyOut.Next(t), "ready "))
			if len(eps) != 2 {
				t.Fatalf("ready line has %d endpoints, want 2", len(eps))
			}
			roles.Go("publisher", func(ctx context.Context) error { return publisher(ctx, eps[0], time.Millisecond, 0) })
			const n = 6
			subOut := extest.NewLines()
			done := roles.Start(func(ctx context.Context) error {
				return subscriber(ctx, eps[1], []string{"A", "B"}, n, subOut)
			})
			if err := extest.Wait(t, done); err != nil {
				t.Fatal(err)
			}
			want := map[string]bool{strconv.Quote("\x01A"): true, strconv.Quote("\x01B"): true}
			for range n {
				got := subOut.Next(t)
				if !strings.HasPrefix(got, "A-") && !strings.HasPrefix(got, "B-") {
					t.Fatalf("subscriber to A and B got %q", got)
				}
				want[strconv.Quote(got)] = true
			}
			// The capture interleaves both directions; every message it shows must be a
			// subscription or an A or B message.
			for len(want) > 0 {
				line := proxyOut.Next(t)
				frame, ok := strings.CutPrefix(line, "captured [")
				frame, ok2 := strings.CutSuffix(frame, "]")
				if !ok || !ok2 {
					t.Fatalf("proxy printed %q, want captured [FRAME]", line)
				}
				s, err := strconv.Unquote(frame)
				if err != nil || !(strings.HasPrefix(s, "A-") || strings.HasPrefix(s, "B-") || s == "\x01A" || s == "\x01B") {
					t.Fatalf("capture shows %s: the proxy passed something nobody subscribed to", frame)
				}
				delete(want, frame)
			}
		})
	}
}
