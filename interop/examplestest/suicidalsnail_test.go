package examplestest

import (
	"strings"
	"testing"
)

// TestSuicidalSnailAgainstLibzmq: the Go subscriber, ten times slower than a libzmq publisher,
// detects that it fell behind and exits with status 1.
func TestSuicidalSnailAgainstLibzmq(t *testing.T) {
	pub := python(t, "snail_pub", "tcp://127.0.0.1:*", "20000")
	ep := strings.TrimPrefix(pub.Line(), "ready ")
	sub := example(t, "suicidalsnail", "subscriber", "-connect", ep, "-work", "10ms", "-maxdelay", "50ms")
	if line := sub.Line(); !strings.HasPrefix(line, "aborting: ") {
		t.Fatalf("slow subscriber printed %q, want aborting: ...", line)
	}
	if code := sub.Wait(); code != 1 {
		t.Fatalf("slow subscriber exited with %d, want 1; stderr:\n%s", code, sub.Stderr())
	}
	pub.Kill()
}
