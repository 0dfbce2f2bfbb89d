// Package redisdedup is an rpc.DedupStore in Redis, so that the servers of one target share
// their at-least-once keys: a retry that reaches another server finds the key running there
// (its claim's lease not run out) or done, with the reply to replay.
//
// Layout: one string per key, "<prefix>:<key>", holding "r" and the claim's token while it
// runs (expiring with the lease), then "d" and the cached reply (expiring with the window).
// Each operation is one command or one Lua script, so that two servers never both claim a key.
package redisdedup

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/purezmq/zmq/rpc"
)

// Options says where Redis is.
type Options struct {
	// Addr is host:port of the Redis server.
	Addr string
	// DB is the database number, default 0.
	DB int
	// Username and Password authenticate to Redis.
	Username, Password string
	// Prefix starts every Redis key the store writes: "<prefix>:<key>". Default DefaultPrefix.
	Prefix string
}

// DefaultPrefix starts the Redis keys when Options.Prefix is empty.
const DefaultPrefix = "purezmq:rpc:dedup"

// Store is a DedupStore in Redis. Close it when done.
type Store struct {
	c      *redis.Client
	prefix string
}

var _ rpc.DedupStore = (*Store)(nil)

// New connects to Redis lazily: the first operation dials.
func New(opts Options) (*Store, error) {
	if _, _, err := net.SplitHostPort(opts.Addr); err != nil {
		return nil, fmt.Errorf("redisdedup: address %q: %v", opts.Addr, err)
	}
	if opts.DB < 0 {
		return nil, fmt.Errorf("redisdedup: database %d", opts.DB)
	}
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	c := redis.NewClient(&redis.Options{
		Addr: opts.Addr, Username: opts.Username, Password: opts.Password, DB: opts.DB,
		DialTimeout: 2 * time.Second, ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second,
		ContextTimeoutEnabled: true, DisableIdentity: true,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	})
	return &Store{c: c, prefix: opts.Prefix}, nil
}

// Close closes the connections to Redis.
func (s *Store) Close() error { return s.c.Close() }

func (s *Store) rkey(key string) string { return s.prefix + ":" + key }

// claim: set the key running for the token unless it holds something; return what it holds.
var claim = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], 'r' .. ARGV[1], 'PX', ARGV[2])
return false`)

// refresh, complete and release act only while the key runs for the token: 1 done, 0 not ours.
var refresh = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= 'r' .. ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`)

var complete = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= 'r' .. ARGV[1] then return 0 end
redis.call('SET', KEYS[1], 'd' .. ARGV[3], 'PX', ARGV[2])
return 1`)

var release = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= 'r' .. ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1`)

// ms is d in whole milliseconds, at least 1 (PX refuses 0).
func ms(d time.Duration) int64 { return max(d.Milliseconds(), 1) }

// Claim takes key for token for lease unless it holds a claim or a reply (rpc.DedupStore).
func (s *Store) Claim(ctx context.Context, key, token string, lease time.Duration) (rpc.DedupEntry, error) {
	v, err := claim.Run(ctx, s.c, []string{s.rkey(key)}, token, ms(lease)).Text()
	switch {
	case errors.Is(err, redis.Nil):
		return rpc.DedupEntry{State: rpc.DedupNew}, nil
	case err != nil:
		return rpc.DedupEntry{}, fmt.Errorf("redisdedup: %w", err)
	case len(v) > 0 && v[0] == 'r':
		return rpc.DedupEntry{State: rpc.DedupRunning}, nil
	case len(v) > 0 && v[0] == 'd':
		return rpc.DedupEntry{State: rpc.DedupDone, Reply: []byte(v[1:])}, nil
	}
	return rpc.DedupEntry{}, fmt.Errorf("redisdedup: key %s holds %d bytes of something else", s.rkey(key), len(v))
}

func (s *Store) owned(ctx context.Context, script *redis.Script, key string, args ...any) error {
	n, err := script.Run(ctx, s.c, []string{s.rkey(key)}, args...).Int()
	if err != nil {
		return fmt.Errorf("redisdedup: %w", err)
	}
	if n == 0 {
		return rpc.ErrClaimLost
	}
	return nil
}

// Refresh extends token's claim of key by lease.
func (s *Store) Refresh(ctx context.Context, key, token string, lease time.Duration) error {
	return s.owned(ctx, refresh, key, token, ms(lease))
}

// Complete replaces token's claim of key with reply, kept for window.
func (s *Store) Complete(ctx context.Context, key, token string, reply []byte, window time.Duration) error {
	return s.owned(ctx, complete, key, token, ms(window), reply)
}

// Release deletes token's claim of key.
func (s *Store) Release(ctx context.Context, key, token string) error {
	return s.owned(ctx, release, key, token)
}
