package examplestest

import (
	"fmt"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/purezmq/zmq/interop/internal/proctest"
)

// TestLBBrokerAgainstLibzmq: libzmq clients and workers, with a Go client and a Go worker
// among them, through the Go load-balancing broker. Each client gets the reply to each of its
// own requests, from the worker the broker gave it to, always the worker ready longest.
func TestLBBrokerAgainstLibzmq(t *testing.T) {
	const n = 5
	brk := example(t, "lbbroker", "broker", "-frontend", "tcp://127.0.0.1:*", "-backend", "tcp://127.0.0.1:*")
	f := strings.Fields(brk.Line())
	if len(f) != 3 || f[0] != "ready" {
		t.Fatalf("broker printed %q", f)
	}
	frontend, backend := f[1], f[2]
	// The workers end by themselves 10 s after the last request, or when the test ends.
	python(t, "lbworker", backend, "py0", "10")
	python(t, "lbworker", backend, "py1", "10")
	example(t, "lbbroker", "worker", "-connect", backend, "-name", "go0")
	clients := map[string]*proctest.Proc{
		"pyc0": python(t, "lbclient", frontend, "pyc0", fmt.Sprint(n)),
		"pyc1": python(t, "lbclient", frontend, "pyc1", fmt.Sprint(n)),
		"goc0": example(t, "lbbroker", "client", "-connect", frontend, "-name", "goc0", "-n", fmt.Sprint(n)),
	}
	answered := map[string]string{}
	for name, cli := range clients {
		for i := range n {
			var c, w string
			var got int
			line := cli.Line()
			if _, err := fmt.Sscanf(line, "OK %s %d from %s", &c, &got, &w); err != nil || c != name || got != i {
				t.Fatalf("client %s's reply %d is %q", name, i, line)
			}
			answered[fmt.Sprint(c, " ", i)] = w
		}
		cli.MustExit()
	}

	// The broker's account, replayed against its queue of ready workers.
	var ready []string
	busy := map[string]string{}
	sent := map[string]int{}
	for range 3 + 2*len(clients)*n {
		line := brk.Line()
		var a, b string
		switch {
		case lbScan(line, "worker %q ready", &a):
			if slices.Contains(ready, a) || busy[a] != "" {
				t.Fatalf("%q: %s was ready or busy already", line, a)
			}
			ready = append(ready, a)
		case lbScan(line, "request from %q to %q", &a, &b):
			if len(ready) == 0 || ready[0] != b {
				t.Fatalf("%q: the worker ready longest was %v", line, ready)
			}
			ready = ready[1:]
			busy[b] = a
			if key := fmt.Sprint(a, " ", sent[a]); answered[key] != b {
				t.Errorf("%s was answered by %s; the broker gave it to %s", key, answered[key], b)
			}
			sent[a]++
		case lbScan(line, "reply from %q to %q", &a, &b):
			if busy[a] != b {
				t.Fatalf("%q: %s had a request from %q", line, a, busy[a])
			}
			delete(busy, a)
			ready = append(ready, a)
		default:
			t.Fatalf("broker printed %q", line)
		}
	}
	brk.Signal(syscall.SIGTERM)
	brk.MustExit()
}

// lbScan is fmt.Sscanf that also wants the whole line.
func lbScan(line, format string, args ...any) bool {
	_, err := fmt.Sscanf(line+"\n", format+"\n", args...)
	return err == nil
}
