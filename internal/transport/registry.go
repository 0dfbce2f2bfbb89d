package transport

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"

	"github.com/purezmq/zmq/internal/zerr"
)

// Transport is one scheme's plug-in. Every kind checks an address's form; the socket layer
// asks for the rest by kind: Stream, Inproc or Datagram.
type Transport interface {
	// CheckAddr validates what follows "scheme://" for form only, without blocking (no name
	// resolution), with an ErrEndpoint error. Parse calls it.
	CheckAddr(addr string) error
}

// Stream is a connection-oriented byte-stream transport. The socket runs a ZMTP engine over
// each connection and reconnects a connect-side endpoint with backoff.
type Stream interface {
	Transport
	// Listen binds addr and returns the listener and the endpoint it really bound
	// ("scheme://resolved"), as LAST_ENDPOINT reports it and Unbind takes it.
	Listen(addr string, c *Config) (net.Listener, string, error)
	// Accepted prepares a connection Listen's listener accepted with c.
	Accepted(nc net.Conn, c *Config)
	// CheckDial fails fast on an address Connect can never dial with c, without blocking.
	CheckDial(addr string, c *Config) error
	// Dial connects to addr, honouring ctx.
	Dial(ctx context.Context, addr string, c *Config) (net.Conn, error)
	// Aliases names the endpoints a bound addr may be registered under when Unbind does not
	// find it verbatim (tcp: "*" and host names resolved); nil when there are none.
	Aliases(addr string) []string
	// DelaysConnect reports whether a dial is in progress at first, as libzmq's non-blocking
	// connect is over tcp, so that the monitor reports CONNECT_DELAYED.
	DelaysConnect() bool
}

// Inproc is the in-process transport: the socket layer's Context holds its namespace.
type Inproc struct{}

// CheckAddr accepts any non-empty name.
func (Inproc) CheckAddr(addr string) error {
	if addr == "" {
		return fmt.Errorf("%w: empty address", zerr.ErrEndpoint)
	}
	return nil
}

var registry struct {
	sync.RWMutex
	m map[string]Transport
}

// Register makes t the transport of scheme. It panics on a second registration of a scheme,
// or an empty one: both are programming errors, made at init.
func Register(scheme string, t Transport) {
	registry.Lock()
	defer registry.Unlock()
	if scheme == "" || strings.Contains(scheme, "://") || t == nil {
		panic("transport: Register of an invalid scheme or a nil transport")
	}
	if _, dup := registry.m[scheme]; dup {
		panic("transport: Register called twice for " + scheme)
	}
	if registry.m == nil {
		registry.m = map[string]Transport{}
	}
	registry.m[scheme] = t
}

// Lookup returns the transport registered for scheme.
func Lookup(scheme string) (Transport, bool) {
	registry.RLock()
	defer registry.RUnlock()
	t, ok := registry.m[scheme]
	return t, ok
}

// Schemes lists the registered schemes, sorted.
func Schemes() []string {
	registry.RLock()
	defer registry.RUnlock()
	var s []string
	for k := range registry.m {
		s = append(s, k)
	}
	slices.Sort(s)
	return s
}

func init() {
	Register("tcp", tcpTransport{})
	Register("ipc", ipcTransport{})
	Register("inproc", Inproc{})
}
