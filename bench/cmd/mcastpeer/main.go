// Command mcastpeer is purezmq's side of make bench-multicast: a PUB or a SUB on a multicast
// endpoint (epgm, pgm, norm), speaking the driver's protocol as the libzmq peers c/mcast_pub.c
// and c/mcast_sub.c do; see package mcast.
package main

import (
	"fmt"
	"os"

	"github.com/purezmq/zmq/bench/mcast"
)

func main() {
	if err := mcast.Main(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "mcastpeer:", err)
		os.Exit(1)
	}
}
