package examplestest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/purezmq/zmq/interop/internal/proctest"
)

// TestDivideAgainstLibzmq: a libzmq worker among two Go workers, between the Go ventilator and
// sink; every task's result reaches the sink once, the libzmq worker did its share, and the
// sink's kill stops every worker.
func TestDivideAgainstLibzmq(t *testing.T) {
	const n = 30
	sink := example(t, "divide", "sink", "-bind", "tcp://127.0.0.1:*", "-control", "tcp://127.0.0.1:*")
	f := strings.Fields(sink.Line())
	if len(f) != 3 || f[0] != "ready" {
		t.Fatalf("sink printed %q", f)
	}
	results, control := f[1], f[2]
	vent := example(t, "divide", "ventilator", "-bind", "tcp://127.0.0.1:*", "-sink", results,
		"-n", fmt.Sprint(n), "-workers", "3", "-work", "3ms")
	tasks := strings.TrimPrefix(vent.Line(), "ready ")
	workers := map[string]*proctest.Proc{
		"go0": example(t, "divide", "worker", "-tasks", tasks, "-results", results, "-control", control, "-name", "go0"),
		"go1": example(t, "divide", "worker", "-tasks", tasks, "-results", results, "-control", control, "-name", "go1"),
		"py":  python(t, "taskworker", tasks, results, control, "py"),
	}
	vent.Expect("3 workers connected")
	vent.Expect(fmt.Sprint("sent ", n, " tasks"))
	vent.MustExit()

	did := map[string]int{}
	got := map[int]bool{}
	for range n {
		var id int
		var from string
		line := sink.Line()
		if _, err := fmt.Sscanf(line, "result %d from %s", &id, &from); err != nil || got[id] || id >= n {
			t.Fatalf("sink printed %q (results so far %v)", line, got)
		}
		got[id] = true
		did[from]++
	}
	if line := sink.Line(); !strings.HasPrefix(line, fmt.Sprintf("batch done: %d results in ", n)) {
		t.Fatalf("sink printed %q", line)
	}
	sink.MustExit()
	for name, w := range workers {
		if did[name] == 0 {
			t.Errorf("worker %s did none of the tasks: %v", name, did)
		}
		for range did[name] {
			if line := w.Line(); !strings.HasPrefix(line, "task ") {
				t.Fatalf("worker %s printed %q", name, line)
			}
		}
		w.Expect("killed")
		w.MustExit()
	}
}
