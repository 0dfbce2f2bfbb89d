// Package freeport picks loopback ports for the servers tests start (Redis, RabbitMQ, epmd)
// below the kernel's ephemeral range.
//
// A port taken from that range and let go (a listener on port 0, closed) may be handed to any
// other socket's connect or bind before the server listens on it, or while it restarts on it;
// with a module's test packages running in parallel, one was (RabbitMQ, which takes seconds to
// listen: eaddrinuse, and the broker exited). The kernel hands out no port below the range by
// itself, so there only another such pick can collide; a server that meets one is started again
// on fresh ports.
package freeport

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"slices"
)

// Lowest is where the picks start: clear of the well-known and registered ports that services
// on a test machine tend to use.
const Lowest = 10000

// EphemeralRange is the kernel's range of ports for sockets that do not name one.
func EphemeralRange() (lo, hi int) {
	lo, hi = 32768, 60999 // Linux's default
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		var l, h int
		if n, _ := fmt.Sscan(string(b), &l, &h); n == 2 && l > 0 && l <= h {
			lo, hi = l, h
		}
	}
	return lo, hi
}

// Pick returns n distinct 127.0.0.1 ports that are free now, below the ephemeral range, or
// ports the kernel picks when the range leaves too little room below it.
func Pick(n int) ([]int, error) {
	lo, _ := EphemeralRange()
	if lo-Lowest < 1000 {
		return ephemeral(n)
	}
	var ports []int
	for tries := 0; len(ports) < n; tries++ {
		if tries == 1000 {
			return nil, fmt.Errorf("freeport: no %d free ports in %d-%d", n, Lowest, lo-1)
		}
		p := Lowest + rand.IntN(lo-Lowest)
		if !slices.Contains(ports, p) && free(p) {
			ports = append(ports, p)
		}
	}
	return ports, nil
}

// free reports whether a listener can take 127.0.0.1:port now.
func free(port int) bool {
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// ephemeral returns n ports the kernel picked.
func ephemeral(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
