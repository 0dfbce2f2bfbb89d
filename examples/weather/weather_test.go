package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/purezmq/zmq"
	"github.com/purezmq/zmq/examples/internal/extest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestWeather: two clients, one subscribed before the server publishes and one joining while
// it does, each receive n updates of their own zipcode only, and print the true average.
func TestWeather(t *testing.T) {
	const n = 20
	for _, transport := range []string{"ipc", "tcp"} {
		t.Run(transport, func(t *testing.T) {
			endpoint := "tcp://127.0.0.1:*"
			if transport == "ipc" {
				endpoint = "ipc://" + filepath.Join(t.TempDir(), "weather")
			}
			roles := extest.NewRoles(t)
			srvOut := extest.NewLines()
			roles.Go("server", func(ctx context.Context) error { return server(ctx, endpoint, 4, srvOut) })
			endpoint = strings.TrimPrefix(srvOut.Next(t), "ready ")

			first, late := extest.NewLines(), extest.NewLines()
			firstDone := roles.Start(func(ctx context.Context) error { return client(ctx, endpoint, "00001", n, first) })
			srvOut.Expect(t, `subscribe "00001 "`) // the server publishes from now on
			lateDone := roles.Start(func(ctx context.Context) error { return client(ctx, endpoint, "00002", n, late) })
			for _, done := range []<-chan error{firstDone, lateDone} {
				if err := extest.Wait(t, done); err != nil {
					t.Fatal(err)
				}
			}
			checkClient(t, first, "00001", n)
			checkClient(t, late, "00002", n)
			// The late subscription reached the server too (after or before the first client's
			// unsubscription, as the two connections go).
			for line := srvOut.Next(t); line != `subscribe "00002 "`; line = srvOut.Next(t) {
				if line != `unsubscribe "00001 "` {
					t.Fatalf("server printed %q", line)
				}
			}
		})
	}
}

// checkClient reads a client's n updates, each of zip, and its average, which must be theirs.
func checkClient(t *testing.T, out *extest.Lines, zip string, n int) {
	t.Helper()
	total := 0
	for range n {
		f := strings.Fields(out.Next(t))
		if len(f) != 3 || f[0] != zip {
			t.Fatalf("update %q: want zipcode %s", f, zip)
		}
		temp, err := strconv.Atoi(f[1])
		if err != nil {
			t.Fatal(err)
		}
		total += temp
	}
	out.Expect(t, fmt.Sprintf("average temperature for zipcode %s was %.1f", zip, float64(total)/float64(n)))
}

// TestWeatherRejectsBadUpdate: an update the client cannot parse is an error, not a panic or a
// wrong average.
func TestWeatherRejectsBadUpdate(t *testing.T) {
	// A publisher that sends garbage under the client's zipcode.
	endpoint := "ipc://" + filepath.Join(t.TempDir(), "bad")
	roles := extest.NewRoles(t)
	pubOut := extest.NewLines()
	roles.Go("publisher", func(ctx context.Context) error { return garbage(ctx, endpoint, "00001 hot", pubOut) })
	pubOut.Expect(t, "ready")
	done := roles.Start(func(ctx context.Context) error { return client(ctx, endpoint, "00001", 1, extest.NewLines()) })
	if err := extest.Wait(t, done); !errors.Is(err, errBadUpdate) {
		t.Fatalf("client returned %v, want %v", err, errBadUpdate)
	}
}

// garbage publishes update once its first subscriber has subscribed, then waits for the end.
func garbage(ctx context.Context, endpoint, update string, out io.Writer) error {
	pub, err := zmq.NewSocket(zmq.XPUB)
	if err != nil {
		return err
	}
	defer pub.Close()
	if err := pub.Bind(endpoint); err != nil {
		return err
	}
	fmt.Fprintln(out, "ready")
	if _, err := pub.Recv(ctx); err != nil {
		return err
	}
	if err := pub.Send(ctx, zmq.NewMsgString(update)); err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}
