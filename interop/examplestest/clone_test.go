package examplestest

import (
	"fmt"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// TestCloneAgainstLibzmq: the Go server with a Go client and a libzmq client updating the map
// at once, then a libzmq latecomer that only takes a snapshot; all three print the same map.
func TestCloneAgainstLibzmq(t *testing.T) {
	const n, total = 10, 20
	srv := example(t, "clone", "server", "-snapshot", "tcp://127.0.0.1:*", "-updates", "tcp://127.0.0.1:*",
		"-collector", "tcp://127.0.0.1:*", "-hugz", "10ms")
	eps := strings.Fields(strings.TrimPrefix(srv.Line(), "ready "))
	if len(eps) != 3 {
		t.Fatalf("server's ready line has %d endpoints, want 3", len(eps))
	}
	goCli := example(t, "clone", "client", "-snapshot", eps[0], "-updates", eps[1], "-collector", eps[2],
		"-n", fmt.Sprint(n), "-ivl", "1ms", "-keys", "10", "-until", fmt.Sprint(total), "-name", "go")
	pyCli := python(t, "clone_client", eps[0], eps[1], eps[2], fmt.Sprint(n), fmt.Sprint(total), "py")
	goMap := cloneMap(t, goCli.Rest(), total)
	goCli.MustExit()
	pyMap := cloneMap(t, pyCli.Rest(), total)
	pyCli.MustExit()
	late := python(t, "clone_client", eps[0], eps[1], eps[2], "0", fmt.Sprint(total), "late")
	lateMap := cloneMap(t, late.Rest(), total)
	late.MustExit()
	if !slices.Equal(goMap, pyMap) || !slices.Equal(goMap, lateMap) {
		t.Fatalf("maps differ:\ngo client  %q\npy client  %q\nlatecomer  %q", goMap, pyMap, lateMap)
	}
	if !slices.ContainsFunc(goMap, func(s string) bool { return strings.Contains(s, "=py:") }) &&
		!slices.ContainsFunc(goMap, func(s string) bool { return strings.Contains(s, "=go:") }) {
		t.Fatalf("map %q holds no client's value", goMap)
	}
	srv.Signal(syscall.SIGTERM)
	srv.MustExit()
}

// cloneMap checks a clone client's output, its snapshot line then the map at seq, and returns
// the map's lines.
func cloneMap(t *testing.T, lines []string, seq int) []string {
	t.Helper()
	var at, entries int
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "snapshot of ") {
		t.Fatalf("clone client printed %q, want its snapshot then its map", lines)
	}
	if _, err := fmt.Sscanf(lines[1], "map at %d, %d entries", &at, &entries); err != nil || at != seq || len(lines) != 2+entries {
		t.Fatalf("clone client printed %q, want the map at %d", lines, seq)
	}
	return lines[2:]
}
