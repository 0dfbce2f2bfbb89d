package transport

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"
	"time"

	"github.com/purezmq/zmq/internal/zerr"
)

// TCPOptions are the TCP_KEEPALIVE family of socket options (libzmq semantics: -1 leaves the
// operating system's default).
type TCPOptions struct {
	Keepalive      int // -1 default, 0 off, 1 on
	KeepaliveIdle  time.Duration
	KeepaliveCnt   int
	KeepaliveIntvl time.Duration
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
func ListenTCP(addr string, b Buffers) (net.Listener, string, error) {
	host, port, err := splitHostPort(addr)
	if err != nil {
		return nil, "", fmt.Errorf("%w tcp://%s: %v", zerr.ErrEndpoint, addr, err)
	}
	network := "tcp"
	switch {
	case host == "*":
		host, network = "0.0.0.0", "tcp4" // as libzmq without ZMQ_IPV6
	case net.ParseIP(host) != nil:
	default:
		ips, err := net.DefaultResolver.LookupIPAddr(context.Background(), host)
		if err != nil || len(ips) == 0 {
			return nil, "", fmt.Errorf("%w tcp://%s: cannot resolve %q: %v", zerr.ErrEndpoint, addr, host, err)
		}
		host = ips[0].IP.String()
	}
	lc := net.ListenConfig{Control: b.control}
	l, err := lc.Listen(context.Background(), network, net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, "", fmt.Errorf("%w: tcp://%s", zerr.ErrAddrInUse, addr)
		}
		return nil, "", fmt.Errorf("zmq: bind tcp://%s: %w", addr, err)
	}
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
	d := net.Dialer{Control: b.control}
	d.KeepAlive = -1 // configured below from the socket options
	c, err := d.DialContext(ctx, "tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return nil, err
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
// fast on "tcp://:99999" yet never block on DNS.
func CheckDialAddr(addr string) error {
	_, port, err := splitHostPort(addr)
	if err == nil && port == 0 {
		err = fmt.Errorf("connect needs a port")
	}
	if err != nil {
		return fmt.Errorf("%w tcp://%s: %v", zerr.ErrEndpoint, addr, err)
	}
	return nil
}
