// Package transport parses endpoints and opens the byte-stream transports (tcp, ipc). inproc has
// no wire and lives with the sockets.
package transport

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/purezmq/zmq/internal/zerr"
)

// Endpoint is a parsed "transport://address".
type Endpoint struct {
	Scheme string // "tcp", "ipc", "inproc"
	Addr   string // everything after "://"
}

func (e Endpoint) String() string { return e.Scheme + "://" + e.Addr }

// Parse splits and validates an endpoint string. Addresses are checked for form only; tcp host
// names are resolved when binding or dialling.
func Parse(s string) (Endpoint, error) {
	scheme, addr, ok := strings.Cut(s, "://")
	if !ok {
		return Endpoint{}, fmt.Errorf("%w %q: want transport://address", zerr.ErrEndpoint, s)
	}
	ep := Endpoint{Scheme: scheme, Addr: addr}
	switch scheme {
	case "tcp":
		if _, _, err := splitHostPort(addr); err != nil {
			return Endpoint{}, fmt.Errorf("%w %q: %v", zerr.ErrEndpoint, s, err)
		}
	case "ipc", "inproc":
		if addr == "" {
			return Endpoint{}, fmt.Errorf("%w %q: empty address", zerr.ErrEndpoint, s)
		}
	default:
		return Endpoint{}, fmt.Errorf("%w %q: unsupported transport %q (have tcp, ipc, inproc)", zerr.ErrEndpoint, s, scheme)
	}
	return ep, nil
}

// splitHostPort splits "host:port" where port is 1-65535, "*" or 0 (both mean any, bind only);
// port -1 stands for "*".
func splitHostPort(addr string) (host string, port int, err error) {
	// An optional source address ("src;dst") is not supported yet.
	if strings.Contains(addr, ";") {
		return "", 0, fmt.Errorf("source addresses are not supported")
	}
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	if host == "" {
		return "", 0, fmt.Errorf("missing host")
	}
	if p == "*" {
		return host, 0, nil
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 0 || n > 65535 {
		return "", 0, fmt.Errorf("port %q out of range 0-65535", p)
	}
	return host, n, nil
}
