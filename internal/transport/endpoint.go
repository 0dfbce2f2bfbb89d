package transport

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/purezmq/zmq/internal/zerr"
)

// Endpoint is a parsed "transport://address".
type Endpoint struct {
	Scheme string    // the registered scheme
	Addr   string    // everything after "://"
	T      Transport // the scheme's transport
}

func (e Endpoint) String() string { return e.Scheme + "://" + e.Addr }

// Parse splits an endpoint string, finds its transport and has it check the address's form;
// tcp host names are resolved when binding or dialling. As libzmq, a string without "://" is EINVAL
// (ErrEndpoint) and an unknown transport EPROTONOSUPPORT (ErrTransportNotSupported). The
// errors do not repeat s: the caller's *OpError names it.
func Parse(s string) (Endpoint, error) {
	scheme, addr, ok := strings.Cut(s, "://")
	if !ok {
		return Endpoint{}, fmt.Errorf("%w: want transport://address", zerr.ErrEndpoint)
	}
	t, ok := Lookup(scheme)
	if !ok {
		return Endpoint{}, fmt.Errorf("%w: %q (have %s)", zerr.ErrTransportNotSupported, scheme, strings.Join(Schemes(), ", "))
	}
	if err := t.CheckAddr(addr); err != nil {
		return Endpoint{}, err
	}
	ep := Endpoint{Scheme: scheme, Addr: addr, T: t}
	return ep, nil
}

// ResolveTCP names the endpoints a bound tcp address may be listed under (as LAST_ENDPOINT
// gives them), as libzmq's Unbind resolves an address it does not find verbatim: "*" is
// every interface, a host name its addresses. A wildcard port (0 or "*") names none.
func ResolveTCP(addr string) []string {
	host, port, err := splitHostPort(addr)
	if err != nil || port == 0 {
		return nil
	}
	var hosts []string
	switch {
	case host == "*":
		hosts = []string{"0.0.0.0", "::"}
	case net.ParseIP(strings.Trim(host, "[]")) != nil:
		hosts = []string{strings.Trim(host, "[]")}
	default:
		ips, err := net.DefaultResolver.LookupIPAddr(context.Background(), host)
		if err != nil {
			return nil
		}
		for _, ip := range ips {
			hosts = append(hosts, ip.IP.String())
		}
	}
	names := make([]string, len(hosts))
	for i, h := range hosts {
		names[i] = "tcp://" + net.JoinHostPort(h, strconv.Itoa(port))
	}
	return names
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
