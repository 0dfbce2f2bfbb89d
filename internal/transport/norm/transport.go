package norm

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/purezmq/zmq/internal/transport"
	"github.com/purezmq/zmq/internal/zerr"
)

// Scheme is the endpoint scheme norm registers.
const Scheme = "norm"

func init() { transport.Register(Scheme, Transport{}) }

// Transport is norm://, a transport.Datagram.
type Transport struct{}

// Endpoint is a norm endpoint, "[id,][iface;]addr:port" as libzmq's: the node id (NORM's
// default, the host's IPv4 address, when left out), the multicast interface, and the session
// address, a multicast group or, for unicast, the peer's address.
type Endpoint struct {
	Node    NodeID // 0 for the default
	Iface   string
	Session netip.AddrPort
}

// ParseEndpoint parses a norm endpoint's address.
func ParseEndpoint(addr string) (Endpoint, error) {
	bad := func(format string, args ...any) (Endpoint, error) {
		return Endpoint{}, fmt.Errorf("%w: norm://%s: %s (want [id,][iface;]addr:port)", zerr.ErrEndpoint, addr, fmt.Sprintf(format, args...))
	}
	var e Endpoint
	rest := addr
	if id, r, ok := strings.Cut(rest, ","); ok {
		n, err := strconv.ParseUint(id, 10, 32)
		if err != nil || n == 0 || n == 0xffffffff {
			return bad("node id %q is not in 1-4294967294", id)
		}
		e.Node, rest = NodeID(n), r
	}
	if iface, r, ok := strings.Cut(rest, ";"); ok {
		e.Iface, rest = iface, r
	}
	host, p, err := net.SplitHostPort(rest)
	if err != nil {
		return bad("%v", err)
	}
	port, err := strconv.ParseUint(p, 10, 16)
	if err != nil || port == 0 {
		return bad("port %q not in 1-65535", p)
	}
	a, err := netip.ParseAddr(host)
	if err != nil || !a.Is4() {
		return bad("%q is not an IPv4 address", host)
	}
	if a.IsUnspecified() {
		return bad("no session address")
	}
	e.Session = netip.AddrPortFrom(a, uint16(port))
	return e, nil
}

// CheckAddr implements transport.Transport.
func (Transport) CheckAddr(addr string) error {
	_, err := ParseEndpoint(addr)
	return err
}

// session is what both ends open: the socket and who we are on it.
type session struct {
	conn  *net.UDPConn
	node  NodeID
	dest  netip.AddrPort // where a sender sends, and receivers send feedback: the session address
	multi bool
}

func openSessionFor(ep Endpoint, c *transport.Config) (*session, error) {
	o := sockOpts{Group: ep.Session, TTL: 255, Loopback: true}
	multi := ep.Session.Addr().IsMulticast()
	node := ep.Node
	if multi && ep.Iface != "" {
		ma := transport.MulticastAddr{Iface: ep.Iface, Group: ep.Session.Addr(), Port: int(ep.Session.Port())}
		ifi, ia, err := ma.Interface()
		if err != nil {
			return nil, err
		}
		o.IfIndex, o.Iface = ifi.Index, ia
	}
	if multi {
		// libzmq sets NORM's TTL to 255 whatever MULTICAST_HOPS says; we honour the option.
		o.TTL = c.Multicast.Hops
		o.Loopback = c.Multicast.Loop
	}
	if node == 0 {
		node = defaultNode(o.Iface)
	}
	conn, err := openSession(o)
	if err != nil {
		return nil, err
	}
	return &session{conn: conn, node: node, dest: ep.Session, multi: multi}, nil
}

// defaultNode is NORM's default node id: an IPv4 address of ours (the interface's when
// given), else a random one.
func defaultNode(iface netip.Addr) NodeID {
	if iface.Is4() {
		return NodeID(binary.BigEndian.Uint32(iface.AsSlice()))
	}
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if p, err := netip.ParsePrefix(a.String()); err == nil && p.Addr().Is4() && !p.Addr().IsLoopback() {
				return NodeID(binary.BigEndian.Uint32(p.Addr().AsSlice()))
			}
		}
	}
	var b [4]byte
	rand.Read(b[:])
	return NodeID(binary.BigEndian.Uint32(b[:])|1) &^ 0x80000000
}

// Open implements transport.Datagram.
func (Transport) Open(addr string, c *transport.Config, send bool) (transport.Engine, error) {
	ep, err := ParseEndpoint(addr)
	if err != nil {
		return nil, err
	}
	s, err := openSessionFor(ep, c)
	if err != nil {
		return nil, err
	}
	if send {
		return newSender(s, c), nil
	}
	return newReceiver(s, c), nil
}
