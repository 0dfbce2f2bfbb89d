package redisreg

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/purezmq/zmq/rpc/registry"
)

// Options says where Redis is.
type Options struct {
	// Addrs are host:port of the Redis servers, tried in order (the first that answers serves),
	// or of the Sentinels when MasterName is set.
	Addrs []string
	// MasterName is the Sentinel name of the master; empty for plain Redis.
	MasterName string
	// DB is the database number, default 0.
	DB int
	// Username and Password authenticate to Redis (for Sentinel: to the master and replicas).
	Username, Password string
	// Prefix starts every Redis key this registry writes: "<prefix>:<key>". Default "purezmq:rpc".
	Prefix string
	// PollInterval is how often Watch asks Redis; default 1s.
	PollInterval time.Duration
}

// DefaultPrefix starts the Redis keys when Options.Prefix is empty.
const DefaultPrefix = "purezmq:rpc"

// Open connects by transport URL: zmq+redis://[:password@]h1:6379,h2:6379/0 or
// zmq+redis+sentinel://[:password@]h1:26379,h2:26379/MASTER/0.
func Open(rawURL string) (registry.Registry, error) {
	u, err := registry.ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	if u.Scheme == registry.SchemeZMQ {
		return nil, fmt.Errorf("%w: %s lists endpoints, it names no registry", registry.ErrBadURL, u)
	}
	return New(Options{Addrs: u.Hosts, MasterName: u.MasterName, DB: u.DB, Username: u.Username, Password: u.Password})
}

// New connects to Redis (or to its master through Sentinel). It does not dial: the first
// command does, so a registry made while Redis is down works once Redis is back.
func New(opts Options) (registry.Registry, error) {
	if len(opts.Addrs) == 0 {
		return nil, fmt.Errorf("%w: redisreg: no Redis address", registry.ErrInvalid)
	}
	for _, a := range opts.Addrs {
		if _, _, err := net.SplitHostPort(a); err != nil {
			return nil, fmt.Errorf("%w: redisreg: address %q: %v", registry.ErrInvalid, a, err)
		}
	}
	if opts.DB < 0 {
		return nil, fmt.Errorf("%w: redisreg: database %d", registry.ErrInvalid, opts.DB)
	}
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	if err := registry.CheckKey(opts.Prefix); err != nil {
		return nil, fmt.Errorf("redisreg: prefix: %w", err)
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = time.Second
	}
	return newRegistry(opts, client(opts)), nil
}

// Timeouts of one Redis command when its ctx has none shorter: a registry that cannot answer
// in this time is down, and Cached takes over.
const (
	dialTimeout = 2 * time.Second
	ioTimeout   = 2 * time.Second
)

func client(opts Options) redis.UniversalClient {
	noMaint := &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	if opts.MasterName != "" {
		return redis.NewFailoverClient(&redis.FailoverOptions{
			MasterName: opts.MasterName, SentinelAddrs: opts.Addrs,
			Username: opts.Username, Password: opts.Password, DB: opts.DB,
			DialTimeout: dialTimeout, ReadTimeout: ioTimeout, WriteTimeout: ioTimeout,
			ContextTimeoutEnabled: true, DialerRetries: 1, DisableIdentity: true,
		})
	}
	// go-redis's UniversalClient turns several addresses into a Cluster client, which plain
	// Redis servers refuse ("cluster support disabled"). oslo meant failover: one client whose
	// dialer tries the hosts in order.
	return redis.NewClient(&redis.Options{
		Addr: opts.Addrs[0], Dialer: failoverDialer(opts.Addrs),
		Username: opts.Username, Password: opts.Password, DB: opts.DB,
		DialTimeout: dialTimeout, ReadTimeout: ioTimeout, WriteTimeout: ioTimeout,
		ContextTimeoutEnabled: true, DialerRetries: 1, DisableIdentity: true,
		MaintNotificationsConfig: noMaint,
	})
}

// failoverDialer connects to the first of addrs that accepts.
func failoverDialer(addrs []string) func(ctx context.Context, network, _ string) (net.Conn, error) {
	return func(ctx context.Context, network, _ string) (net.Conn, error) {
		var errs []error
		d := net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}
		for _, a := range addrs {
			c, err := d.DialContext(ctx, network, a)
			if err == nil {
				return c, nil
			}
			errs = append(errs, err)
			if ctx.Err() != nil {
				break
			}
		}
		return nil, errors.Join(errs...)
	}
}
