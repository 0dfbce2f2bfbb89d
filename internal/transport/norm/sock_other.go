//go:build !linux

package norm

import (
	"errors"
	"net"
	"net/netip"
)

type sockOpts struct {
	Group    netip.AddrPort
	Iface    netip.Addr
	IfIndex  int
	TTL      int
	Loopback bool
}

func openSession(sockOpts) (*net.UDPConn, error) {
	return nil, errors.New("norm: only on Linux so far")
}
