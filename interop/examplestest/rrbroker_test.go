package examplestest

import (
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/purezmq/zmq/interop/internal/proctest"
)

// TestRRBrokerAgainstLibzmq: behind either Go broker (zmq.Proxy or the Poller loop), a libzmq
// REP worker answers two Go clients' requests, each reply reaching the client that asked.
func TestRRBrokerAgainstLibzmq(t *testing.T) {
	const n = 5
	for _, role := range []string{"broker", "pollbroker"} {
		t.Run(role, func(t *testing.T) {
			brk := example(t, "rrbroker", role, "-frontend", "tcp://127.0.0.1:*", "-backend", "tcp://127.0.0.1:*")
			f := strings.Fields(brk.Line())
			if len(f) != 3 || f[0] != "ready" {
				t.Fatalf("broker printed %q", f)
			}
			wrk := python(t, "rrworker", f[2], fmt.Sprint(2*n))
			clients := map[string]*proctest.Proc{}
			for _, c := range []string{"c0", "c1"} { // both at once
				clients[c] = example(t, "rrbroker", "client", "-connect", f[1], "-name", c, "-n", fmt.Sprint(n))
			}
			want := map[string]bool{}
			for c, cli := range clients {
				for i := range n {
					cli.Expect(fmt.Sprintf("World %s %d", c, i))
					want[fmt.Sprintf("received Hello %s %d", c, i)] = true
				}
				cli.MustExit()
			}
			for range 2 * n {
				line := wrk.Line()
				if !want[line] {
					t.Fatalf("worker printed %q, not one of the requests outstanding", line)
				}
				delete(want, line)
			}
			wrk.MustExit()
			brk.Signal(syscall.SIGTERM)
			brk.MustExit()
		})
	}
}
