package rpc

import (
	"errors"
	"fmt"
	"time"
)

// The registry keys of rpc proxies (package rpc/proxy registers under them): clients find the
// proxies' frontends under ProxyKey, servers their backends under ProxyBackendKey.
const (
	ProxyKey        = "rpc-proxy"         // the proxies' frontends, for clients
	ProxyBackendKey = "rpc-proxy.backend" // the proxies' backends, for servers
)

// Defaults of the heartbeats between a server and its proxies (WithProxyHeartbeat).
const (
	DefaultProxyHeartbeat = time.Second // how often each side says it is alive
	DefaultProxyMisses    = 3           // intervals of silence before the other side gives up
)

// proxyConfig is the proxy mode of a client or a server.
type proxyConfig struct {
	endpoints []string // WithProxy
	discover  bool     // WithProxyDiscovery: the registry's ProxyKey / ProxyBackendKey
	interval  time.Duration
	misses    int
}

func (p *proxyConfig) on() bool { return len(p.endpoints) > 0 || p.discover }

// WithProxy puts a client or a server behind the rpc proxies at these endpoints (package
// rpc/proxy, zmq rpc-proxy): a client sends every call to a live proxy, which passes it to a
// ready server of its target; a server connects to each proxy's backend and announces its keys
// and free workers there, instead of binding and registering. Repeatable. Proxies speak
// ZeroMQ's NULL mechanism: CURVE options are refused with it.
func WithProxy(endpoint ...string) Option {
	return func(c *config) error {
		if len(endpoint) == 0 {
			return errors.New("rpc: WithProxy without an endpoint")
		}
		c.proxy.endpoints = append(c.proxy.endpoints, endpoint...)
		return nil
	}
}

// WithProxyDiscovery puts a client or a server behind the proxies registered in its registry
// (WithRegistry): a client uses the frontends under ProxyKey, a server connects to the
// backends under ProxyBackendKey, following them as they come and go.
func WithProxyDiscovery() Option {
	return func(c *config) error { c.proxy.discover = true; return nil }
}

// WithProxyHeartbeat sets how often a server in proxy mode tells each proxy it is alive
// (default DefaultProxyHeartbeat), and after how many of the proxy's own intervals without a
// word from it the server reconnects and announces itself again (default DefaultProxyMisses).
func WithProxyHeartbeat(interval time.Duration, misses int) Option {
	return func(c *config) error {
		if interval <= 0 || misses < 1 {
			return fmt.Errorf("rpc: proxy heartbeat %v × %d: want a positive interval and at least 1 miss", interval, misses)
		}
		c.proxy.interval, c.proxy.misses = interval, misses
		return nil
	}
}

// check reports a proxy configuration that cannot work, for a client (server false) or a
// server.
func (p *proxyConfig) check(c *config, server bool) error {
	if p.discover && c.registry == nil {
		return errors.New("rpc: WithProxyDiscovery needs WithRegistry")
	}
	if !server && p.interval != 0 {
		return errors.New("rpc: WithProxyHeartbeat is a server option")
	}
	if p.on() && (c.curveSecret != nil || c.curveServerKey != nil) {
		// The proxy speaks NULL; CURVE would fail every handshake, or be silently unused.
		return errors.New("rpc: proxies speak no CURVE yet: WithProxy and a CURVE option together")
	}
	if server && p.on() && len(c.endpoints) > 0 {
		return errors.New("rpc: a server behind proxies binds nothing: WithEndpoint and WithProxy together")
	}
	if p.interval == 0 {
		p.interval, p.misses = DefaultProxyHeartbeat, DefaultProxyMisses
	}
	return nil
}
