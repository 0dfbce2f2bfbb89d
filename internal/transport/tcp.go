package transport

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/purezmq/zmq/internal/zerr"
)

// TCPOptions are the tcp transport's socket options (libzmq semantics: -1 leaves the operating
// system's default).
type TCPOptions struct {
	Keepalive      int // -1 default, 0 off, 1 on
	KeepaliveIdle  time.Duration
	KeepaliveCnt   int
	KeepaliveIntvl time.Duration

	IPv6         bool          // IPV6: IPv6 addresses allowed, "*" binds both families
	Backlog      int           // BACKLOG: the listen queue
	TOS          int           // TOS: IP_TOS (IPV6_TCLASS over IPv6), 0 leaves the system's
	MaxRT        time.Duration // TCP_MAXRT: TCP_USER_TIMEOUT on Linux, 0 leaves the system's
	BindToDevice string        // BINDTODEVICE: SO_BINDTODEVICE, "" for none
	Socks        Socks         // SOCKS_PROXY, SOCKS_USERNAME, SOCKS_PASSWORD
}

// DefaultTCPOptions are libzmq's defaults.
var DefaultTCPOptions = TCPOptions{Keepalive: -1, KeepaliveCnt: -1, Backlog: 100}

// ErrNeedIPv6 is a tcp address in IPv6 form on a socket without the IPV6 option; it matches
// ErrEndpoint.
var ErrNeedIPv6 = fmt.Errorf("%w: an IPv6 address needs the IPV6 option", zerr.ErrEndpoint)

// network picks the address family as libzmq does: IPv4 only unless IPV6 is set. A literal
// IPv6 address without it is refused.
func (o TCPOptions) network(host string) (string, error) {
	if ip := net.ParseIP(host); ip != nil && ip.To4() == nil && !o.IPv6 {
		return "", ErrNeedIPv6
	}
	if o.IPv6 {
		return "tcp", nil
	}
	return "tcp4", nil
}

// control prepares a socket before it connects or listens: buffers, then the tcp options
// that must precede the handshake (TOS and the device the SYN leaves by).
func (o TCPOptions) control(b Buffers) func(string, string, syscall.RawConn) error {
	return func(network, addr string, rc syscall.RawConn) error {
		if err := b.control(network, addr, rc); err != nil {
			return err
		}
		return o.sockopts(network, rc)
	}
}

func (o TCPOptions) keepAlive() net.KeepAliveConfig {
	cfg := net.KeepAliveConfig{Enable: o.Keepalive == 1, Idle: -1, Interval: -1, Count: -1}
	if o.KeepaliveIdle > 0 {
		cfg.Idle = o.KeepaliveIdle
	}
	if o.KeepaliveIntvl > 0 {
		cfg.Interval = o.KeepaliveIntvl
	}
	if o.KeepaliveCnt > 0 {
		cfg.Count = o.KeepaliveCnt
	}
	return cfg
}

func (o TCPOptions) apply(c net.Conn) {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return
	}
	_ = tc.SetNoDelay(true)
	o.connected(tc)
	switch o.Keepalive {
	case 1:
		_ = tc.SetKeepAliveConfig(o.keepAlive())
	case 0:
		_ = tc.SetKeepAlive(false)
	}
}

// ListenTCP binds addr ("*:port", "host:port", "[v6]:port"; port "*" or 0 picks one) and returns
// the listener and the endpoint it really bound, as LAST_ENDPOINT reports it. Connections it
// accepts have buffers b.
func ListenTCP(addr string, o TCPOptions, b Buffers) (net.Listener, string, error) {
	host, port, err := splitHostPort(addr)
	if err != nil {
		return nil, "", fmt.Errorf("%w tcp://%s: %v", zerr.ErrEndpoint, addr, err)
	}
	switch {
	case host == "*" && o.IPv6:
		host = "::" // both families, as libzmq with ZMQ_IPV6
	case host == "*":
		host = "0.0.0.0"
	case net.ParseIP(host) != nil:
	default:
		ips, err := net.DefaultResolver.LookupIPAddr(context.Background(), host)
		if i := slices.IndexFunc(ips, func(a net.IPAddr) bool { return o.IPv6 || a.IP.To4() != nil }); err != nil || i < 0 {
			return nil, "", fmt.Errorf("%w tcp://%s: cannot resolve %q: %v", zerr.ErrEndpoint, addr, host, err)
		} else {
			host = ips[i].IP.String()
		}
	}
	network, err := o.network(host)
	if err != nil {
		return nil, "", fmt.Errorf("%w: tcp://%s", err, addr)
	}
	lc := net.ListenConfig{Control: o.control(b)}
	l, err := lc.Listen(context.Background(), network, net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, "", fmt.Errorf("%w: tcp://%s", zerr.ErrAddrInUse, addr)
		}
		return nil, "", fmt.Errorf("zmq: bind tcp://%s: %w", addr, err)
	}
	o.listened(l)
	return l, "tcp://" + l.Addr().String(), nil
}

// DialTCP connects to addr, honouring ctx for name resolution and the connect itself.
func DialTCP(ctx context.Context, addr string, o TCPOptions, b Buffers) (net.Conn, error) {
	host, port, err := splitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("%w tcp://%s: %v", zerr.ErrEndpoint, addr, err)
	}
	if port == 0 {
		return nil, fmt.Errorf("%w tcp://%s: connect needs a port", zerr.ErrEndpoint, addr)
	}
	network, err := o.network(host)
	if err != nil {
		return nil, fmt.Errorf("%w: tcp://%s", err, addr)
	}
	dst := net.JoinHostPort(host, strconv.Itoa(port))
	if o.Socks.Proxy != "" {
		dst = o.Socks.Proxy
	}
	d := net.Dialer{Control: o.control(b)}
	d.KeepAlive = -1 // configured below from the socket options
	c, err := d.DialContext(ctx, network, dst)
	if err != nil {
		return nil, err
	}
	if o.Socks.Proxy != "" {
		if err := o.Socks.socks5(ctx, c, host, port); err != nil {
			c.Close()
			return nil, err
		}
	}
	o.apply(c)
	if !beforeConnect {
		b.apply(c)
	}
	return c, nil
}

// Accepted prepares an accepted connection with the socket's options. A tcp connection has
// its buffers from the listener already; a unix-domain one does not inherit them.
func Accepted(c net.Conn, o TCPOptions, b Buffers) {
	o.apply(c)
	if _, tcp := c.(*net.TCPConn); !tcp || !beforeConnect {
		b.apply(c)
	}
}

// CheckDialAddr validates a connect address's form without resolving it, so Connect can fail
// fast on "tcp://:99999", or on an IPv6 address without the IPV6 option, yet never block on DNS.
func CheckDialAddr(addr string, o TCPOptions) error {
	host, port, err := splitHostPort(addr)
	if err == nil && port == 0 {
		err = fmt.Errorf("connect needs a port")
	}
	if err != nil {
		return fmt.Errorf("%w tcp://%s: %v", zerr.ErrEndpoint, addr, err)
	}
	if _, err := o.network(host); err != nil {
		return fmt.Errorf("%w: tcp://%s", err, addr)
	}
	return nil
}
