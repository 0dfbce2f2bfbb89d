package rpctest

import (
	"testing"
)

// serverSide is what a test sees of a server beyond its replies: Python's server prints events,
// Go's handlers report on channels.
type serverSide interface {
	started(t *testing.T, method string) // a handler of method began
	cancelled(t *testing.T)              // a handler's call was cancelled by the caller
	expired(t *testing.T)                // a handler's call reached its deadline
	noted(t *testing.T) string           // a cast of note arrived: its args, as JSON
	// ran says whether a handler ran for the call with id and args (JSON), once its reply came.
	ran(t *testing.T, id uint64, method, args string) bool
}

// runFlows checks, through the Python client c, what takes more than one call: out-of-order
// replies matched by id, a CAST, a CANCEL, and deadlines on the server.
func runFlows(t *testing.T, c *script, srv serverSide) {
	t.Run("out-of-order", func(t *testing.T) {
		c.send(t, map[string]any{"op": "call", "tag": "held", "method": "hold", "args": map[string]any{"key": "k1"}})
		srv.started(t, "hold")
		c.send(t, map[string]any{"op": "call", "tag": "quick", "method": "echo", "args": "q"})
		checkOutcome(t, c.outcome(t, "quick"), "OK", `"q"`, nil)
		c.send(t, map[string]any{"op": "cast", "tag": "release", "method": "release", "args": map[string]any{"key": "k1"}})
		checkOutcome(t, c.outcome(t, "held"), "OK", `"k1"`, nil)
	})
	t.Run("cast", func(t *testing.T) {
		c.send(t, map[string]any{"op": "cast", "tag": "note", "method": "note", "args": map[string]any{"n": 1}})
		if got := srv.noted(t); !sameJSON(t, []byte(got), []byte(`{"n":1}`)) {
			t.Errorf("note's args arrived as %s", got)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		c.send(t, map[string]any{"op": "call", "tag": "cancelled", "method": "hold", "args": map[string]any{"key": "k2"}})
		srv.started(t, "hold")
		c.send(t, map[string]any{"op": "cancel", "tag": "cancelled"})
		if got := c.outcome(t, "cancelled"); got.Status != "Cancelled" {
			t.Fatalf("cancel: %s", got.raw)
		}
		srv.cancelled(t)
		// A reply to it now would show as a late line when the client closes.
		c.send(t, map[string]any{"op": "cast", "tag": "release2", "method": "release", "args": map[string]any{"key": "k2"}})
	})
	t.Run("deadline-while-running", func(t *testing.T) {
		c.send(t, map[string]any{"op": "call", "tag": "slow", "method": "hold", "args": map[string]any{"key": "k3"},
			"timeout_ms": 50, "grace_ms": ioTimeout.Milliseconds()})
		srv.expired(t)
		checkOutcome(t, c.outcome(t, "slow"), "DeadlineExceeded", "", &errorObject{Code: "DeadlineExceeded"})
	})
	t.Run("deadline-in-transit", func(t *testing.T) {
		// 1 µs left when sent: gone before any server reads it.
		c.send(t, map[string]any{"op": "call", "tag": "expired", "method": "echo", "args": "in-transit", "timeout_us": 1,
			"timeout_ms": ioTimeout.Milliseconds()})
		got := c.outcome(t, "expired")
		checkOutcome(t, got, "DeadlineExceeded", "", &errorObject{Code: "DeadlineExceeded"})
		if srv.ran(t, got.ID, "echo", `"in-transit"`) {
			t.Error("the handler ran for a call that expired in transit")
		}
	})
}
