package rpctest

import (
	"testing"

	"github.com/purezmq/zmq/rpc"
)

// TestPythonClientGoServer: the Python client, written from WIRE.md, calls a Go rpc.Server.
func TestPythonClientGoServer(t *testing.T) {
	g := startGoServer(t, "go1")
	c := startPyClient(t, g.srv.Endpoint())
	runCallCases(t, c, "go1")
	runFlows(t, c, g)
}

// TestPythonClientGoServerBusy: a Go server whose one worker is busy answers the Python client
// ResourceExhausted.
func TestPythonClientGoServerBusy(t *testing.T) {
	g := startGoServer(t, "go1", rpc.WithWorkers(1))
	c := startPyClient(t, g.srv.Endpoint())
	c.send(t, map[string]any{"op": "call", "tag": "held", "method": "hold", "args": map[string]any{"key": "k"}})
	g.started(t, "hold")
	c.send(t, map[string]any{"op": "call", "tag": "refused", "method": "echo", "args": 1})
	checkOutcome(t, c.outcome(t, "refused"), "ResourceExhausted", "", &errorObject{Code: "ResourceExhausted"})
	g.release("k") // not by a cast: it would find the one worker busy too
	checkOutcome(t, c.outcome(t, "held"), "OK", `"k"`, nil)
}
