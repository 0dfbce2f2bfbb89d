package freeport

import (
	"net"
	"slices"
	"strconv"
	"testing"
)

// TestPickBelowEphemeralRange: the ports are distinct, free and below the kernel's ephemeral
// range, where no connect or bind of another test can be given one.
func TestPickBelowEphemeralRange(t *testing.T) {
	lo, _ := EphemeralRange()
	if lo-Lowest < 1000 {
		t.Skipf("the ephemeral range starts at %d: no room below it", lo)
	}
	for range 20 {
		ports, err := Pick(4)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range ports {
			if p < Lowest || p >= lo {
				t.Errorf("port %d: outside %d-%d", p, Lowest, lo-1)
			}
			if slices.Contains(ports[:i], p) {
				t.Errorf("port %d picked twice: %v", p, ports)
			}
			l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
			if err != nil {
				t.Errorf("port %d: %v", p, err)
				continue
			}
			l.Close()
		}
	}
}
