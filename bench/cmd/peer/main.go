// Command peer is one side of a bench-compare throughput or latency test for one Go
// implementation (purezmq, pebbe, gozmq, mangos); see package peer.
package main

import (
	"fmt"
	"os"

	"github.com/purezmq/zmq/bench/peer"
)

func main() {
	if err := peer.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
