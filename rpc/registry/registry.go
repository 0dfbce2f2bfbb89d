// Package registry is rpc's discovery: which endpoints serve a key (a target's exchange and
// topic, or one server of it). Servers register with a lease that expires unless refreshed;
// clients resolve and watch. Implementations: in memory (one process), a static file, and Redis
// (package redisreg). Cached serves a key's last good endpoints while a registry fails;
// ParseURL reads oslo-style transport URLs.
package registry

import (
	"context"
	"time"
)

// Registry maps a key to the live endpoints of the servers registered under it.
type Registry interface {
	// Register adds endpoint under key for ttl; the Lease refreshes it every ttl/3 (with
	// jitter) until Stop, which deregisters it explicitly. A member not refreshed expires
	// after ttl. ctx bounds the first registration only, not the lease.
	Register(ctx context.Context, key, endpoint string, ttl time.Duration) (Lease, error)
	// Resolve returns the live endpoints of key, sorted; none is an empty slice, not an error.
	Resolve(ctx context.Context, key string) ([]string, error)
	// Watch sends key's endpoints now and on every change until ctx ends, then closes the
	// channel. It also closes the channel when the registry fails or closes, so that a reader
	// knows its endpoints may be stale: watch again (Cached does, serving the last snapshot
	// meanwhile). A slow reader gets the latest endpoints, not every state in between.
	Watch(ctx context.Context, key string) (<-chan []string, error)
	// Close releases the registry; leases still running stop (without deregistering).
	Close() error
}

// Lease is one registration, kept alive until Stop.
type Lease interface {
	// Stop deregisters at once and stops refreshing.
	Stop(ctx context.Context) error
	// Err reports refresh failures; the lease keeps trying until Stop.
	Err() <-chan error
}
