// Package transport points rpc servers and clients at their peers by an oslo.messaging-style
// transport URL: zmq://h1:p1,h2:p2 (the servers' endpoints, no registry), zmq+redis://h1:6379/0
// or zmq+redis+sentinel://h1:26379/MASTER/0 (a Redis registry; several hosts for failover).
package transport

import (
	"io"

	"github.com/purezmq/zmq/rpc"
	"github.com/purezmq/zmq/rpc/registry"
	"github.com/purezmq/zmq/rpc/registry/redisreg"
)

// Open returns the rpc options that url stands for, and what to close when done with them (nil
// to close nothing). zmq:// gives the endpoints: where a server binds, what a client calls. The
// Redis schemes give a registry wrapped in registry.Cached, so clients go on calling from the
// last endpoints they saw while Redis is unreachable; onStale (may be nil) hears of each time
// they do, to log it or count it.
func Open(url string, onStale func(key string, err error)) ([]rpc.Option, io.Closer, error) {
	u, err := registry.ParseURL(url)
	if err != nil {
		return nil, nil, err
	}
	if u.Scheme == registry.SchemeZMQ {
		return []rpc.Option{rpc.WithEndpoint(u.Endpoints()...)}, nil, nil
	}
	r, err := redisreg.Open(url)
	if err != nil {
		return nil, nil, err
	}
	r = registry.Cached(r, onStale)
	return []rpc.Option{rpc.WithRegistry(r)}, r, nil
}
