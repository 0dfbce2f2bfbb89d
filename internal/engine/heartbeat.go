package engine

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/purezmq/zmq/zmtp"
)

// ErrHeartbeatTimeout ends a connection whose peer went silent: nothing arrived within
// HEARTBEAT_TIMEOUT of our PING, or within the TTL the peer's own PING asked for.
var ErrHeartbeatTimeout = errors.New("zmq: heartbeat timeout")

// since is the time since the connection was made: receive times count from there, so they
// fit in an atomic int64 and are never negative, also under testing/synctest's clock, which
// starts in 2000.
func (c *Conn) since() time.Duration { return time.Since(c.epoch) }

// heard records that bytes arrived from the peer; the reader calls it once per read.
func (c *Conn) heard() { c.lastRecv.Store(int64(c.since())) }

// heartbeat is a connection's keep-alive (RFC 37): one timer, armed for the earliest of the next
// PING, the deadline for the peer to say anything after one, and the peer's own TTL. The reader
// only stores when it last received bytes; the timer's callback judges that when it fires, so
// traffic costs no timer operation.
type heartbeat struct {
	c       *Conn
	ivl     time.Duration // between our PINGs, 0 for none
	timeout time.Duration // for the peer to answer a PING
	ttl     uint16        // deciseconds, announced in each PING
	ping    []byte        // our PING, encoded once

	mu       sync.Mutex
	t        *time.Timer // created when first needed
	stopped  bool
	nextPing time.Duration
	awaiting time.Duration // when the first unanswered PING went out, -1 for none
	peerTTL  time.Duration // from the peer's last PING, 0 for none
	err      atomic.Pointer[error]
}

// startHeartbeat sets up c's heartbeat; PINGs go out only to a ZMTP 3.1 peer, which knows them.
func (c *Conn) startHeartbeat() *heartbeat {
	cfg := c.cfg
	h := &heartbeat{c: c, timeout: cfg.HeartbeatTimeout, awaiting: -1}
	if c.minor >= 1 {
		h.ivl = cfg.HeartbeatIvl
	}
	if h.timeout <= 0 {
		h.timeout = h.ivl // libzmq's default
	}
	h.ttl = uint16(min(cfg.HeartbeatTTL/(100*time.Millisecond), 0xffff))
	h.ping = zmtp.AppendPing(nil, h.ttl, nil)
	c.heard()
	c.hb = h
	if h.ivl > 0 {
		h.mu.Lock()
		now := h.c.since()
		h.nextPing = now + h.ivl
		h.armLocked(now)
		h.mu.Unlock()
	}
	return h
}

// stop disarms the timer; Run calls it once both loops have ended.
func (h *heartbeat) stop() {
	h.mu.Lock()
	h.stopped = true
	if h.t != nil {
		h.t.Stop()
	}
	h.mu.Unlock()
}

// failure is the error that made the heartbeat close the connection, or nil.
func (h *heartbeat) failure() error {
	if p := h.err.Load(); p != nil {
		return *p
	}
	return nil
}

// peerPing takes note of the TTL (in deciseconds) in a PING from the peer: libzmq drops a
// connection that stays silent for that long, and so do we.
func (h *heartbeat) peerPing(ttl uint16) {
	d := time.Duration(ttl) * 100 * time.Millisecond
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopped || d == h.peerTTL {
		return
	}
	h.peerTTL = d
	h.armLocked(h.c.since())
}

func (h *heartbeat) fire() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopped {
		return
	}
	now := h.c.since()
	last := time.Duration(h.c.lastRecv.Load())
	if h.awaiting >= 0 && last >= h.awaiting {
		h.awaiting = -1 // the peer spoke after our PING
	}
	if h.awaiting >= 0 && now-h.awaiting >= h.timeout || h.peerTTL > 0 && now-last >= h.peerTTL {
		h.stopped = true
		err := ErrHeartbeatTimeout
		h.err.Store(&err)
		h.c.nc.Close()
		return
	}
	if h.ivl > 0 && now >= h.nextPing {
		h.c.queuePing(h.ping)
		if h.awaiting < 0 {
			h.awaiting = now
		}
		h.nextPing = now + h.ivl
	}
	h.armLocked(now)
}

// armLocked sets the timer for the earliest thing to do or check.
func (h *heartbeat) armLocked(now time.Duration) {
	next := time.Duration(-1)
	at := func(t time.Duration) {
		if next < 0 || t < next {
			next = t
		}
	}
	if h.ivl > 0 {
		at(h.nextPing)
	}
	if h.awaiting >= 0 {
		at(h.awaiting + h.timeout)
	}
	if h.peerTTL > 0 {
		at(time.Duration(h.c.lastRecv.Load()) + h.peerTTL)
	}
	if next < 0 {
		return
	}
	d := max(next-now, 0)
	if h.t == nil {
		h.t = time.AfterFunc(d, h.fire)
	} else {
		h.t.Reset(d)
	}
}
