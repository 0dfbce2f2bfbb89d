package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/purezmq/zmq"
	"github.com/purezmq/zmq/examples/internal/extest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestDivide: a batch of n tasks through three workers reaches the sink whole, each result
// once, every worker did part of it, and the sink's kill stopped every worker.
func TestDivide(t *testing.T) {
	const n, workers = 30, 3
	for _, transport := range []string{"ipc", "tcp"} {
		t.Run(transport, func(t *testing.T) {
			dir := t.TempDir()
			endpoint := func(name string) string {
				if transport == "ipc" {
					return "ipc://" + filepath.Join(dir, name)
				}
				return "tcp://127.0.0.1:*"
			}
			roles := extest.NewRoles(t)
			sinkOut := extest.NewLines()
			sinkDone := roles.Start(func(ctx context.Context) error {
				return sinkRole(ctx, endpoint("results"), endpoint("control"), sinkOut)
			})
			f := strings.Fields(sinkOut.Next(t))
			if len(f) != 3 || f[0] != "ready" {
				t.Fatalf("sink printed %q", f)
			}
			results, control := f[1], f[2]
			ventOut := extest.NewLines()
			ventDone := roles.Start(func(ctx context.Context) error {
				return ventilator(ctx, endpoint("tasks"), results, n, workers, 3*time.Millisecond, ventOut)
			})
			tasks := strings.TrimPrefix(ventOut.Next(t), "ready ")

			outs := map[string]*extest.Lines{}
			var dones []<-chan error
			for i := range workers {
				name := fmt.Sprint("w", i)
				out := extest.NewLines()
				outs[name] = out
				dones = append(dones, roles.Start(func(ctx context.Context) error {
					return worker(ctx, tasks, results, control, name, out)
				}))
			}
			ventOut.Expect(t, fmt.Sprint(workers, " workers connected"))
			ventOut.Expect(t, fmt.Sprint("sent ", n, " tasks"))

			// The sink: every task's result once; which worker did it, by the sink's account.
			did := map[string]int{}
			got := map[int]bool{}
			for range n {
				var id int
				var from string
				line := sinkOut.Next(t)
				if _, err := fmt.Sscanf(line, "result %d from %s", &id, &from); err != nil || got[id] || id >= n {
					t.Fatalf("sink printed %q (results so far %v)", line, got)
				}
				got[id] = true
				did[from]++
			}
			if line := sinkOut.Next(t); !strings.HasPrefix(line, fmt.Sprintf("batch done: %d results in ", n)) {
				t.Fatalf("sink printed %q", line)
			}
			for _, done := range append(dones, sinkDone, ventDone) {
				if err := extest.Wait(t, done); err != nil { // a worker ends on the kill
					t.Fatal(err)
				}
			}
			// Each worker did a share, and says so itself.
			for name, out := range outs {
				if did[name] == 0 {
					t.Errorf("worker %s did none of the tasks: %v", name, did)
				}
				for range did[name] {
					if line := out.Next(t); !strings.HasPrefix(line, "task ") {
						t.Fatalf("worker %s printed %q", name, line)
					}
				}
				out.Expect(t, "killed")
			}
		})
	}
}

// TestDivideBadInput: a worker refuses a task it cannot read, and the sink a result twice.
func TestDivideBadInput(t *testing.T) {
	dir := t.TempDir()
	ep := func(name string) string { return "ipc://" + filepath.Join(dir, name) }
	roles := extest.NewRoles(t)

	// A worker given a malformed task.
	tasks := pushTo(t, ep("tasks"), true)
	done := roles.Start(func(ctx context.Context) error {
		return worker(ctx, ep("tasks"), ep("results"), ep("control"), "w", extest.NewLines())
	})
	if err := tasks.Send(roles.Ctx(), zmq.NewMsgString("seven")); err != nil {
		t.Fatal(err)
	}
	if err := extest.Wait(t, done); !errors.Is(err, errBadTask) {
		t.Fatalf("worker returned %v, want %v", err, errBadTask)
	}

	// A sink given the same result twice.
	sinkOut := extest.NewLines()
	done = roles.Start(func(ctx context.Context) error { return sinkRole(ctx, ep("sink"), ep("kill"), sinkOut) })
	sinkOut.Next(t)
	results := pushTo(t, ep("sink"), false)
	for _, m := range []string{"batch 2", "0 w", "0 w"} {
		if err := results.Send(roles.Ctx(), zmq.NewMsgString(m)); err != nil {
			t.Fatal(err)
		}
	}
	if err := extest.Wait(t, done); !errors.Is(err, errBadResult) {
		t.Fatalf("sink returned %v, want %v", err, errBadResult)
	}
}

// pushTo is a PUSH socket that binds or connects to endpoint, closed at the test's end.
func pushTo(t *testing.T, endpoint string, bind bool) *zmq.Socket {
	t.Helper()
	s, err := zmq.NewSocket(zmq.PUSH, zmq.WithLinger(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if bind {
		err = s.Bind(endpoint)
	} else {
		err = s.Connect(endpoint)
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}
