package examplestest

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
)

// TestHelloWorldAgainstLibzmq: the Go client against the guide's server on libzmq, and the Go
// server against the guide's client on libzmq; every request answered, in order.
func TestHelloWorldAgainstLibzmq(t *testing.T) {
	const n = 5
	t.Run("go client, libzmq server", func(t *testing.T) {
		srv := python(t, "hwserver", "tcp://127.0.0.1:*", fmt.Sprint(n))
		ep := strings.TrimPrefix(srv.Line(), "ready ")
		cli := example(t, "helloworld", "client", "-connect", ep, "-n", fmt.Sprint(n))
		for i := range n {
			cli.Expect(fmt.Sprintf("%d World", i))
			srv.Expect("received Hello")
		}
		cli.MustExit()
		srv.MustExit()
	})
	t.Run("libzmq client, go server", func(t *testing.T) {
		srv := example(t, "helloworld", "server", "-bind", "tcp://127.0.0.1:*")
		ep := strings.TrimPrefix(srv.Line(), "ready ")
		cli := python(t, "hwclient", ep, fmt.Sprint(n))
		for i := range n {
			cli.Expect(fmt.Sprintf("%d World", i))
			srv.Expect("received Hello")
		}
		cli.MustExit()
		srv.Signal(syscall.SIGTERM) // a clean stop: exit status 0
		srv.MustExit()
	})
}
