package transport

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/purezmq/zmq/internal/zerr"
)

// MulticastAddr is a datagram endpoint's "iface;group:port".
type MulticastAddr struct {
	Iface string     // an interface name ("eth0"), one of its addresses ("10.0.0.1"), or "" for the system's choice
	Group netip.Addr // the multicast group
	Port  int        // 1-65535
}

func (a MulticastAddr) String() string {
	g := net.JoinHostPort(a.Group.String(), strconv.Itoa(a.Port))
	if a.Iface == "" {
		return g
	}
	return a.Iface + ";" + g
}

// ParseMulticast parses "iface;group:port" (an IPv6 group in brackets), as libzmq's pgm and
// norm endpoints: the interface may be left out ("group:port", ";group:port") for the
// system's choice, as libzmq lets it; the group must be a multicast address literal and the
// port non-zero. It does not look the interface up (Interface does).
func ParseMulticast(addr string) (MulticastAddr, error) {
	bad := func(format string, args ...any) (MulticastAddr, error) {
		return MulticastAddr{}, fmt.Errorf("%w: %s (want iface;group:port)", zerr.ErrEndpoint, fmt.Sprintf(format, args...))
	}
	iface, dst, ok := strings.Cut(addr, ";")
	if !ok {
		iface, dst = "", addr
	}
	host, p, err := net.SplitHostPort(dst)
	if err != nil {
		return bad("%v", err)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 1 || port > 65535 {
		return bad("port %q not in 1-65535", p)
	}
	group, err := netip.ParseAddr(host)
	if err != nil || !group.IsMulticast() || group.Zone() != "" {
		return bad("group %q is not a multicast address", host)
	}
	return MulticastAddr{Iface: iface, Group: group, Port: port}, nil
}

// Interface finds the network interface a.Iface names, by name or by one of its addresses,
// and the address of the group's family it has (invalid when it has none). With no Iface it
// returns nil and no error: the system chooses.
func (a MulticastAddr) Interface() (*net.Interface, netip.Addr, error) {
	if a.Iface == "" {
		return nil, netip.Addr{}, nil
	}
	ifi, err := net.InterfaceByName(a.Iface)
	want, byAddr := netip.ParseAddr(a.Iface)
	if err != nil && byAddr != nil {
		return nil, netip.Addr{}, fmt.Errorf("%w: interface %q: %v", zerr.ErrEndpoint, a.Iface, err)
	}
	ifs := []net.Interface{}
	if ifi != nil {
		ifs = append(ifs, *ifi)
	} else if ifs, err = net.Interfaces(); err != nil {
		return nil, netip.Addr{}, fmt.Errorf("zmq: listing interfaces: %w", err)
	}
	for i := range ifs {
		addrs, err := ifs[i].Addrs()
		if err != nil {
			continue
		}
		var found netip.Addr
		for _, na := range addrs {
			pfx, err := netip.ParsePrefix(na.String())
			if err != nil {
				continue
			}
			ip := pfx.Addr()
			if byAddr == nil && ip == want.Unmap() {
				return &ifs[i], ip, nil
			}
			if !found.IsValid() && ip.Is4() == a.Group.Is4() {
				found = ip
			}
		}
		if ifi != nil {
			return &ifs[i], found, nil
		}
	}
	return nil, netip.Addr{}, fmt.Errorf("%w: no interface has address %s", zerr.ErrEndpoint, a.Iface)
}
