// Package rpc is remote procedure calls over ZeroMQ: Call, Cast and fanout Cast to the servers of
// a Target, with deadlines and cancellation carried on the wire, a closed set of status codes,
// and discovery through a registry (package rpc/registry). It keeps the semantics of OpenStack
// oslo.messaging's RPC and its ZeroMQ driver's promise, and fixes what made that driver fail:
// one typed Target instead of string topics, DEALER→ROUTER with replies routed by identity
// instead of hand-built request-reply, deadlines the server sees, unroutable messages that fail
// fast instead of vanishing, and registry entries that expire.
//
// Deployments that do not want every client connected to every server put proxies between
// them (package rpc/proxy, the zmq rpc-proxy command): clients and servers take WithProxy, or
// WithProxyDiscovery to find the proxies in the registry; a NewServer behind proxies binds and
// registers nothing of its own.
//
// The wire format is written down in WIRE.md so that other languages can join.
package rpc
