package rpc

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// DedupStore is where servers keep the idempotency keys of at-least-once requests: a key is
// claimed by the server that runs it, for a lease it refreshes while the handler runs, then
// completed with the reply, which is kept for the dedup window. Servers of one target that
// share a store (redisdedup) run each key once between them: a retry that reaches another
// server finds the key running or done. Keys are the caller's idempotency keys; tokens tell
// one claim from another, so that a server whose lease ran out cannot complete a key that
// another server has claimed since.
type DedupStore interface {
	// Claim takes key for token for lease when it is free (or its lease ran out); otherwise it
	// says whether the key is running (claimed by another) or done, with its reply.
	Claim(ctx context.Context, key, token string, lease time.Duration) (DedupEntry, error)
	// Refresh extends token's claim of key by lease; ErrClaimLost when key is not token's.
	Refresh(ctx context.Context, key, token string, lease time.Duration) error
	// Complete turns token's claim of key into done, keeping reply for window; ErrClaimLost
	// when key is not token's.
	Complete(ctx context.Context, key, token string, reply []byte, window time.Duration) error
	// Release frees token's claim of key, so that a retry runs it again; ErrClaimLost when key
	// is not token's.
	Release(ctx context.Context, key, token string) error
}

// DedupState is what a Claim found.
type DedupState uint8

const (
	DedupNew     DedupState = iota // claimed now: run it
	DedupRunning                   // claimed by another, lease running
	DedupDone                      // completed: Reply is the cached reply
)

// DedupEntry is a Claim's answer.
type DedupEntry struct {
	State DedupState // new, running or done
	Reply []byte     // DedupDone: what Complete stored
}

// ErrClaimLost: the key is no longer claimed by this token (its lease ran out).
var ErrClaimLost = errors.New("rpc: dedup claim lost")

// Dedup defaults (WithDedup, WithDedupLease, NewMemoryDedup).
const (
	DefaultDedupWindow  = 5 * time.Minute // how long a reply is kept for retries
	DefaultDedupLease   = 5 * time.Second // how long a claim lasts unrefreshed
	DefaultDedupEntries = 100000          // keys of the memory store
	DefaultDedupBytes   = 64 << 20        // bytes of cached replies of the memory store
)

// WithDedup sets a server's dedup store and window: how long the reply of an at-least-once
// request stays to answer its retries. Default: a store in memory of its own
// (NewMemoryDedup(DefaultDedupEntries, DefaultDedupBytes)) and DefaultDedupWindow. A nil
// store turns deduplication off: every retry runs the handler again.
func WithDedup(store DedupStore, window time.Duration) Option {
	return func(c *config) error {
		if store != nil && window <= 0 {
			return fmt.Errorf("rpc: dedup window %v: want a positive duration", window)
		}
		c.dl.dedupSet, c.dl.dedup, c.dl.window = true, store, window
		return nil
	}
}

// WithDedupLease sets how long a server's claim of a running request lasts without refresh
// (it refreshes it every third of it while the handler runs): a server that dies holding a
// claim delays its retries elsewhere by up to this. Default DefaultDedupLease.
func WithDedupLease(d time.Duration) Option {
	return func(c *config) error {
		if d < 30*time.Millisecond {
			return fmt.Errorf("rpc: dedup lease %v: want at least 30ms", d)
		}
		c.dl.leaseSet, c.dl.lease = true, d
		return nil
	}
}

// memoryDedup is a DedupStore of one process, bounded in entries and in reply bytes: beyond
// either, the entries least recently changed go first.
type memoryDedup struct {
	maxEntries int
	maxBytes   int64

	mu    sync.Mutex
	keys  map[string]*list.Element // of *memEntry
	order list.List                // least recently changed first
	bytes int64
	now   func() time.Time
}

type memEntry struct {
	key     string
	token   string // while running
	done    bool
	reply   []byte
	expires time.Time
}

// NewMemoryDedup is a DedupStore in memory, for servers that do not share one: at most
// maxEntries keys and maxBytes bytes of cached replies, the oldest evicted first (an evicted
// key runs again if retried). A reply bigger than maxBytes is not cached: its retry runs again.
func NewMemoryDedup(maxEntries int, maxBytes int64) DedupStore {
	return &memoryDedup{maxEntries: max(maxEntries, 1), maxBytes: max(maxBytes, 0),
		keys: map[string]*list.Element{}, now: time.Now}
}

func (m *memoryDedup) Claim(_ context.Context, key, token string, lease time.Duration) (DedupEntry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if el := m.keys[key]; el != nil {
		e := el.Value.(*memEntry)
		switch {
		case now.After(e.expires):
			m.remove(el)
		case e.done:
			return DedupEntry{State: DedupDone, Reply: e.reply}, nil
		default:
			return DedupEntry{State: DedupRunning}, nil
		}
	}
	m.keys[key] = m.order.PushBack(&memEntry{key: key, token: token, expires: now.Add(lease)})
	m.evict(now)
	return DedupEntry{State: DedupNew}, nil
}

// owned is token's running entry of key, or nil.
func (m *memoryDedup) owned(key, token string) *list.Element {
	el := m.keys[key]
	if el == nil {
		return nil
	}
	if e := el.Value.(*memEntry); e.done || e.token != token || m.now().After(e.expires) {
		return nil
	}
	return el
}

func (m *memoryDedup) Refresh(_ context.Context, key, token string, lease time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	el := m.owned(key, token)
	if el == nil {
		return ErrClaimLost
	}
	el.Value.(*memEntry).expires = m.now().Add(lease)
	return nil
}

func (m *memoryDedup) Complete(_ context.Context, key, token string, reply []byte, window time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	el := m.owned(key, token)
	if el == nil {
		return ErrClaimLost
	}
	if int64(len(reply)) > m.maxBytes {
		m.remove(el)
		return nil
	}
	e := el.Value.(*memEntry)
	e.done, e.token, e.reply, e.expires = true, "", reply, m.now().Add(window)
	m.bytes += int64(len(reply))
	m.order.MoveToBack(el)
	m.evict(m.now())
	return nil
}

func (m *memoryDedup) Release(_ context.Context, key, token string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	el := m.owned(key, token)
	if el == nil {
		return ErrClaimLost
	}
	m.remove(el)
	return nil
}

func (m *memoryDedup) remove(el *list.Element) {
	e := m.order.Remove(el).(*memEntry)
	delete(m.keys, e.key)
	m.bytes -= int64(len(e.reply))
}

// evict drops expired entries at the front, then the oldest while over a bound.
func (m *memoryDedup) evict(now time.Time) {
	for el := m.order.Front(); el != nil; el = m.order.Front() {
		e := el.Value.(*memEntry)
		if !now.After(e.expires) && len(m.keys) <= m.maxEntries && m.bytes <= m.maxBytes {
			return
		}
		m.remove(el)
	}
}
