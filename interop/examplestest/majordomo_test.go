package examplestest

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
)

// TestMajordomoAgainstPython: the Go MDP/0.2 client and worker through a broker written in
// Python from the spec, and a Python client and worker through the Go broker; every request
// answered with its PARTIAL and FINAL, and mmi.service answered by both brokers.
func TestMajordomoAgainstPython(t *testing.T) {
	const n = 3
	t.Run("go client, python broker, go worker", func(t *testing.T) {
		brk := python(t, "mdbroker", "tcp://127.0.0.1:*", "500", fmt.Sprint(n+1)) // n echoes, 1 mmi
		ep := strings.TrimPrefix(brk.Line(), "ready ")
		wrk := example(t, "majordomo", "worker", "-connect", ep, "-heartbeat", "500ms", "-partials", "1", "-n", fmt.Sprint(n))
		wrk.Expect("connecting " + ep)
		brk.Expect("worker ready echo")
		mmi := example(t, "majordomo", "client", "-connect", ep, "-service", "mmi.service", "-body", "echo")
		mmi.Expect("0 200")
		mmi.MustExit()
		cli := example(t, "majordomo", "client", "-connect", ep, "-n", fmt.Sprint(n))
		for i := range n {
			cli.Expect(fmt.Sprintf("%d partial Hello", i))
			cli.Expect(fmt.Sprintf("%d Hello", i))
			wrk.Expect("request Hello")
		}
		cli.MustExit()
		wrk.MustExit()
		brk.MustExit()
	})
	t.Run("python client, go broker, python worker", func(t *testing.T) {
		brk := example(t, "majordomo", "broker", "-bind", "tcp://127.0.0.1:*", "-heartbeat", "500ms")
		ep := strings.TrimPrefix(brk.Line(), "ready ")
		wrk := python(t, "mdworker", ep, "echo", fmt.Sprint(n), "1", "500")
		wrk.Expect("connecting " + ep)
		brk.Expect("worker ready echo")
		cli := python(t, "mdclient", ep, "echo", "Hello", fmt.Sprint(n))
		for i := range n {
			cli.Expect(fmt.Sprintf("%d partial Hello", i))
			cli.Expect(fmt.Sprintf("%d Hello", i))
			wrk.Expect("request Hello")
		}
		cli.MustExit()
		wrk.MustExit()
		brk.Expect("worker disconnected echo")
		mmi := python(t, "mdclient", ep, "mmi.service", "echo", "1")
		mmi.Expect("0 404")
		mmi.MustExit()
		brk.Signal(syscall.SIGTERM) // a clean stop: exit status 0
		brk.MustExit()
	})
}

// TestTitanicProcesses: Titanic as a user runs it, every role its own process: the client's
// request is stored while no echo worker runs, and answered once one starts.
func TestTitanicProcesses(t *testing.T) {
	brk := example(t, "majordomo", "broker", "-bind", "tcp://127.0.0.1:*", "-heartbeat", "500ms")
	ep := strings.TrimPrefix(brk.Line(), "ready ")
	srv := example(t, "titanic", "server", "-connect", ep, "-dir", t.TempDir(), "-heartbeat", "500ms", "-retry", "20ms", "-timeout", "500ms")
	cli := example(t, "titanic", "client", "-connect", ep, "-body", "Hello", "-poll", "20ms")
	line := cli.Line()
	id, ok := strings.CutPrefix(line, "request ")
	if !ok {
		t.Fatalf("client printed %q, want request UUID", line)
	}
	srv.Expect("stored " + id + " echo")
	wrk := example(t, "majordomo", "worker", "-connect", ep, "-heartbeat", "500ms", "-n", "1")
	wrk.Expect("connecting " + ep)
	wrk.Expect("request Hello")
	srv.Expect("replied " + id)
	cli.Expect("reply Hello")
	cli.Expect("closed " + id)
	srv.Expect("closed " + id)
	cli.MustExit()
	wrk.MustExit()
	// The broker saw the four workers come, then the echo worker's DISCONNECT: the exiting
	// process let it out before it ended.
	seen := map[string]bool{}
	for range 4 {
		seen[brk.Line()] = true
	}
	for _, s := range []string{"titanic.request", "titanic.reply", "titanic.close", "echo"} {
		if !seen["worker ready "+s] {
			t.Errorf("the broker did not print %q; it printed %v", "worker ready "+s, seen)
		}
	}
	brk.Expect("worker disconnected echo")
	srv.Signal(syscall.SIGTERM)
	srv.MustExit()
	brk.Signal(syscall.SIGTERM)
	brk.MustExit()
}

// TestTitanicAgainstPython: Titanic's Go server and client on the Python Majordomo broker
// (libzmq), with a Python echo worker that starts only after the request was stored: the
// request waits on disk, then is answered and closed.
func TestTitanicAgainstPython(t *testing.T) {
	brk := python(t, "mdbroker", "tcp://127.0.0.1:*", "500", "1000")
	ep := strings.TrimPrefix(brk.Line(), "ready ")
	srv := example(t, "titanic", "server", "-connect", ep, "-dir", t.TempDir(), "-heartbeat", "500ms", "-retry", "20ms", "-timeout", "500ms")
	cli := example(t, "titanic", "client", "-connect", ep, "-body", "Hello", "-poll", "20ms")
	line := cli.Line()
	id, ok := strings.CutPrefix(line, "request ")
	if !ok {
		t.Fatalf("client printed %q, want request UUID", line)
	}
	srv.Expect("stored " + id + " echo")
	wrk := python(t, "mdworker", ep, "echo", "1", "0", "500")
	wrk.Expect("connecting " + ep)
	wrk.Expect("request Hello")
	srv.Expect("replied " + id)
	cli.Expect("reply Hello")
	cli.Expect("closed " + id)
	srv.Expect("closed " + id)
	cli.MustExit()
	wrk.MustExit()
	srv.Signal(syscall.SIGTERM)
	srv.MustExit()
}
