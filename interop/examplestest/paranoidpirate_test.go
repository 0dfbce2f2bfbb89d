package examplestest

import (
	"strings"
	"syscall"
	"testing"
)

// TestParanoidPirateAgainstLibzmq: a libzmq paranoid pirate worker behind the Go queue. They
// keep each other alive with heartbeats for longer than either side's liveness (the worker
// would print "queue silent" and exit, the queue would drop the worker and the client could
// not be served); the worker serves the Go client's requests at the first try, exits, and
// the queue drops it once its heartbeats stop.
func TestParanoidPirateAgainstLibzmq(t *testing.T) {
	const interval, liveness = "200", "5" // ms, heartbeats: a second of silence is death
	queue := example(t, "paranoidpirate", "queue", "-frontend", "tcp://127.0.0.1:*", "-backend", "tcp://127.0.0.1:*",
		"-heartbeat", interval+"ms", "-liveness", liveness)
	ready := strings.Fields(queue.Line())
	if len(ready) != 3 || ready[0] != "ready" {
		t.Fatalf("queue printed %q, want ready FRONTEND BACKEND", ready)
	}
	frontend, backend := ready[1], ready[2]
	py := python(t, "ppworker", backend, "py", "3", interval, liveness)
	queue.Expect("worker py ready")
	for range 7 { // more than liveness heartbeats from the Go queue
		py.Expect("heartbeat")
	}

	cli := example(t, "paranoidpirate", "client", "-connect", frontend, "-n", "3", "-timeout", "5s", "-retries", "1")
	for _, want := range []string{"1", "2", "3"} {
		cli.Expect("reply " + want)
		if got := lineOtherThan(py, "heartbeat"); got != "work "+want {
			t.Fatalf("python worker printed %q, want work %s", got, want)
		}
	}
	cli.MustExit()
	py.MustExit()
	queue.Expect("worker py expired")
	queue.Signal(syscall.SIGTERM)
	queue.MustExit()
}
