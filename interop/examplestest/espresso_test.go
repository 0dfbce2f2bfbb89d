package examplestest

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestEspressoAgainstLibzmq: the Go proxy between a libzmq publisher and a libzmq subscriber
// to A and B; the subscriber gets only A and B, and the proxy's capture shows the libzmq
// subscriber's subscriptions and the messages it got.
func TestEspressoAgainstLibzmq(t *testing.T) {
	const n = 5
	proxy := example(t, "espresso", "proxy", "-frontend", "tcp://127.0.0.1:*", "-backend", "tcp://127.0.0.1:*")
	eps := strings.Fields(strings.TrimPrefix(proxy.Line(), "ready "))
	if len(eps) != 2 {
		t.Fatalf("proxy's ready line has %d endpoints, want 2", len(eps))
	}
	pub := python(t, "espresso_pub", eps[0], "20000")
	sub := python(t, "espresso_sub", eps[1], "A,B", fmt.Sprint(n))
	want := map[string]bool{`"\x01A"`: true, `"\x01B"`: true}
	for range n {
		got := sub.Line()
		if !strings.HasPrefix(got, "A-") && !strings.HasPrefix(got, "B-") {
			t.Fatalf("libzmq subscriber to A and B got %q", got)
		}
		want[strconv.Quote(got)] = true
	}
	sub.MustExit()
	for len(want) > 0 {
		line := proxy.Line()
		frame, ok := strings.CutPrefix(line, "captured [")
		frame, ok2 := strings.CutSuffix(frame, "]")
		if !ok || !ok2 {
			t.Fatalf("proxy printed %q, want captured [FRAME]", line)
		}
		delete(want, frame)
	}
	pub.Kill()
	proxy.Signal(syscall.SIGTERM)
	proxy.MustExit()
}
