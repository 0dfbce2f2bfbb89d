package examplestest

import (
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestIronhouseAgainstLibzmq: libzmq CURVE clients, with keys from the Go example's keygen
// (czmq certificate files, read by pyzmq's zmq.auth), against the Go server and its ZAP
// handler: the client whose key the server holds gets the messages it subscribed to, a
// stranger is refused before any.
func TestIronhouseAgainstLibzmq(t *testing.T) {
	dir := t.TempDir()
	serverCert := filepath.Join(dir, "server", "server.cert")
	alice := filepath.Join(dir, "clients", "alice.cert")
	mallory := filepath.Join(dir, "strangers", "mallory.cert")
	for _, path := range []string{serverCert, alice, mallory} {
		example(t, "ironhouse", "keygen", "-out", path).MustExit()
	}
	srv := example(t, "ironhouse", "server", "-bind", "tcp://127.0.0.1:*",
		"-cert", serverCert, "-clients", filepath.Dir(alice), "-allow", "127.0.0.1")
	ep := strings.TrimPrefix(srv.Line(), "ready ")

	stranger := python(t, "ironhouse_client", ep, mallory, serverCert, "3")
	stranger.Expect("refused (ZAP status 400)")
	stranger.MustExit()
	srv.Expect("refused (ZAP status 400)")

	cli := python(t, "ironhouse_client", ep, alice, serverCert, "3")
	var first int
	for i := range 3 { // consecutive, from wherever the publisher was
		line := cli.Line()
		var k int
		if _, err := fmt.Sscanf(line, "Hello %d", &k); err != nil {
			t.Fatalf("python client printed %q, want Hello N", line)
		}
		if i == 0 {
			first = k
		} else if k != first+i {
			t.Fatalf("python client printed %q after Hello %d: a message missing", line, first+i-1)
		}
	}
	cli.MustExit()
	for line := srv.Line(); line != "accepted"; line = srv.Line() {
		if line != "refused (ZAP status 400)" { // the stranger's retries, perhaps
			t.Fatalf("server printed %q, want accepted", line)
		}
	}
	srv.Signal(syscall.SIGTERM)
	srv.MustExit()
}
