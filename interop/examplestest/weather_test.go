package examplestest

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestWeatherAgainstLibzmq: the Go server (an XPUB that waits for the first subscription)
// publishes to a libzmq client, which receives only its zipcode's updates, none lost to the
// slow joiner, and averages them.
func TestWeatherAgainstLibzmq(t *testing.T) {
	const n, zip = 20, "00003"
	srv := example(t, "weather", "server", "-bind", "tcp://127.0.0.1:*", "-zips", "10")
	ep := strings.TrimPrefix(srv.Line(), "ready ")
	cli := python(t, "wuclient", ep, zip, fmt.Sprint(n))
	srv.Expect(fmt.Sprintf("subscribe %q", zip+" "))
	total := 0
	for range n {
		f := strings.Fields(cli.Line())
		if len(f) != 3 || f[0] != zip {
			t.Fatalf("client printed %q, want an update of %s", f, zip)
		}
		temp, err := strconv.Atoi(f[1])
		if err != nil {
			t.Fatal(err)
		}
		total += temp
	}
	cli.Expect(fmt.Sprintf("average temperature for zipcode %s was %.1f", zip, float64(total)/n))
	cli.MustExit()
	srv.Expect(fmt.Sprintf("unsubscribe %q", zip+" ")) // the client's leaving reached the server
	srv.Signal(syscall.SIGTERM)
	srv.MustExit()
}
