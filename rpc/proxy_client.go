package rpc

import "errors"

// A client in proxy mode (WithProxy, WithProxyDiscovery) has one route for every key: the
// proxies' frontends, static or under ProxyKey in the registry. Each call goes to a live proxy,
// round robin; a proxy lost fails its calls Unavailable and retries (WithRetries) pick another,
// as they pick another server without proxies.

// setupProxy puts the client core in proxy mode when its options ask for it.
func (c *clientCore) setupProxy() error {
	p := &c.cfg.proxy
	if err := p.check(c.cfg, false); err != nil {
		return err
	}
	if !p.on() {
		return nil
	}
	if len(c.cfg.endpoints) > 0 {
		return errors.New("rpc: a client behind proxies calls no server directly: WithEndpoint and WithProxy together")
	}
	c.proxied = true
	c.cfg.endpoints = p.endpoints
	return nil
}

// routeKey is the route a call of key takes: its own, or the proxies'.
func (c *clientCore) routeKey(key string) string {
	if c.proxied {
		return ProxyKey
	}
	return key
}

// keyOf is the key a client's requests carry: a fanout cast through a proxy asks it for every
// server with fanoutSuffix.
func (c *clientCore) keyOf(t Target) string {
	if c.proxied && t.Fanout {
		return t.TopicKey() + fanoutSuffix
	}
	return t.Key()
}
