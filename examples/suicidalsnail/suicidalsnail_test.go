package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/purezmq/zmq/examples/internal/extest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestSuicidalSnail: a subscriber ten times slower than the publisher finds itself behind and
// aborts; one that does no work keeps up with a generous limit (so that a loaded machine does
// not make it fail) and ends normally, which shows the detection is not unconditional.
func TestSuicidalSnail(t *testing.T) {
	for _, tc := range []struct {
		name           string
		work, maxDelay time.Duration
		n              int
		wantTooSlow    bool
	}{
		{"slow subscriber", 10 * time.Millisecond, 50 * time.Millisecond, 0, true},
		{"fast subscriber", 0, 10 * time.Second, 100, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			roles := extest.NewRoles(t)
			pubOut := extest.NewLines()
			roles.Go("publisher", func(ctx context.Context) error {
				return publisher(ctx, "tcp://127.0.0.1:*", time.Millisecond, pubOut)
			})
			endpoint := strings.TrimPrefix(pubOut.Next(t), "ready ")
			subOut := extest.NewLines()
			done := roles.Start(func(ctx context.Context) error {
				return subscriber(ctx, endpoint, tc.work, tc.maxDelay, tc.n, subOut)
			})
			err := extest.Wait(t, done)
			if !tc.wantTooSlow {
				if err != nil {
					t.Fatal(err)
				}
				subOut.Expect(t, "kept up with 100 messages")
				return
			}
			if !errors.Is(err, errTooSlow) {
				t.Fatalf("slow subscriber ended with %v, want %v", err, errTooSlow)
			}
			if line := subOut.Next(t); !strings.HasPrefix(line, "aborting: ") {
				t.Fatalf("slow subscriber printed %q, want aborting: ...", line)
			}
		})
	}
}
