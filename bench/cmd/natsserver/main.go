// Command natsserver is the NATS broker of bench-compare's request-reply cells: a nats-server
// (package natsd) on -addr that says "ready" on stderr once it takes connections and stops at
// EOF on stdin.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/purezmq/zmq/bench/natsd"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:4222", "host:port to listen on")
	flag.Parse()
	s, err := natsd.Start(*addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Fprintln(os.Stderr, "ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	natsd.Stop(s)
}
