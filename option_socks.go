package zmq

import (
	"net"
	"strconv"

	"github.com/purezmq/zmq/internal/transport"
	"github.com/purezmq/zmq/internal/zerr"
)

// WithSocksProxy sets ZMQ_SOCKS_PROXY: tcp connections from the next Connect go through the
// SOCKS5 proxy at "host:port" (RFC 1928), which resolves the endpoint's host name itself. A
// proxy refusal fails that attempt, and the socket retries as after any failed connect. ""
// (the default) connects directly.
func WithSocksProxy(addr string) Option {
	return func(o *socketOptions) error {
		if addr != "" {
			host, port, err := net.SplitHostPort(addr)
			if n, perr := strconv.Atoi(port); err != nil || host == "" || perr != nil || n < 1 || n > 65535 {
				return zerr.Option("SOCKS_PROXY", "%q is not host:port", addr)
			}
		}
		o.TCP.Socks.Proxy = addr
		return nil
	}
}

// WithSocksUsername sets ZMQ_SOCKS_USERNAME: with it the proxy is asked for username and
// password authentication (RFC 1929) only; at most 255 bytes. Default "" (no authentication).
func WithSocksUsername(name string) Option {
	return func(o *socketOptions) error {
		if len(name) > 255 {
			return zerr.Option("SOCKS_USERNAME", "%d bytes, at most 255", len(name))
		}
		o.TCP.Socks.Username = name
		return nil
	}
}

// WithSocksPassword sets ZMQ_SOCKS_PASSWORD, sent with SOCKS_USERNAME; at most 255 bytes.
// Default "".
func WithSocksPassword(password string) Option {
	return func(o *socketOptions) error {
		if len(password) > 255 {
			return zerr.Option("SOCKS_PASSWORD", "%d bytes, at most 255", len(password))
		}
		o.TCP.Socks.Password = password
		return nil
	}
}

// socksOption is WithOption for the SOCKS options.
func socksOption(id OptionID, value any) (Option, bool) {
	set := map[OptionID]func(string) Option{
		OptSocksProxy: WithSocksProxy, OptSocksUsername: WithSocksUsername, OptSocksPassword: WithSocksPassword,
	}[id]
	if set == nil {
		return nil, false
	}
	s, ok := asString(value)
	if !ok {
		err := zerr.Option(id.String(), "want string or []byte, got %T", value)
		return func(*socketOptions) error { return err }, true
	}
	return set(s), true
}

// ErrSocks is a SOCKS5 proxy refusing a connection (its authentication, or the connect it was
// asked for), or not speaking SOCKS5; monitor events of failed attempts carry it.
var ErrSocks = transport.ErrSocks
