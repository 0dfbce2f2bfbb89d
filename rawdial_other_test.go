//go:build !unix

package zmq_test

import (
	"net"
	"testing"
)

// dialSlowReader dials addr; elsewhere than unix its receive buffer keeps its default size.
func dialSlowReader(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, waitLong)
	if err != nil {
		t.Fatalf("raw dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
