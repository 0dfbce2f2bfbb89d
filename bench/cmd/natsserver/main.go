// Command natsserver is the NATS broker of bench-compare's request-reply cells: a nats-server
// on -addr that says "ready" on stderr once it takes connections and stops at EOF on stdin;
// see package natsd.
package main

import (
	"fmt"
	"os"

	"github.com/purezmq/zmq/bench/natsd"
)

func main() {
	if err := natsd.Main(os.Args[1:], os.Stdin, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
