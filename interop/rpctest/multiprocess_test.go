package rpctest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/purezmq/zmq/rpc"
)

// serverProcesses start a server process named name: Python's, or this binary as a Go server.
var serverProcesses = []struct {
	name  string
	start func(t *testing.T, name string) (*script, string)
}{
	{"python", func(t *testing.T, name string) (*script, string) { return startPyServer(t, name) }},
	{"go", startGoProcess},
}

// TestGoClientThreeServerProcesses: one Go client, three servers in three processes. A fanout
// cast reaches each; calls go round robin, a third to each; a server SIGKILLed mid-call ends the
// call Unavailable or DeadlineExceeded, by its deadline.
func TestGoClientThreeServerProcesses(t *testing.T) {
	for _, sp := range serverProcesses {
		t.Run(sp.name, func(t *testing.T) {
			const n, calls = 3, 30
			var srvs []*script
			var endpoints []string
			for i := range n {
				s, e := sp.start(t, fmt.Sprintf("s%d", i+1))
				srvs, endpoints = append(srvs, s), append(endpoints, e)
			}
			cl, err := rpc.NewClient(rpc.Target{Topic: topic}, rpc.WithEndpoint(endpoints...))
			must(t, err)
			defer func() { must(t, cl.Close()) }()
			fan, err := cl.Prepare(rpc.WithFanout())
			must(t, err)
			ctx := ctxIO(t)

			// A fanout cast waits for every connection to be tried, so all are up for the calls
			// after it.
			must(t, fan.Cast(ctx, "note", "hello"))
			for i, s := range srvs {
				if got := (pySide{s}).noted(t); !sameJSON(t, []byte(got), []byte(`"hello"`)) {
					t.Errorf("s%d noted %s", i+1, got)
				}
			}
			count := map[string]int{}
			for i := range calls {
				var name string
				if err := cl.Call(ctx, "whoami", nil, &name); err != nil {
					t.Fatalf("call %d: %v", i, err)
				}
				count[name]++
			}
			for i := range n {
				if name := fmt.Sprintf("s%d", i+1); count[name] != calls/n {
					t.Errorf("calls per server %v, want %d each", count, calls/n)
					break
				}
			}
			t.Run("killed-mid-call", func(t *testing.T) { killMidCall(t, sp.start) })
		})
	}
}

// killMidCall SIGKILLs a server while a call waits on it.
func killMidCall(t *testing.T, start func(t *testing.T, name string) (*script, string)) {
	victim, endpoint := start(t, "victim")
	cl, err := rpc.NewClient(rpc.Target{Topic: topic}, rpc.WithEndpoint(endpoint))
	must(t, err)
	defer func() { must(t, cl.Close()) }()
	// A deadline well inside wait's bound: the call must end by it.
	ctx, cancel := context.WithTimeout(context.Background(), ioTimeout/2)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- cl.Call(ctx, "hold", keyArgs{Key: "forever"}, nil) }()
	pySide{victim}.started(t, "hold")
	victim.kill(t)
	err = wait(t, "the call's end", done)
	if c := rpc.CodeOf(err); c != rpc.Unavailable && c != rpc.DeadlineExceeded {
		t.Errorf("got %v, want Unavailable or DeadlineExceeded", err)
	}
	var e *rpc.Error
	if !errors.As(err, &e) {
		t.Errorf("%v is not an *rpc.Error", err)
	}
}
