package rpctest

import (
	"testing"
)

// pySide observes a server process through the events it prints: the Python server, or a Go
// server process (started and noted only).
type pySide struct{ s *script }

func (p pySide) started(t *testing.T, method string) {
	t.Helper()
	p.s.await(t, "started "+method, func(l line) bool { return l.Event == "started" && l.Method == method })
}

func (p pySide) cancelled(t *testing.T) { t.Helper(); p.s.event(t, "cancelled", 0) }
func (p pySide) expired(t *testing.T)   { t.Helper(); p.s.event(t, "expired", 0) }
func (p pySide) noted(t *testing.T) string {
	t.Helper()
	return string(p.s.event(t, "note", 0).Args)
}

// ran looks for the handler's start among the events printed before the reply's.
func (p pySide) ran(t *testing.T, id uint64, method, args string) bool {
	t.Helper()
	p.s.event(t, "replied", id)
	for _, l := range p.s.backlog {
		if l.Event == "started" && l.ID == id {
			return true
		}
	}
	return false
}

// TestPythonSelf checks the Python client against the Python server: both written from WIRE.md,
// so that the scripts are right before they meet Go.
func TestPythonSelf(t *testing.T) {
	srv, endpoint := startPyServer(t, "py1")
	c := startPyClient(t, endpoint)
	runCallCases(t, c, "py1")
	runFlows(t, c, pySide{srv})
	t.Run("server-saw", func(t *testing.T) {
		req := srv.await(t, "metadata", func(l line) bool { return l.Event == "request" && l.Meta != nil })
		if req.Meta["trace"] != "t1" || len(req.Meta) != 1 {
			t.Errorf("metadata arrived as %s", req.raw)
		}
	})
}
