package pgm

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// Endpoint is an opened multicast endpoint's resolved parts.
type Endpoint struct {
	Iface *net.Interface // nil: the system's choice
	Addr  netip.Addr     // our address on it: the NLA in SPMs; found from the route when invalid
	Group netip.Addr
	Port  int
}

// Config is the socket options a PGM engine takes (libzmq's names).
type Config struct {
	Rate        int           // RATE, kbit/s
	RecoveryIvl time.Duration // RECOVERY_IVL
	Hops        int           // MULTICAST_HOPS
	Loop        bool          // MULTICAST_LOOP
	MaxTPDU     int           // MULTICAST_MAXTPDU
	MaxMsgSize  int64         // MAXMSGSIZE, -1 for none
	SndBuf      int           // SNDBUF, RCVBUF: 0 or less leaves the system's
	RcvBuf      int
}

// ErrRawPermission is a pgm:// endpoint opened without the right to raw sockets: PGM over IP
// needs CAP_NET_RAW (root); epgm:// needs nothing. It matches os.ErrPermission.
var ErrRawPermission = errors.New("pgm: pgm:// needs CAP_NET_RAW for raw IP protocol 113 sockets (run as root, or use epgm://)")

// conn is the sockets under an engine: UDP for epgm, raw IP for pgm.
type conn interface {
	// read returns the next PGM packet's bytes and the IP address it came from.
	read(b []byte) ([]byte, netip.Addr, error)
	sendGroup(b []byte) error
	sendTo(b []byte, to netip.Addr) error
	setReadDeadline(t time.Time) error
	close() error
	ipHeader() int // IP (and UDP) header bytes per packet, for the rate limit and the MTU
}

// localAddr finds the address the system would send to group from, when the endpoint names
// no interface.
func localAddr(group netip.Addr, port int) (netip.Addr, error) {
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(group, uint16(port))))
	if err != nil {
		return netip.Addr{}, fmt.Errorf("pgm: no route to %v: %w", group, err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap(), nil
}
