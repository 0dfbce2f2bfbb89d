package examplestest

import (
	"strings"
	"testing"

	"github.com/purezmq/zmq/interop/internal/proctest"
)

// TestLazyPirateAgainstLibzmq: the Go lazy pirate client against a lazy pirate server on
// libzmq that crashes on the third request. The client retries on new sockets until a server
// restarted on the same endpoint answers, and carries on from the lost request.
func TestLazyPirateAgainstLibzmq(t *testing.T) {
	srv := python(t, "lpserver", "tcp://127.0.0.1:*", "2", "crash")
	ep := strings.TrimPrefix(srv.Line(), "ready ")
	cli := example(t, "lazypirate", "client", "-connect", ep, "-n", "4", "-timeout", "1s", "-retries", "10")
	for _, want := range []string{"received 1", "received 2", "crash 3"} {
		srv.Expect(want)
	}
	srv.MustExit()
	for _, want := range []string{"reply 1", "reply 2", "retry 3"} {
		cli.Expect(want)
	}
	restarted := python(t, "lpserver", ep, "2", "exit")
	for _, want := range []string{"ready " + ep, "received 3", "received 4"} {
		restarted.Expect(want)
	}
	restarted.MustExit()
	// More tries may have timed out while the new server started.
	if got := lineOtherThan(cli, "retry 3"); got != "reply 3" {
		t.Fatalf("client printed %q, want reply 3", got)
	}
	cli.Expect("reply 4")
	cli.MustExit()
}

// lineOtherThan is p's next line that is not skip.
func lineOtherThan(p *proctest.Proc, skip string) string {
	for {
		if l := p.Line(); l != skip {
			return l
		}
	}
}
