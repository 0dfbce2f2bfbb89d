//go:build !linux

package norm

import (
	"errors"
	"net"
	"net/netip"
	"time"
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

const oobLen = 0

func arrival(_ []byte, read time.Time) time.Time { return read }
