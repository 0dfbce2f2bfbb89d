package rpc

import (
	"fmt"
	"time"

	zmq "github.com/purezmq/zmq"
)

// Heartbeat defaults: ZMTP PING every DefaultHeartbeat on every connection of clients and
// servers; a peer silent for DefaultHeartbeatMisses intervals is dropped. A dropped server's
// calls fail Unavailable (retried when at-least-once); a dropped client's calls are cancelled
// on the server (their handlers' ctx ends), but for at-least-once ones, whose results the dedup
// store keeps for the retry.
const (
	DefaultHeartbeat       = 2 * time.Second // between PINGs
	DefaultHeartbeatMisses = 3               // intervals of silence before a peer is dropped
)

// WithHeartbeat sets a client's or a server's heartbeat (ZeroMQ's PING/PONG, RFC 37): a PING
// every interval, and a peer that sends nothing for misses intervals is dropped (the PINGs ask
// the peer to do the same with us). Default DefaultHeartbeat and DefaultHeartbeatMisses;
// interval 0 turns heartbeats off.
func WithHeartbeat(interval time.Duration, misses int) Option {
	return func(c *config) error {
		if interval < 0 || interval > 0 && misses < 1 {
			return fmt.Errorf("rpc: heartbeat %v × %d misses: want a positive interval and at least one miss, or 0 for none", interval, misses)
		}
		if interval > 0 && interval < 10*time.Millisecond {
			return fmt.Errorf("rpc: heartbeat %v: want at least 10ms", interval)
		}
		c.dl.hbSet, c.dl.hbIvl, c.dl.hbMisses = true, interval, misses
		return nil
	}
}

// heartbeatOptions are the socket options of the configured heartbeat.
func (d *deliveryConfig) heartbeatOptions() []zmq.Option {
	ivl, misses := DefaultHeartbeat, DefaultHeartbeatMisses
	if d.hbSet {
		ivl, misses = d.hbIvl, d.hbMisses
	}
	if ivl == 0 {
		return nil
	}
	dead := ivl * time.Duration(misses)
	// The TTL travels in deciseconds: below that it means none, so the peer keeps its own rule.
	return []zmq.Option{zmq.WithHeartbeatIvl(ivl), zmq.WithHeartbeatTimeout(dead),
		zmq.WithHeartbeatTTL(min(dead, 0xffff*100*time.Millisecond))}
}
