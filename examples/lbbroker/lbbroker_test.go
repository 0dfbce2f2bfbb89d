package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/purezmq/zmq"
	"github.com/purezmq/zmq/examples/internal/extest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestLBBroker: three clients' requests through the broker to two workers. Each client gets
// the reply to each of its own requests, and the broker's account of what it did shows that
// it gave every request to the worker ready longest, and never to one that was busy.
func TestLBBroker(t *testing.T) {
	const clients, workers, n = 3, 2, 10
	for _, transport := range []string{"ipc", "tcp"} {
		t.Run(transport, func(t *testing.T) {
			frontend, backend := "tcp://127.0.0.1:*", "tcp://127.0.0.1:*"
			if transport == "ipc" {
				dir := t.TempDir()
				frontend, backend = "ipc://"+filepath.Join(dir, "frontend"), "ipc://"+filepath.Join(dir, "backend")
			}
			roles := extest.NewRoles(t)
			brokerOut := extest.NewLines()
			roles.Go("broker", func(ctx context.Context) error { return broker(ctx, frontend, backend, brokerOut) })
			f := strings.Fields(brokerOut.Next(t))
			if len(f) != 3 || f[0] != "ready" {
				t.Fatalf("broker printed %q", f)
			}
			frontend, backend = f[1], f[2]
			for w := range workers {
				name := fmt.Sprint("w", w)
				roles.Go(name, func(ctx context.Context) error { return worker(ctx, backend, name, extest.NewLines()) })
			}
			outs := make([]*extest.Lines, clients)
			var dones []<-chan error
			for c := range clients {
				out := extest.NewLines()
				outs[c] = out
				dones = append(dones, roles.Start(func(ctx context.Context) error {
					return client(ctx, frontend, fmt.Sprint("c", c), n, out)
				}))
			}
			for _, done := range dones {
				if err := extest.Wait(t, done); err != nil {
					t.Fatal(err)
				}
			}
			handled := checkBalancing(t, brokerOut, workers+2*clients*n)
			for c, out := range outs {
				for i := range n {
					var gotC, gotI int
					var w string
					line := out.Next(t)
					if _, err := fmt.Sscanf(line, "OK c%d %d from %s", &gotC, &gotI, &w); err != nil || gotC != c || gotI != i {
						t.Fatalf("client c%d's reply %d is %q", c, i, line)
					}
					// The worker that answered is the one the broker gave the request to.
					key := fmt.Sprintf("c%d %d", c, i)
					if handled[key] != w {
						t.Errorf("%s was answered by %s; the broker gave it to %q", key, w, handled[key])
					}
				}
			}
		})
	}
}

// checkBalancing replays lines of the broker's account against a model of its queue of ready
// workers, failing the test at a request given to anyone but the worker ready longest, or a
// reply from a worker that had no request. It returns, for each request "CLIENT I", which
// worker the broker gave it to; the clients' requests come in order, so the I-th request
// from a client is its I-th.
func checkBalancing(t *testing.T, out *extest.Lines, lines int) map[string]string {
	t.Helper()
	var ready []string
	busy := map[string]string{} // worker -> client whose request it has
	sent := map[string]int{}    // client -> requests given to a worker
	handled := map[string]string{}
	for range lines {
		line := out.Next(t)
		var a, b string
		switch {
		case scan(line, "worker %q ready", &a):
			if slices.Contains(ready, a) || busy[a] != "" {
				t.Fatalf("%q: %s was ready or busy already", line, a)
			}
			ready = append(ready, a)
		case scan(line, "request from %q to %q", &a, &b):
			if len(ready) == 0 || ready[0] != b {
				t.Fatalf("%q: the worker ready longest was %v", line, ready)
			}
			ready = ready[1:]
			busy[b] = a
			handled[fmt.Sprint(a, " ", sent[a])] = b
			sent[a]++
		case scan(line, "reply from %q to %q", &a, &b):
			if busy[a] != b {
				t.Fatalf("%q: %s had a request from %q", line, a, busy[a])
			}
			delete(busy, a)
			ready = append(ready, a)
		default:
			t.Fatalf("broker printed %q", line)
		}
	}
	return handled
}

// scan is fmt.Sscanf that also wants the whole line.
func scan(line, format string, args ...any) bool {
	_, err := fmt.Sscanf(line+"\n", format+"\n", args...)
	return err == nil
}

// TestLBBrokerDropsMalformed: a request without the REQ envelope is dropped, and the broker
// goes on serving.
func TestLBBrokerDropsMalformed(t *testing.T) {
	dir := t.TempDir()
	roles := extest.NewRoles(t)
	brokerOut := extest.NewLines()
	frontend, backend := "ipc://"+filepath.Join(dir, "frontend"), "ipc://"+filepath.Join(dir, "backend")
	roles.Go("broker", func(ctx context.Context) error { return broker(ctx, frontend, backend, brokerOut) })
	brokerOut.Next(t)
	roles.Go("worker", func(ctx context.Context) error { return worker(ctx, backend, "w0", extest.NewLines()) })
	brokerOut.Expect(t, `worker "w0" ready`)

	bad, err := zmq.NewSocket(zmq.DEALER, zmq.WithRoutingID([]byte("bad")), zmq.WithLinger(0))
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	if err := bad.Connect(frontend); err != nil {
		t.Fatal(err)
	}
	if err := bad.Send(roles.Ctx(), zmq.NewMsgString("junk")); err != nil {
		t.Fatal(err)
	}
	brokerOut.Expect(t, `dropped a malformed request from "bad"`)

	out := extest.NewLines()
	if err := extest.Wait(t, roles.Start(func(ctx context.Context) error { return client(ctx, frontend, "c0", 1, out) })); err != nil {
		t.Fatal(err)
	}
	out.Expect(t, "OK c0 0 from w0")
}

// TestLBBrokerWorkerGone: a request whose worker has left since it said READY is not lost: it
// waits in the broker for the next worker ready. Over inproc, a peer's Close with nothing left
// to linger detaches it from the broker's ROUTER before it returns, so the broker's next Send
// to it fails for sure; over tcp the broker might not have seen the disconnection yet.
func TestLBBrokerWorkerGone(t *testing.T) {
	frontend, backend := "inproc://lb-gone-frontend", "inproc://lb-gone-backend"
	roles := extest.NewRoles(t)
	brokerOut := extest.NewLines()
	roles.Go("broker", func(ctx context.Context) error { return broker(ctx, frontend, backend, brokerOut) })
	brokerOut.Next(t)

	ghost, err := zmq.NewSocket(zmq.REQ, zmq.WithRoutingID([]byte("ghost")), zmq.WithLinger(0))
	if err != nil {
		t.Fatal(err)
	}
	if err := ghost.Connect(backend); err != nil {
		t.Fatal(err)
	}
	if err := ghost.Send(roles.Ctx(), zmq.NewMsgString("READY")); err != nil {
		t.Fatal(err)
	}
	brokerOut.Expect(t, `worker "ghost" ready`)
	ghost.Close()

	out := extest.NewLines()
	done := roles.Start(func(ctx context.Context) error { return client(ctx, frontend, "c0", 1, out) })
	brokerOut.Expect(t, `worker "ghost" gone`)
	roles.Go("worker", func(ctx context.Context) error { return worker(ctx, backend, "w0", extest.NewLines()) })
	brokerOut.Expect(t, `worker "w0" ready`)
	brokerOut.Expect(t, `request from "c0" to "w0"`)
	if err := extest.Wait(t, done); err != nil {
		t.Fatal(err)
	}
	out.Expect(t, "OK c0 0 from w0")
}
