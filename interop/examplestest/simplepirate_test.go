package examplestest

import (
	"strings"
	"syscall"
	"testing"
)

// TestSimplePirateAgainstLibzmq: the Go queue with a libzmq worker that dies holding the third
// request and a Go worker that survives. The Go client's retry of the lost request, and all
// later ones, reach the survivor.
func TestSimplePirateAgainstLibzmq(t *testing.T) {
	queue := example(t, "simplepirate", "queue", "-frontend", "tcp://127.0.0.1:*", "-backend", "tcp://127.0.0.1:*")
	ready := strings.Fields(queue.Line())
	if len(ready) != 3 || ready[0] != "ready" {
		t.Fatalf("queue printed %q, want ready FRONTEND BACKEND", ready)
	}
	frontend, backend := ready[1], ready[2]
	// The queue hands work out in the order workers became ready: python first.
	py := python(t, "spworker", backend, "py", "1", "crash")
	queue.Expect("worker py ready")
	gow := example(t, "simplepirate", "worker", "-connect", backend, "-id", "go")
	queue.Expect("worker go ready")

	cli := example(t, "simplepirate", "client", "-connect", frontend, "-n", "4", "-timeout", "1s", "-retries", "3")
	// 1 to python, 2 to go, 3 to python which dies, 3 again and 4 to go.
	for _, want := range []string{"reply 1", "reply 2", "retry 3", "reply 3", "reply 4"} {
		cli.Expect(want)
	}
	cli.MustExit()
	py.Expect("work 1")
	py.Expect("crash 3")
	py.MustExit()
	for _, want := range []string{"work 2", "work 3", "work 4"} {
		gow.Expect(want)
	}
	gow.Signal(syscall.SIGTERM)
	gow.MustExit()
	queue.Signal(syscall.SIGTERM)
	queue.MustExit()
}
