package examplestest

import (
	"fmt"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/purezmq/zmq/interop/internal/proctest"
)

// TestBinaryStarAgainstLibzmq: a libzmq client talks to the Go primary; the primary is killed
// (SIGKILL, no goodbye); the client fails over to the Go backup, which takes over and answers
// the rest.
func TestBinaryStarAgainstLibzmq(t *testing.T) {
	const heartbeat, timeout = "250ms", "750" // the client's timeout in ms: over two heartbeats
	// until reads a server's lines up to want, failing on any but the allowed ones.
	until := func(p *proctest.Proc, want string, allowed ...string) {
		t.Helper()
		for line := p.Line(); line != want; line = p.Line() {
			if !slices.Contains(allowed, line) {
				t.Fatalf("%s printed %q, want %q", p, line, want)
			}
		}
	}
	dir := t.TempDir()
	ep := func(name string) string { return proctest.IPCEndpoint(dir, name) }
	primary := example(t, "binarystar", "primary", "-frontend", ep("primary"), "-statepub", ep("primary-state"),
		"-statesub", ep("backup-state"), "-heartbeat", heartbeat)
	primary.Line() // ready
	backup := example(t, "binarystar", "backup", "-frontend", ep("backup"), "-statepub", ep("backup-state"),
		"-statesub", ep("primary-state"), "-heartbeat", heartbeat)
	backup.Line() // ready
	primary.Expect("primary -> active (peer backup)")
	until(backup, "backup -> passive (peer active)", "peer silent")

	cli := python(t, "bstar_client", ep("primary")+","+ep("backup"), timeout, "1000", "10")
	for i := range 3 {
		cli.Expect(fmt.Sprint("reply ", i))
	}
	primary.Kill()
	next := 3
	for {
		line := cli.Line()
		if line == fmt.Sprint("reply ", next) {
			next++
			continue
		}
		if !strings.HasPrefix(line, "no reply, failing over to ") {
			t.Fatalf("client printed %q, want reply %d or a failover", line, next)
		}
		if line == "no reply, failing over to "+ep("backup") {
			break
		}
	}
	for { // answered by the backup, perhaps after a second failover
		line := cli.Line()
		if line == fmt.Sprint("reply ", next) {
			break
		}
		if !strings.HasPrefix(line, "no reply, failing over to ") {
			t.Fatalf("client printed %q, want reply %d", line, next)
		}
	}
	for i := next + 1; i < next+4; i++ {
		cli.Expect(fmt.Sprint("reply ", i))
	}
	until(backup, "passive -> active (client request)", "peer silent", "rejected a request as passive")
	cli.Kill()
	backup.Signal(syscall.SIGTERM)
	backup.MustExit()
}
